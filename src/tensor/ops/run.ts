/**
 * Helpers that run an operator and wrap what it returns as Tensors. Every op file builds on these.
 */
import { callOp, invoke, type OpRef } from '../dispatch.js';
import type { NativeArg } from '../native.js';
import { Tensor } from '../tensor.js';

/** A tensor, or a number/boolean used as a scalar operand. */
export type TensorLike = Tensor | number | boolean;

/** Runs an operator that returns one new tensor. */
export function run(op: OpRef, ...args: NativeArg[]): Tensor {
  return new Tensor(invoke(op, args) as number);
}

/** Runs an operator that returns a tuple or list of tensors. */
export function runMany(op: OpRef, ...args: NativeArg[]): Tensor[] {
  return (invoke(op, args) as number[]).map((id) => new Tensor(id));
}

/** Runs an in-place operator on `self` (its first argument) and returns `self`. */
export function runInPlace<T extends Tensor>(self: T, op: OpRef, ...args: NativeArg[]): T {
  callOp(op, self.id, ...args);
  return self;
}

/** Runs the Tensor or the Scalar overload of a binary operator depending on `other`. */
export function runBinary(tensorOp: OpRef, scalarOp: OpRef, self: Tensor, other: TensorLike, extra?: number | string): Tensor {
  // Hot path (every elementwise op): build the argument array once, no rest/spread copies.
  const isTensor = other instanceof Tensor;
  const args: NativeArg[] = [self.id, isTensor ? other.id : other];
  if (extra !== undefined) args.push(extra);
  return new Tensor(invoke(isTensor ? tensorOp : scalarOp, args) as number);
}

/** Ids of a list of tensors. */
export const ids = (tensors: readonly Tensor[]): number[] => tensors.map((t) => t.id);
