/**
 * Linear layers on few rows — what decoding runs at every step (one row at batch 1, a few at larger
 * batches and with beams) — routed to the BLAS call that reads the weights fastest. With Debian's
 * OpenBLAS 0.3.21 (the BLAS behind its libtorch), `aten::linear`'s one gemm packs the whole weight
 * matrix whatever the number of rows, and one orientation of it packs faster than the other:
 * - one row: a matrix-vector product (gemv, `aten::addmv`) instead of gemm with one column —
 *   2.6–4× faster on GPT-2's weights; the same sums in another order (float32 differences ~1e-6 relative);
 * - 2 … 32 rows of a weight stored (in, out) (GPT-2's Conv1D): (Wᵀ·xᵀ)ᵀ, the weight as gemm's other
 *   operand — bit-identical to x·W, 1.2–1.5× faster on GPT-2's shapes. Weights stored (out, in)
 *   (`Linear`) are already in the faster orientation.
 * Measured with bench/generate/one-row.ts and docs/benchmarks.md ("Batch-1 and few-row products").
 * Only float32/float64 on the CPU outside autocast; anything else goes to `aten::linear` unchanged.
 */
import { isAutocast } from '../autocast.js';
import { isGradEnabled } from '../autograd.js';
import { defineOp } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { run } from './run.js';
import { contiguous, reshape, transpose, unsqueeze, view } from './shape.js';

const LINEAR = defineOp('aten::linear');
const ADDMV = defineOp('aten::addmv');
const MV = defineOp('aten::mv');
const ADDMM = defineOp('aten::addmm');
const MM = defineOp('aten::mm');

/** Rows up to which a weight stored (in, out) is multiplied as (Wᵀ·xᵀ)ᵀ (decoding batches, beams). */
const FEW_ROWS = 32;

let routed = true;

/**
 * Turns the routing of ./linalg.ts's `linear` and `linearInOut` on (the default) or off (every call
 * through `aten::linear`), for comparing the two (tests, bench/generate/one-row.ts). Process-wide.
 * @returns the previous setting.
 */
export function setFewRowRouting(on: boolean): boolean {
  const was = routed;
  routed = on;
  return was;
}

/** The rows of input (…, in) when the routing applies to it and `weight` (2-D, float32/float64, CPU, no autocast); else 0. */
function routedRows(input: Tensor, weight: Tensor): number {
  if (!routed) return 0;
  const s = input.shape;
  if (s.length === 0 || weight.ndim !== 2) return 0;
  let rows = 1;
  for (let i = 0; i < s.length - 1; i++) rows *= s[i] as number;
  if (rows === 0) return 0;
  const dtype = input.dtype;
  if ((dtype !== 'float32' && dtype !== 'float64') || weight.dtype !== dtype) return 0;
  return input.device === 'cpu' && weight.device === 'cpu' && !isAutocast('cpu') ? rows : 0;
}

/** input (…, in) · weightᵀ + bias → (…, out), with weight (out, in): gemv for one row, else aten::linear. */
export function linearRows(input: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  if (routedRows(input, weight) !== 1) return run(LINEAR, input.id, weight.id, bias?.id ?? null);
  const s = input.shape;
  const row = reshape(input, [s[s.length - 1] as number]); // (in)
  try {
    const y = bias === undefined ? run(MV, weight.id, row.id) : run(ADDMV, bias.id, weight.id, row.id, 1, 1); // (out)
    return s.length === 1 ? y : reshapeOwned(y, [...s.slice(0, -1), weight.shape[0] as number]);
  } finally {
    row.dispose();
  }
}

/**
 * input (…, in) · weight + bias → (…, out), with weight stored (in, out) (GPT-2's Conv1D): one row by
 * gemv; 2 … 32 rows without autograd as addmm(bias as a column, weightᵀ, xᵀ)ᵀ; else aten::linear on
 * the transposed view.
 */
export function linearInOutRows(input: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const weightT = transpose(weight, 0, 1); // (out, in) view
  try {
    const rows = routedRows(input, weight);
    if (rows < 2 || rows > FEW_ROWS || isGradEnabled()) return linearRows(input, weightT, bias);
    const s = input.shape;
    const x = reshape(input, [rows, s[s.length - 1] as number]); // (rows, in)
    const xT = transpose(x, 0, 1); // (in, rows)
    const column = bias === undefined ? undefined : unsqueeze(bias, 1); // (out, 1)
    try {
      const yT = column === undefined ? run(MM, weightT.id, xT.id) : run(ADDMM, column.id, weightT.id, xT.id, 1, 1); // (out, rows)
      return reshapeOwned(transposeOwned(yT), [...s.slice(0, -1), weight.shape[1] as number]);
    } finally {
      for (const t of [x, xT, column]) t?.dispose();
    }
  } finally {
    weightT.dispose();
  }
}

/** (a, b) → contiguous (b, a), `t` freed. */
function transposeOwned(t: Tensor): Tensor {
  const v = transpose(t, 0, 1);
  try {
    return contiguous(v);
  } finally {
    v.dispose();
    t.dispose();
  }
}

/** `t` viewed as `shape`, `t`'s handle freed (the view keeps the data). */
function reshapeOwned(t: Tensor, shape: number[]): Tensor {
  try {
    return view(t, shape);
  } finally {
    t.dispose();
  }
}
