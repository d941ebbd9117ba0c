/**
 * Changing dtype and device.
 */
import { defineOp } from '../dispatch.js';
import { dtypeCode, type DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { run } from './run.js';

const TO_DTYPE = defineOp('aten::to', 'dtype');
const TO_DEVICE = defineOp('aten::to', 'device');

/** `t` as `dtype` (a new tensor; differentiable for floating types). */
export const cast = (t: Tensor, dtype: DType): Tensor => run(TO_DTYPE, t.id, dtypeCode(dtype), false, true);

/** A copy of `t` on `device` ('cpu', 'cuda', 'cuda:1'), optionally cast to `dtype`. */
export const toDevice = (t: Tensor, device: string, dtype: DType = t.dtype): Tensor =>
  run(TO_DEVICE, t.id, device, dtypeCode(dtype), false, true);
