/**
 * Calls ATen operators through the binding by schema name. `defineOp(name, overload)` returns a
 * lazily resolved handle; `callOp` runs it. Failures arrive as TorchError already: native.ts
 * registers the error factory the binding uses when it loads.
 */
import { native, type NativeArg } from './native.js';
import { SCALAR_TYPE } from './dtype.js';

/** A resolved-on-first-use operator handle. */
export interface OpRef {
  readonly name: string;
  readonly overload: string;
  handle: number;
}

/** Declares an operator by its schema name and overload, e.g. `defineOp('aten::add', 'Tensor')`. */
export function defineOp(name: string, overload = ''): OpRef {
  return { name, overload, handle: -1 };
}

/** Runs `op` with arguments in schema order (undefined = the schema's default). */
export function callOp(op: OpRef, ...args: NativeArg[]): unknown {
  return invoke(op, args);
}

/** callOp with the arguments as one array (saves re-collecting them on the hot path). */
export function invoke(op: OpRef, args: NativeArg[]): unknown {
  if (op.handle < 0) op.handle = native.opHandle(op.name, op.overload);
  const h = op.handle;
  // Explicit arities for the common cases: a spread call costs more than the op itself here.
  switch (args.length) {
    case 1:
      return native.call(h, args[0]);
    case 2:
      return native.call(h, args[0], args[1]);
    case 3:
      return native.call(h, args[0], args[1], args[2]);
    case 4:
      return native.call(h, args[0], args[1], args[2], args[3]);
    default:
      return native.call(h, ...args);
  }
}

const TO_DTYPE = defineOp('aten::to', 'dtype');

/** A new binding id holding `id` cast to float32 (used to read float16/bfloat16 values). */
export function castToFloat32Id(id: number): number {
  return callOp(TO_DTYPE, id, SCALAR_TYPE.float32) as number;
}
