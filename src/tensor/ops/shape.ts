/**
 * Shape, joining, slicing and indexing operators. Dimensions may be negative (counted from the end).
 * Views (view, transpose, permute, narrow, slice, expand, squeeze, unsqueeze) share storage with their input.
 */
import { defineOp } from '../dispatch.js';
import { Tensor } from '../tensor.js';
import { ids, run, runMany, type TensorLike } from './run.js';

const RESHAPE = defineOp('aten::reshape');
const VIEW = defineOp('aten::view');
const PERMUTE = defineOp('aten::permute');
const TRANSPOSE = defineOp('aten::transpose', 'int');
const SQUEEZE = defineOp('aten::squeeze');
const SQUEEZE_DIM = defineOp('aten::squeeze', 'dim');
const UNSQUEEZE = defineOp('aten::unsqueeze');
const EXPAND = defineOp('aten::expand');
const FLATTEN = defineOp('aten::flatten', 'using_ints');
const CONTIGUOUS = defineOp('aten::contiguous');
const CLONE = defineOp('aten::clone');
const CAT = defineOp('aten::cat');
const STACK = defineOp('aten::stack');
const SPLIT = defineOp('aten::split', 'Tensor');
const SPLIT_SIZES = defineOp('aten::split_with_sizes');
const CHUNK = defineOp('aten::chunk');
const NARROW = defineOp('aten::narrow');
const AS_STRIDED = defineOp('aten::as_strided');
const SLICE = defineOp('aten::slice', 'Tensor');
const SELECT = defineOp('aten::select', 'int');
const INDEX_SELECT = defineOp('aten::index_select');
const INDEX = defineOp('aten::index', 'Tensor');
const GATHER = defineOp('aten::gather');
const SCATTER_SRC = defineOp('aten::scatter', 'src');
const SCATTER_VALUE = defineOp('aten::scatter', 'value');
const SCATTER_ADD = defineOp('aten::scatter_add');
const MASKED_FILL = defineOp('aten::masked_fill', 'Scalar');
const WHERE = defineOp('aten::where', 'self');
const WHERE_SCALAR_OTHER = defineOp('aten::where', 'ScalarOther');
const WHERE_SCALAR_SELF = defineOp('aten::where', 'ScalarSelf');
const WHERE_SCALARS = defineOp('aten::where', 'Scalar');
const REPEAT = defineOp('aten::repeat');
const TRIU = defineOp('aten::triu');
const NONZERO = defineOp('aten::nonzero');
const TRIL = defineOp('aten::tril');

/** `t` with a new shape (one entry may be -1); a view when possible, else a copy. */
export const reshape = (t: Tensor, shape: readonly number[]): Tensor => run(RESHAPE, t.id, shape as number[]);
/** A view of contiguous-compatible `t` with a new shape; throws TorchError when strides do not allow it. */
export const view = (t: Tensor, shape: readonly number[]): Tensor => run(VIEW, t.id, shape as number[]);
/** Dimensions reordered: output dim i is input dim `dims[i]`. */
export const permute = (t: Tensor, dims: readonly number[]): Tensor => run(PERMUTE, t.id, dims as number[]);
/** Dimensions `dim0` and `dim1` swapped. */
export const transpose = (t: Tensor, dim0: number, dim1: number): Tensor => run(TRANSPOSE, t.id, dim0, dim1);
/** Size-1 dimensions removed (only `dim` when given). */
export const squeeze = (t: Tensor, dim?: number): Tensor => (dim === undefined ? run(SQUEEZE, t.id) : run(SQUEEZE_DIM, t.id, dim));
/** A size-1 dimension inserted at `dim`. */
export const unsqueeze = (t: Tensor, dim: number): Tensor => run(UNSQUEEZE, t.id, dim);
/** A broadcast view of `t` at `shape` (-1 keeps a size). */
export const expand = (t: Tensor, shape: readonly number[]): Tensor => run(EXPAND, t.id, shape as number[]);
/** Dimensions startDim..endDim merged into one. */
export const flatten = (t: Tensor, startDim = 0, endDim = -1): Tensor => run(FLATTEN, t.id, startDim, endDim);
/** `t` in contiguous row-major memory (itself, as a new handle, when already contiguous). */
export const contiguous = (t: Tensor): Tensor => run(CONTIGUOUS, t.id);
/** A copy of `t` (differentiable). */
export const clone = (t: Tensor): Tensor => run(CLONE, t.id);
/** Concatenation along `dim`; all other sizes must match. */
export const cat = (tensors: readonly Tensor[], dim = 0): Tensor => run(CAT, ids(tensors), dim);
/** Stacking along a new dimension `dim`; all shapes must match. */
export const stack = (tensors: readonly Tensor[], dim = 0): Tensor => run(STACK, ids(tensors), dim);
/** Pieces of `size` (the last may be smaller) or of the given sizes, along `dim`. */
export const split = (t: Tensor, size: number | readonly number[], dim = 0): Tensor[] =>
  typeof size === 'number' ? runMany(SPLIT, t.id, size, dim) : runMany(SPLIT_SIZES, t.id, size as number[], dim);
/** `chunks` near-equal pieces along `dim`. */
export const chunk = (t: Tensor, chunks: number, dim = 0): Tensor[] => runMany(CHUNK, t.id, chunks, dim);
/** A view of `length` entries of `dim` from `start`. */
export const narrow = (t: Tensor, dim: number, start: number, length: number): Tensor => run(NARROW, t.id, dim, start, length);
/**
 * A view of `t`'s storage with the given sizes and strides (elements), from `storageOffset` (default
 * `t`'s own), as torch.as_strided; it may reach beyond `t` into the rest of its storage.
 * @throws TorchError when the view would read outside the storage.
 */
export const asStrided = (t: Tensor, size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor =>
  run(AS_STRIDED, t.id, size as number[], stride as number[], storageOffset ?? null);
/** A view of entries start, start+step, … below end along `dim` (Python's t[start:end:step]). */
export const slice = (t: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor =>
  run(SLICE, t.id, dim, start ?? null, end ?? null, step);
/** The view at `index` of `dim`, with that dimension removed. */
export const select = (t: Tensor, dim: number, index: number): Tensor => run(SELECT, t.id, dim, index);
/** Entries of `dim` at `index` (int64, 1-d). */
export const indexSelect = (t: Tensor, dim: number, index: Tensor): Tensor => run(INDEX_SELECT, t.id, dim, index.id);
/** Advanced indexing t[i0, i1, …] with int64/bool index tensors (null keeps a dimension whole). */
export const index = (t: Tensor, indices: readonly (Tensor | null)[]): Tensor =>
  run(
    INDEX,
    t.id,
    indices.map((i) => (i === null ? null : i.id)),
  );
/** out[i][j] = t[index[i][j]][j] for dim 0 (and likewise for other dims); index int64, same ndim as t. */
export const gather = (t: Tensor, dim: number, index: Tensor): Tensor => run(GATHER, t.id, dim, index.id);
/** A copy of `t` with out[index[i][j]][j] = src (tensor or scalar) for dim 0, likewise for other dims. */
export const scatter = (t: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor =>
  typeof src === 'number' ? run(SCATTER_VALUE, t.id, dim, index.id, src) : run(SCATTER_SRC, t.id, dim, index.id, src.id);
/** A copy of `t` with src added at `index` along `dim`. */
export const scatterAdd = (t: Tensor, dim: number, index: Tensor, src: Tensor): Tensor => run(SCATTER_ADD, t.id, dim, index.id, src.id);
/** A copy of `t` with `value` where the bool `mask` (broadcast) is true. */
export const maskedFill = (t: Tensor, mask: Tensor, value: number): Tensor => run(MASKED_FILL, t.id, mask.id, value);
/**
 * Elementwise `condition ? a : b`, broadcast; `condition` bool. Either branch may be a number or
 * boolean (a Scalar: an integer-valued number keeps integer tensors integral, as in maskedFill).
 */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor)
    return b instanceof Tensor ? run(WHERE, condition.id, a.id, b.id) : run(WHERE_SCALAR_OTHER, condition.id, a.id, b);
  return b instanceof Tensor ? run(WHERE_SCALAR_SELF, condition.id, a, b.id) : run(WHERE_SCALARS, condition.id, a, b);
}
/** `t` tiled `repeats[i]` times along each dimension. */
export const repeat = (t: Tensor, repeats: readonly number[]): Tensor => run(REPEAT, t.id, repeats as number[]);
/** Upper triangle (entries with column − row ≥ diagonal), zeros elsewhere. */
export const triu = (t: Tensor, diagonal = 0): Tensor => run(TRIU, t.id, diagonal);
/** Lower triangle (entries with column − row ≤ diagonal), zeros elsewhere. */
export const tril = (t: Tensor, diagonal = 0): Tensor => run(TRIL, t.id, diagonal);

/** (n, D) int64: the indices of the n non-zero elements of a D-dimensional tensor, in row-major order (torch.nonzero). */
export const nonzero = (t: Tensor): Tensor => run(NONZERO, t.id);
