/**
 * In-place updates, for optimizers and initialisers (run them under noGrad() on parameters).
 * Each returns its first argument.
 */
import { defineOp } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { runInPlace, type TensorLike } from './run.js';

const ADD_ = defineOp('aten::add_', 'Tensor');
const ADD_S_ = defineOp('aten::add_', 'Scalar');
const MUL_ = defineOp('aten::mul_', 'Tensor');
const MUL_S_ = defineOp('aten::mul_', 'Scalar');
const DIV_ = defineOp('aten::div_', 'Tensor');
const DIV_S_ = defineOp('aten::div_', 'Scalar');
const ADDCMUL_ = defineOp('aten::addcmul_');
const ADDCDIV_ = defineOp('aten::addcdiv_');
const LERP_S_ = defineOp('aten::lerp_', 'Scalar');
const SQRT_ = defineOp('aten::sqrt_');
const ZERO_ = defineOp('aten::zero_');
const INDEX_FILL_ = defineOp('aten::index_fill_', 'int_Scalar');
const FILL_S_ = defineOp('aten::fill_', 'Scalar');
const COPY_ = defineOp('aten::copy_');
const CLAMP_ = defineOp('aten::clamp_');
const UNIFORM_ = defineOp('aten::uniform_');
const NORMAL_ = defineOp('aten::normal_');

const isTensor = (v: TensorLike): v is Tensor => typeof v === 'object';

/** t += alpha·b */
export const add_ = <T extends Tensor>(t: T, b: TensorLike, alpha = 1): T =>
  isTensor(b) ? runInPlace(t, ADD_, b.id, alpha) : runInPlace(t, ADD_S_, b, alpha);
/** t *= b */
export const mul_ = <T extends Tensor>(t: T, b: TensorLike): T => (isTensor(b) ? runInPlace(t, MUL_, b.id) : runInPlace(t, MUL_S_, b));
/** t /= b */
export const div_ = <T extends Tensor>(t: T, b: TensorLike): T => (isTensor(b) ? runInPlace(t, DIV_, b.id) : runInPlace(t, DIV_S_, b));
/** t += value · a · b */
export const addcmul_ = <T extends Tensor>(t: T, a: Tensor, b: Tensor, value = 1): T => runInPlace(t, ADDCMUL_, a.id, b.id, value);
/** t += value · a / b */
export const addcdiv_ = <T extends Tensor>(t: T, a: Tensor, b: Tensor, value = 1): T => runInPlace(t, ADDCDIV_, a.id, b.id, value);
/** t += weight · (end − t) */
export const lerp_ = <T extends Tensor>(t: T, end: Tensor, weight: number): T => runInPlace(t, LERP_S_, end.id, weight);
/** t = √t */
export const sqrt_ = <T extends Tensor>(t: T): T => runInPlace(t, SQRT_);
/** t = 0 */
export const zero_ = <T extends Tensor>(t: T): T => runInPlace(t, ZERO_);
/** t = value everywhere */
export const fill_ = <T extends Tensor>(t: T, value: number | boolean): T => runInPlace(t, FILL_S_, value);
/** t = src (broadcast, cast to t's dtype) */
export const copy_ = <T extends Tensor>(t: T, src: Tensor): T => runInPlace(t, COPY_, src.id);
/** t limited to [min, max] */
export const clamp_ = <T extends Tensor>(t: T, min?: number, max?: number): T => runInPlace(t, CLAMP_, min ?? null, max ?? null);
/** t filled with uniform draws on [low, high) */
export const uniform_ = <T extends Tensor>(t: T, low = 0, high = 1): T => runInPlace(t, UNIFORM_, low, high);
/** t filled with normal draws N(mean, std²) */
export const normal_ = <T extends Tensor>(t: T, mean = 0, std = 1): T => runInPlace(t, NORMAL_, mean, std);

/** Sets the entries of `t` at positions `index` (int64, 1-d) along `dim` to `value`, in place (Tensor.index_fill_). */
export const indexFill_ = <T extends Tensor>(t: T, dim: number, index: Tensor, value: number): T =>
  runInPlace(t, INDEX_FILL_, dim, index.id, value);
