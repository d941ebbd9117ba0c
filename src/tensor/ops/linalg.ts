/**
 * Matrix products.
 */
import { defineOp } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { linearRows } from './linear-rows.js';
import { ids, run } from './run.js';

const MATMUL = defineOp('aten::matmul');
const MM = defineOp('aten::mm');
const BMM = defineOp('aten::bmm');
const EINSUM = defineOp('aten::einsum');
const BADDBMM = defineOp('aten::baddbmm');
const CDIST = defineOp('aten::cdist');

/** Matrix product with NumPy broadcasting of batch dimensions: (…, n, k) @ (…, k, m) → (…, n, m). */
export const matmul = (a: Tensor, b: Tensor): Tensor => run(MATMUL, a.id, b.id);
/** (n, k) @ (k, m) → (n, m). */
export const mm = (a: Tensor, b: Tensor): Tensor => run(MM, a.id, b.id);
/** (B, n, k) @ (B, k, m) → (B, n, m). */
export const bmm = (a: Tensor, b: Tensor): Tensor => run(BMM, a.id, b.id);
/**
 * input (…, in) · weightᵀ (out, in) + bias (out) → (…, out), as torch.nn.functional.linear. One row
 * without autograd (batch-1 decoding) runs as a matrix-vector product on the CPU (./linear-rows.ts).
 */
export const linear = (input: Tensor, weight: Tensor, bias?: Tensor): Tensor => linearRows(input, weight, bias);
/** Einstein summation, e.g. einsum('bhqd,bhkd->bhqk', q, k). */
export const einsum = (equation: string, ...operands: Tensor[]): Tensor => run(EINSUM, equation, ids(operands));
/**
 * beta·input + alpha·(b1 @ b2), batched: b1 (B, n, k), b2 (B, k, m), input broadcastable to (B, n, m)
 * → (B, n, m), as torch.baddbmm. One kernel for what would be bmm, mul and add.
 */
export const baddbmm = (input: Tensor, b1: Tensor, b2: Tensor, beta = 1, alpha = 1): Tensor =>
  run(BADDBMM, input.id, b1.id, b2.id, beta, alpha);

/**
 * p-norm distances between the rows of x1 (…, n, d) and x2 (…, m, d) → (…, n, m), as torch.cdist,
 * always computed from the differences (compute_mode 'donot_use_mm_for_euclid_dist'), never through the
 * ‖x‖² + ‖y‖² − 2⟨x, y⟩ expansion, which loses precision for near neighbours. Differentiable.
 */
export const cdist = (x1: Tensor, x2: Tensor, p = 2): Tensor => run(CDIST, x1.id, x2.id, p, 2);
