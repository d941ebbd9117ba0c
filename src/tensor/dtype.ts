/**
 * Data types, by PyTorch's names, and their c10::ScalarType codes (stable across libtorch 1.x/2.x).
 */
import { ConfigError } from '../errors.js';

export type DType = 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'float16' | 'float32' | 'float64' | 'bool' | 'bfloat16';

/** c10::ScalarType enumerator values. */
export const SCALAR_TYPE: Readonly<Record<DType, number>> = {
  uint8: 0,
  int8: 1,
  int16: 2,
  int32: 3,
  int64: 4,
  float16: 5,
  float32: 6,
  float64: 7,
  bool: 11,
  bfloat16: 15,
};

const BY_CODE = new Map<number, DType>(Object.entries(SCALAR_TYPE).map(([k, v]) => [v, k as DType]));

/** The DType of a c10::ScalarType code; throws ConfigError for types this API does not expose. */
export function dtypeFromCode(code: number): DType {
  const d = BY_CODE.get(code);
  if (d === undefined)
    throw new ConfigError(`libtorch scalar type ${code} has no multitask-lm dtype (supported: ${Object.keys(SCALAR_TYPE).join(', ')})`);
  return d;
}

/** The code of a dtype name; throws ConfigError naming the valid names. */
export function dtypeCode(dtype: DType): number {
  const code = SCALAR_TYPE[dtype];
  if (code === undefined) throw new ConfigError(`unknown dtype '${String(dtype)}'; expected one of ${Object.keys(SCALAR_TYPE).join(', ')}`);
  return code;
}

export type TypedArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | BigInt64Array;

/** The TypedArray class that holds a dtype's raw elements (float16/bfloat16 as raw Uint16 bits). */
export function typedArrayClass(dtype: DType) {
  switch (dtype) {
    case 'float32':
      return Float32Array;
    case 'float64':
      return Float64Array;
    case 'int64':
      return BigInt64Array;
    case 'int32':
      return Int32Array;
    case 'int16':
      return Int16Array;
    case 'int8':
      return Int8Array;
    case 'uint8':
    case 'bool':
      return Uint8Array;
    case 'float16':
    case 'bfloat16':
      return Uint16Array;
  }
}

/** The dtype that a TypedArray's elements have. */
export function dtypeOfTypedArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  throw new ConfigError('a Uint16Array is ambiguous (float16 or bfloat16 bits): pass { dtype } explicitly');
}

export const isFloating = (d: DType): boolean => d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
