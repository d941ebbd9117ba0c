/**
 * Printing tensors in PyTorch's style: `tensor([[1.0000, 2.0000], …], dtype=float64)`.
 */
import type { Tensor } from './tensor.js';

const EDGE = 3; // items shown at each end of a long dimension
const SUMMARISE_ABOVE = 1000; // elements

function formatValue(v: number | boolean, floating: boolean): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (!floating) return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return Math.abs(v) >= 1e8 || (v !== 0 && Math.abs(v) < 1e-4) ? v.toExponential(4) : v.toFixed(4);
}

function render(flat: (number | boolean)[], shape: number[], offset: number, depth: number, summarise: boolean, floating: boolean): string {
  if (shape.length === 0) return formatValue(flat[offset] as number | boolean, floating);
  const [n, ...rest] = shape as [number, ...number[]];
  const stride = rest.reduce((a, b) => a * b, 1);
  const pick = summarise && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
  const sep = rest.length === 0 ? ', ' : `,${'\n'.repeat(rest.length)}${' '.repeat(depth + 8)}`;
  const parts = pick.map((i) => (i < 0 ? '...' : render(flat, rest, offset + i * stride, depth + 1, summarise, floating)));
  return `[${parts.join(sep)}]`;
}

/** The text PyTorch would print for `t` (values rounded to 4 decimals, long tensors summarised). */
export function formatTensor(t: Tensor): string {
  const shape = t.shape;
  const dtype = t.dtype;
  const flat = t.toFlatArray();
  const floating = dtype.startsWith('float') || dtype === 'bfloat16';
  const body = render(flat as (number | boolean)[], shape, 0, 0, flat.length > SUMMARISE_ABOVE, floating);
  const extras = [dtype === 'float32' || dtype === 'int64' || dtype === 'bool' ? '' : `dtype=${dtype}`, t.device === 'cpu' ? '' : `device='${t.device}'`, t.requiresGrad ? 'requires_grad=True' : '']
    .filter(Boolean)
    .join(', ');
  return `tensor(${body}${extras ? `, ${extras}` : ''})`;
}
