/**
 * A linear layer on one row — what batch-1 decoding runs at every step — as a matrix-vector product.
 * `aten::linear` reaches BLAS gemm, and Debian's OpenBLAS 0.3.21 (the BLAS behind its libtorch) packs
 * the whole weight matrix in every gemm call, one column or many: at one row it read GPT-2's weights at
 * ~3.9 GB/s where gemv (`aten::addmv`) reads them at ~10.5 GB/s, near this machine's ~12 GB/s of one
 * core (docs/benchmarks.md, "Batch-1 decoding by gemv"). The same sums in another order: float32
 * results differ from gemm's by ~1e-7 relative.
 * Taken only without autograd (inference: training keeps aten::linear's arithmetic bit for bit), for
 * float32/float64 on the CPU outside autocast; anything else is `aten::linear` unchanged.
 */
import { isAutocast } from '../autocast.js';
import { isGradEnabled } from '../autograd.js';
import { defineOp } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { run } from './run.js';
import { reshape, view } from './shape.js';

const LINEAR = defineOp('aten::linear');
const ADDMV = defineOp('aten::addmv');
const MV = defineOp('aten::mv');

let gemvOn = true;

/**
 * Turns the gemv path of ./linalg.ts's `linear` on (the default) or off (every call through
 * `aten::linear`), for comparing the two (tests, bench/generate/one-row.ts). Process-wide.
 * @returns the previous setting.
 */
export function setOneRowGemv(on: boolean): boolean {
  const was = gemvOn;
  gemvOn = on;
  return was;
}

/** Whether input (…, in) is one row (every leading size 1) that the gemv path takes with `weight`. */
function takesGemv(input: Tensor, weight: Tensor): boolean {
  if (!gemvOn || isGradEnabled()) return false;
  const s = input.shape;
  if (s.length === 0 || weight.ndim !== 2) return false;
  for (let i = 0; i < s.length - 1; i++) if (s[i] !== 1) return false;
  const dtype = input.dtype;
  if ((dtype !== 'float32' && dtype !== 'float64') || weight.dtype !== dtype) return false;
  return input.device === 'cpu' && weight.device === 'cpu' && !isAutocast('cpu');
}

/**
 * input (…, in) · weightᵀ + bias → (…, out), weight (out, in) (a view of any strides: GPT-2's Conv1D
 * passes its (in, out) weight transposed): bias + weight·row by gemv for one row without autograd,
 * else `aten::linear`.
 */
export function linearRows(input: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  if (!takesGemv(input, weight)) return run(LINEAR, input.id, weight.id, bias?.id ?? null);
  const s = input.shape;
  const row = reshape(input, [s[s.length - 1] as number]); // (in)
  try {
    const y = bias === undefined ? run(MV, weight.id, row.id) : run(ADDMV, bias.id, weight.id, row.id, 1, 1); // (out)
    if (s.length === 1) return y;
    try {
      return view(y, [...s.slice(0, -1), weight.shape[0] as number]); // (…1, out)
    } finally {
      y.dispose();
    }
  } finally {
    row.dispose();
  }
}
