/**
 * Elementwise arithmetic, functions and comparisons, with broadcasting and PyTorch's type promotion.
 * A number operand is a Scalar (an integer-valued number keeps integer tensors integral).
 */
import { defineOp, type OpRef } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { run, runBinary, type TensorLike } from './run.js';

const binary = (name: string) => [defineOp(name, 'Tensor'), defineOp(name, 'Scalar')] as const;
const [ADD, ADD_S] = binary('aten::add');
const [SUB, SUB_S] = binary('aten::sub');
const [MUL, MUL_S] = binary('aten::mul');
const [DIV, DIV_S] = binary('aten::div');
const [EQ, EQ_S] = binary('aten::eq');
const [NE, NE_S] = binary('aten::ne');
const [LT, LT_S] = binary('aten::lt');
const [LE, LE_S] = binary('aten::le');
const [GT, GT_S] = binary('aten::gt');
const [GE, GE_S] = binary('aten::ge');
const DIV_MODE = defineOp('aten::div', 'Tensor_mode');
const DIV_S_MODE = defineOp('aten::div', 'Scalar_mode');
const POW = defineOp('aten::pow', 'Tensor_Tensor');
const POW_S = defineOp('aten::pow', 'Tensor_Scalar');
const MAXIMUM = defineOp('aten::maximum');
const MINIMUM = defineOp('aten::minimum');
const CLAMP = defineOp('aten::clamp');
const LOGICAL_AND = defineOp('aten::logical_and');
const LOGICAL_OR = defineOp('aten::logical_or');

/** a + alpha·b. */
export const add = (a: Tensor, b: TensorLike, alpha = 1): Tensor => runBinary(ADD, ADD_S, a, b, alpha);
/** a − alpha·b. */
export const sub = (a: Tensor, b: TensorLike, alpha = 1): Tensor => runBinary(SUB, SUB_S, a, b, alpha);
/** a · b. */
export const mul = (a: Tensor, b: TensorLike): Tensor => runBinary(MUL, MUL_S, a, b);
/**
 * a / b. Without `roundingMode`, true division (integer inputs give a floating result); 'trunc'
 * rounds toward zero and 'floor' down (Python's //), keeping integer inputs integral.
 */
export const div = (a: Tensor, b: TensorLike, roundingMode?: 'trunc' | 'floor'): Tensor =>
  roundingMode === undefined ? runBinary(DIV, DIV_S, a, b) : runBinary(DIV_MODE, DIV_S_MODE, a, b, roundingMode);
/** a ** b. */
export const pow = (a: Tensor, b: TensorLike): Tensor => runBinary(POW, POW_S, a, b);
/** Elementwise max(a, b). */
export const maximum = (a: Tensor, b: Tensor): Tensor => run(MAXIMUM, a.id, b.id);
/** Elementwise min(a, b). */
export const minimum = (a: Tensor, b: Tensor): Tensor => run(MINIMUM, a.id, b.id);
/** Values limited to [min, max] (either bound may be omitted). */
export const clamp = (t: Tensor, min?: number, max?: number): Tensor => run(CLAMP, t.id, min ?? null, max ?? null);
/** a == b (bool). */
export const eq = (a: Tensor, b: TensorLike): Tensor => runBinary(EQ, EQ_S, a, b);
/** a != b (bool). */
export const ne = (a: Tensor, b: TensorLike): Tensor => runBinary(NE, NE_S, a, b);
/** a < b (bool). */
export const lt = (a: Tensor, b: TensorLike): Tensor => runBinary(LT, LT_S, a, b);
/** a <= b (bool). */
export const le = (a: Tensor, b: TensorLike): Tensor => runBinary(LE, LE_S, a, b);
/** a > b (bool). */
export const gt = (a: Tensor, b: TensorLike): Tensor => runBinary(GT, GT_S, a, b);
/** a >= b (bool). */
export const ge = (a: Tensor, b: TensorLike): Tensor => runBinary(GE, GE_S, a, b);
/** Elementwise logical and (bool). */
export const logicalAnd = (a: Tensor, b: Tensor): Tensor => run(LOGICAL_AND, a.id, b.id);
/** Elementwise logical or (bool). */
export const logicalOr = (a: Tensor, b: Tensor): Tensor => run(LOGICAL_OR, a.id, b.id);

const unary =
  (op: OpRef) =>
  (t: Tensor): Tensor =>
    run(op, t.id);
/** −t */
export const neg = unary(defineOp('aten::neg'));
/** |t| */
export const abs = unary(defineOp('aten::abs'));
/** √t */
export const sqrt = unary(defineOp('aten::sqrt'));
/** 1/√t */
export const rsqrt = unary(defineOp('aten::rsqrt'));
/** eᵗ */
export const exp = unary(defineOp('aten::exp'));
/** ln t */
export const log = unary(defineOp('aten::log'));
/** ln(1 + t), accurate near 0. */
export const log1p = unary(defineOp('aten::log1p'));
/** sin t */
export const sin = unary(defineOp('aten::sin'));
/** cos t */
export const cos = unary(defineOp('aten::cos'));
/** ⌊t⌋ */
export const floor = unary(defineOp('aten::floor'));
/** ⌈t⌉ */
export const ceil = unary(defineOp('aten::ceil'));
/** Rounded half to even. */
export const round = unary(defineOp('aten::round'));
/** 1/t */
export const reciprocal = unary(defineOp('aten::reciprocal'));
/** −1, 0 or 1. */
export const sign = unary(defineOp('aten::sign'));
/** Elementwise logical not (bool). */
export const logicalNot = unary(defineOp('aten::logical_not'));
/** Elementwise: the value is neither NaN nor ±Inf (bool; integer dtypes: all true). */
export const isfinite = unary(defineOp('aten::isfinite'));
/** A tensor that shares data with `t` but is cut from the autograd graph. */
export const detach = unary(defineOp('aten::detach'));
