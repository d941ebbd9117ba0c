/**
 * Operators the layers need that src/tensor/ops does not export yet (to move there once it does).
 */
import { defineOp } from '../tensor/dispatch.js';
import { run } from '../tensor/ops/run.js';
import type { Tensor } from '../tensor/index.js';

const BADDBMM = defineOp('aten::baddbmm');

/**
 * beta·input + alpha·(b1 @ b2), batched: b1 (B, n, k), b2 (B, k, m), input broadcastable to (B, n, m)
 * → (B, n, m), as torch.baddbmm. One kernel for what would be bmm, mul and add.
 */
export const baddbmm = (input: Tensor, b1: Tensor, b2: Tensor, beta = 1, alpha = 1): Tensor =>
  run(BADDBMM, input.id, b1.id, b2.id, beta, alpha);
