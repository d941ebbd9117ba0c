/**
 * `Tensor`: a handle to a libtorch tensor. The data live in native memory and are freed only by
 * `dispose()` or by the `tidy()` scope that created the handle — never by the garbage collector.
 * Operations are attached as methods by ./methods.ts and exist as functions in ./ops/.
 */
import { DisposedError, ShapeError } from '../errors.js';
import { native } from './native.js';
import { dtypeFromCode, typedArrayClass, type DType, type TypedArray } from './dtype.js';
import { track } from './scope.js';
import { castToFloat32Id } from './dispatch.js';
import { formatTensor } from './format.js';

/** A nested array of numbers or booleans, as returned by `toArray()`. */
export type NestedArray = number | boolean | NestedArray[];

export class Tensor {
  private handle: number;
  /** Set by `keep()`: no `tidy()` scope disposes this tensor. */
  kept = false;

  /** Wraps a binding id; registers the handle with the innermost `tidy()` scope. Internal. */
  constructor(id: number) {
    this.handle = id;
    track(this);
  }

  /** The binding id; throws DisposedError after dispose. */
  get id(): number {
    if (this.handle < 0) throw new DisposedError('Tensor');
    return this.handle;
  }

  get isDisposed(): boolean {
    return this.handle < 0;
  }

  /** Sizes of each dimension. */
  get shape(): number[] {
    return native.shape(this.id);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  get dtype(): DType {
    return dtypeFromCode(native.dtype(this.id));
  }

  /** 'cpu', 'cuda:0', … */
  get device(): string {
    return native.device(this.id);
  }

  /** Frees the native tensor now (its memory goes when no other handle or graph node holds it). Idempotent. */
  dispose(): void {
    if (this.handle < 0) return;
    native.free(this.handle);
    this.handle = -1;
  }

  /**
   * Makes this handle hold `source`'s tensor and disposes `source`'s handle (PyTorch's `t.data =
   * source`): what holds this Tensor object (a module, an optimizer) sees the new data, on the new
   * device. This handle's old tensor is released. Internal to moving modules (Module.to_).
   */
  assign_(source: Tensor): void {
    if (source === this) return;
    const id = source.releaseId();
    native.free(this.id);
    this.handle = id;
  }

  /**
   * Gives this handle's binding id away (to native code that frees it, or to `assign_`): the handle
   * becomes disposed without freeing the tensor. Internal.
   */
  releaseId(): number {
    const id = this.id;
    this.handle = -1;
    return id;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Whether autograd records operations on this tensor. */
  get requiresGrad(): boolean {
    return native.requiresGrad(this.id);
  }

  set requiresGrad(flag: boolean) {
    native.setRequiresGrad(this.id, flag);
  }

  /** Sets `requiresGrad` and returns this tensor (PyTorch's `requires_grad_`). */
  requiresGrad_(flag = true): this {
    native.setRequiresGrad(this.id, flag);
    return this;
  }

  /** True for tensors created by the user rather than by a recorded operation. */
  get isLeaf(): boolean {
    return native.isLeaf(this.id);
  }

  /**
   * The accumulated gradient, same shape as this tensor, or undefined before any backward.
   * Each read returns a new handle to the same gradient storage (dispose it, or read inside tidy()).
   */
  get grad(): Tensor | undefined {
    const id = native.grad(this.id);
    return id === null ? undefined : new Tensor(id);
  }

  set grad(g: Tensor | undefined) {
    native.setGrad(this.id, g === undefined ? null : g.id);
  }

  /** Drops the accumulated gradient (PyTorch's `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    native.setGrad(this.id, null);
  }

  /**
   * Back-propagates from this tensor, accumulating into the `.grad` of leaves that require grad.
   * @param gradient d(loss)/d(this), same shape; omit for a scalar.
   * @param options.retainGraph keep the graph for another backward (default: createGraph).
   * @param options.createGraph record the backward pass for higher-order gradients.
   * @throws TorchError when this tensor does not require grad, or is not scalar and no gradient is given.
   */
  backward(gradient?: Tensor, options: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    native.backward([this.id], gradient === undefined ? null : [gradient.id], options.retainGraph, options.createGraph ?? false);
  }

  /** A copy of the elements in a flat TypedArray of this dtype (float16/bfloat16 as raw Uint16 bits). */
  dataSync(): TypedArray {
    const ArrayClass = typedArrayClass(this.dtype);
    return new ArrayClass(native.toBuffer(this.id));
  }

  /** The elements as plain numbers (booleans for bool), flat, in row-major order. */
  toFlatArray(): number[] | boolean[] {
    const dtype = this.dtype;
    if (dtype === 'float16' || dtype === 'bfloat16') {
      const asFloat = new Tensor(castToFloat32Id(this.id));
      try {
        return asFloat.toFlatArray();
      } finally {
        asFloat.dispose();
      }
    }
    const data = this.dataSync();
    if (dtype === 'bool') return Array.from(data as Uint8Array, (v) => v !== 0);
    if (data instanceof BigInt64Array) return Array.from(data, (v) => Number(v));
    return Array.from(data as Exclude<TypedArray, BigInt64Array>);
  }

  /** The elements as nested arrays of this shape (a number or boolean for a 0-d tensor). */
  toArray(): NestedArray {
    return nest(this.toFlatArray(), this.shape);
  }

  /** The value of a one-element tensor as a number (boolean for bool). */
  item(): number | boolean {
    const n = this.numel;
    if (n !== 1) throw new ShapeError(`item() needs a tensor with one element, got shape [${this.shape.join(', ')}]`);
    return this.toFlatArray()[0] as number | boolean;
  }

  toString(): string {
    if (this.isDisposed) return 'Tensor(disposed)';
    return formatTensor(this);
  }
}

/** `flat` (row-major) as nested arrays of `shape`; a dimension of size 0 gives empty arrays at its level. */
function nest(flat: readonly (number | boolean)[], shape: readonly number[]): NestedArray {
  if (shape.length === 0) return flat[0] as number | boolean;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const build = (d: number, offset: number): NestedArray[] => {
    const size = shape[d] as number;
    if (d === shape.length - 1) return flat.slice(offset, offset + size) as NestedArray[];
    return Array.from({ length: size }, (_, i) => build(d + 1, offset + i * (strides[d] as number)));
  };
  return build(0, 0);
}
