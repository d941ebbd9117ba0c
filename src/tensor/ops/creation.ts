/**
 * Creating tensors: from JavaScript data, constant fills, ranges and random draws. Random draws
 * use libtorch's default generator, so `manualSeed(s)` makes them repeatable.
 */
import { ConfigError } from '../../errors.js';
import { defineOp } from '../dispatch.js';
import { dtypeCode, dtypeOfTypedArray, typedArrayClass, type DType, type TypedArray } from '../dtype.js';
import { native } from '../native.js';
import { Tensor, type NestedArray } from '../tensor.js';
import { run } from './run.js';
import { toDevice } from './cast.js';

/** Options shared by creation functions. */
export interface CreateOptions {
  /** Element type; default float32 (for `tensor()`: inferred from the data, see there). */
  dtype?: DType;
  /** 'cpu' (default), 'cuda', 'cuda:1', … */
  device?: string;
  /** Record operations for autograd. */
  requiresGrad?: boolean;
}

function finish(t: Tensor, options: CreateOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

function inferShape(data: NestedArray, path = 'data'): number[] {
  if (!Array.isArray(data)) return [];
  if (data.length === 0) return [0];
  const inner = inferShape(data[0] as NestedArray, `${path}[0]`);
  for (let i = 1; i < data.length; i++) {
    const s = inferShape(data[i] as NestedArray, `${path}[${i}]`);
    if (s.length !== inner.length || s.some((v, j) => v !== inner[j])) {
      throw new ConfigError(
        `${path}[${i}] has shape [${s.join(', ')}], but ${path}[0] has [${inner.join(', ')}]: nested arrays must be rectangular`,
      );
    }
  }
  return [data.length, ...inner];
}

/** Value ranges [low, high) of the integer dtypes. */
const INTEGER_RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 2 ** 8],
  int8: [-(2 ** 7), 2 ** 7],
  int16: [-(2 ** 15), 2 ** 15],
  int32: [-(2 ** 31), 2 ** 31],
  int64: [-(2 ** 63), 2 ** 63],
};

/** Copies `values` into `flat`, checking integer dtypes' values; bool stores 1 for any truthy value (NaN included), as torch. */
function fill(flat: TypedArray, dtype: DType, values: (number | boolean)[]): void {
  const range = INTEGER_RANGE[dtype];
  if (range !== undefined) {
    values.forEach((v, i) => {
      const n = Number(v);
      if (!Number.isInteger(n)) throw new ConfigError(`data element ${i} is ${String(v)}, but dtype ${dtype} needs integers`);
      if (n < range[0] || n >= range[1])
        throw new ConfigError(`data element ${i} is ${n}, outside the range of ${dtype} [${range[0]}, ${range[1]})`);
    });
  }
  if (flat instanceof BigInt64Array) values.forEach((v, i) => (flat[i] = BigInt(Number(v))));
  else if (dtype === 'bool') values.forEach((v, i) => (flat[i] = v === 0 || v === false ? 0 : 1));
  else values.forEach((v, i) => (flat[i] = Number(v)));
}

/** Moves/casts a freshly made CPU tensor as `options` ask (disposing the original), then sets requiresGrad. */
function place(t: Tensor, options: CreateOptions): Tensor {
  let out = t;
  if ((options.dtype !== undefined && options.dtype !== t.dtype) || (options.device ?? 'cpu') !== 'cpu') {
    try {
      out = toDevice(t, options.device ?? 'cpu', options.dtype ?? t.dtype);
    } finally {
      t.dispose();
    }
  }
  return finish(out, options);
}

/**
 * A tensor holding a copy of `data`.
 * @param data a number/boolean (0-d), nested rectangular arrays, or a TypedArray (1-d unless `shape` is given).
 * @param options.dtype default: float32 for numbers, bool for booleans, the TypedArray's own type
 *   (a Uint16Array is read as raw float16/bfloat16 bits when that dtype is given).
 * @param shape for a TypedArray, its shape (product must equal its length).
 * @throws ConfigError for ragged arrays, non-integers for integer dtypes, or a length/shape mismatch.
 */
export function tensor(data: NestedArray | TypedArray, options: CreateOptions = {}, shape?: readonly number[]): Tensor {
  if (ArrayBuffer.isView(data)) {
    const raw = data instanceof Uint16Array && (options.dtype === 'float16' || options.dtype === 'bfloat16');
    const own = raw ? (options.dtype as DType) : dtypeOfTypedArray(data);
    const dims = shape ? [...shape] : [data.length];
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new ConfigError(`shape [${dims.join(', ')}] needs ${count} elements, the array has ${data.length}`);
    return place(new Tensor(native.fromBuffer(data, dtypeCode(own), dims)), options);
  }
  const dims = inferShape(data);
  const values = (Array.isArray(data) ? (data as unknown[]).flat(Infinity) : [data]) as (number | boolean)[];
  const dtype = options.dtype ?? (typeof values[0] === 'boolean' ? 'bool' : 'float32');
  const stored: DType = dtype === 'float16' || dtype === 'bfloat16' ? 'float32' : dtype;
  const flat = new (typedArrayClass(stored))(values.length);
  fill(flat, stored, values);
  return place(new Tensor(native.fromBuffer(flat, dtypeCode(stored), dims)), { ...options, dtype });
}

const ZEROS = defineOp('aten::zeros');
const ONES = defineOp('aten::ones');
const FULL = defineOp('aten::full');
const ARANGE = defineOp('aten::arange', 'start_step');
const RANDN = defineOp('aten::randn');
const RAND = defineOp('aten::rand');
const RANDINT = defineOp('aten::randint', 'low');
const ZEROS_LIKE = defineOp('aten::zeros_like');
const ONES_LIKE = defineOp('aten::ones_like');
const FULL_LIKE = defineOp('aten::full_like');
const EYE = defineOp('aten::eye');

const dt = (o: CreateOptions, fallback: DType = 'float32') => dtypeCode(o.dtype ?? fallback);

/** Zeros of `shape`. */
export const zeros = (shape: readonly number[], o: CreateOptions = {}): Tensor =>
  finish(run(ZEROS, shape as number[], dt(o), undefined, o.device), o);
/** Ones of `shape`. */
export const ones = (shape: readonly number[], o: CreateOptions = {}): Tensor =>
  finish(run(ONES, shape as number[], dt(o), undefined, o.device), o);
/**
 * `shape` filled with `value`. Default dtype: bool for a boolean, else float32 — unlike PyTorch,
 * which makes int64 for an integral value: a JavaScript number does not say whether it is one.
 */
export const full = (shape: readonly number[], value: number | boolean, o: CreateOptions = {}): Tensor =>
  finish(run(FULL, shape as number[], value, dt(o, typeof value === 'boolean' ? 'bool' : 'float32'), undefined, o.device), o);
/**
 * Values start, start+step, … up to but excluding end (1-d; a negative step counts down), or
 * 0, 1, … below `start` when `end` is omitted. Default dtype int64 when all three are integers, as in PyTorch.
 */
export function arange(start: number, end?: number, step = 1, o: CreateOptions = {}): Tensor {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  const integral = Number.isInteger(lo) && Number.isInteger(hi) && Number.isInteger(step);
  return finish(run(ARANGE, lo, hi, step, dt(o, integral ? 'int64' : 'float32'), undefined, o.device), o);
}
/** Standard normal draws N(0, 1) of `shape`. */
export const randn = (shape: readonly number[], o: CreateOptions = {}): Tensor =>
  finish(run(RANDN, shape as number[], dt(o), undefined, o.device), o);
/** Uniform draws on [0, 1) of `shape`. */
export const rand = (shape: readonly number[], o: CreateOptions = {}): Tensor =>
  finish(run(RAND, shape as number[], dt(o), undefined, o.device), o);
/** Uniform integers in [low, high) of `shape`; default dtype int64. */
export const randint = (low: number, high: number, shape: readonly number[], o: CreateOptions = {}): Tensor =>
  finish(run(RANDINT, low, high, shape as number[], dt(o, 'int64'), undefined, o.device), o);
/** The *Like functions' dtype: `t`'s own unless given. */
const likeDtype = (o: CreateOptions) => (o.dtype === undefined ? undefined : dtypeCode(o.dtype));
/** Zeros with the shape of `t`, and its dtype and device unless `o` says otherwise. */
export const zerosLike = (t: Tensor, o: CreateOptions = {}): Tensor => finish(run(ZEROS_LIKE, t.id, likeDtype(o), undefined, o.device), o);
/** Ones with the shape of `t`, and its dtype and device unless `o` says otherwise. */
export const onesLike = (t: Tensor, o: CreateOptions = {}): Tensor => finish(run(ONES_LIKE, t.id, likeDtype(o), undefined, o.device), o);
/** `value` with the shape of `t`, and its dtype and device unless `o` says otherwise. */
export const fullLike = (t: Tensor, value: number | boolean, o: CreateOptions = {}): Tensor =>
  finish(run(FULL_LIKE, t.id, value, likeDtype(o), undefined, o.device), o);
/** The n×n identity matrix. */
export const eye = (n: number, o: CreateOptions = {}): Tensor => finish(run(EYE, n, dt(o), undefined, o.device), o);
