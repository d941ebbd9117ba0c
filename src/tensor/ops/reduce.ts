/**
 * Reductions. `dim` may be one dimension or several; omitted = all dimensions.
 */
import { defineOp } from '../dispatch.js';
import { dtypeCode, type DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { run, runMany } from './run.js';

const SUM = defineOp('aten::sum');
const SUM_DIM = defineOp('aten::sum', 'dim_IntList');
const MEAN = defineOp('aten::mean');
const MEAN_DIM = defineOp('aten::mean', 'dim');
const MAX = defineOp('aten::max');
const MAX_DIM = defineOp('aten::max', 'dim');
const MIN = defineOp('aten::min');
const MIN_DIM = defineOp('aten::min', 'dim');
const ARGMAX = defineOp('aten::argmax');
const ARGMIN = defineOp('aten::argmin');
const LOGSUMEXP = defineOp('aten::logsumexp');
const VECTOR_NORM = defineOp('aten::linalg_vector_norm');
const VAR = defineOp('aten::var', 'dim');
const STD = defineOp('aten::std', 'dim');
const ALL = defineOp('aten::all');
const ANY = defineOp('aten::any');
const CUMSUM = defineOp('aten::cumsum');
const TOPK = defineOp('aten::topk');

type Dims = number | readonly number[];
const dimList = (dim: Dims): number[] => (typeof dim === 'number' ? [dim] : [...dim]);

/** Σ over `dim` (all when omitted); `dtype` accumulates in another type (e.g. int64 for bool counts). */
export const sum = (t: Tensor, dim?: Dims, keepdim = false, dtype?: DType): Tensor =>
  dim === undefined ? run(SUM, t.id, dtype && dtypeCode(dtype)) : run(SUM_DIM, t.id, dimList(dim), keepdim, dtype && dtypeCode(dtype));
/** Arithmetic mean over `dim` (all when omitted); floating inputs only. */
export const mean = (t: Tensor, dim?: Dims, keepdim = false): Tensor =>
  dim === undefined ? run(MEAN, t.id) : run(MEAN_DIM, t.id, dimList(dim), keepdim);
/** Largest value of all elements (0-d). */
export const max = (t: Tensor): Tensor => run(MAX, t.id);
/** Smallest value of all elements (0-d). */
export const min = (t: Tensor): Tensor => run(MIN, t.id);
/** [values, indices (int64)] of the largest entries along `dim`. */
export const maxDim = (t: Tensor, dim: number, keepdim = false): [Tensor, Tensor] =>
  runMany(MAX_DIM, t.id, dim, keepdim) as [Tensor, Tensor];
/** [values, indices (int64)] of the smallest entries along `dim`. */
export const minDim = (t: Tensor, dim: number, keepdim = false): [Tensor, Tensor] =>
  runMany(MIN_DIM, t.id, dim, keepdim) as [Tensor, Tensor];
/** Index (int64) of the largest entry along `dim`, or in the flattened tensor when omitted. */
export const argmax = (t: Tensor, dim?: number, keepdim = false): Tensor => run(ARGMAX, t.id, dim ?? null, keepdim);
/** Index (int64) of the smallest entry along `dim`, or in the flattened tensor when omitted. */
export const argmin = (t: Tensor, dim?: number, keepdim = false): Tensor => run(ARGMIN, t.id, dim ?? null, keepdim);
/** log Σ exp(t) over `dim`, computed stably. */
export const logsumexp = (t: Tensor, dim: Dims, keepdim = false): Tensor => run(LOGSUMEXP, t.id, dimList(dim), keepdim);
/** The p-norm (‖t‖ₚ) over `dim` (all elements when omitted); p may be Infinity. */
export const norm = (t: Tensor, p = 2, dim?: Dims, keepdim = false): Tensor =>
  run(VECTOR_NORM, t.id, p, dim === undefined ? null : dimList(dim), keepdim);
/** Variance over `dim` (all when omitted), with Bessel's correction unless `unbiased` is false. */
export const variance = (t: Tensor, dim?: Dims, unbiased = true, keepdim = false): Tensor =>
  run(VAR, t.id, dim === undefined ? null : dimList(dim), unbiased, keepdim);
/** Standard deviation over `dim` (all when omitted), with Bessel's correction unless `unbiased` is false. */
export const std = (t: Tensor, dim?: Dims, unbiased = true, keepdim = false): Tensor =>
  run(STD, t.id, dim === undefined ? null : dimList(dim), unbiased, keepdim);
/** Whether every element is true (bool, 0-d). */
export const all = (t: Tensor): Tensor => run(ALL, t.id);
/** Whether any element is true (bool, 0-d). */
export const any = (t: Tensor): Tensor => run(ANY, t.id);
/** Running sum along `dim`. */
export const cumsum = (t: Tensor, dim: number): Tensor => run(CUMSUM, t.id, dim);

/**
 * The k largest values along `dim` and their indices, largest first (torch.topk, sorted): a partial
 * selection, not a sort of the whole dimension. The order of equal values is libtorch's (unspecified).
 * @returns [values, indices (int64)], `dim` of size k.
 */
export const topk = (t: Tensor, k: number, dim = -1): [Tensor, Tensor] => runMany(TOPK, t.id, k, dim, true, true) as [Tensor, Tensor];
