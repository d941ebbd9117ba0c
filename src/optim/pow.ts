/**
 * x^n for a non-negative integer n, correctly rounded — as C's pow() (glibc), which PyTorch's Python
 * optimizers use for `beta ** step`. V8's Math.pow is not correctly rounded (0.9 ** 4 gives
 * 0.6561000000000001, glibc 0.6561), and a one-ulp difference in a bias correction would break
 * bit-for-bit parity with torch in float64. Computed in double-double arithmetic (≈106 bits) by
 * repeated squaring, then rounded once.
 */
import { ConfigError } from '../errors.js';

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp splitting of a double into two 26-bit halves)

/** hi + lo = a·b exactly (Dekker's two-product). */
function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

/** The product of two double-double numbers, renormalised. */
function ddMul(xh: number, xl: number, yh: number, yl: number): [number, number] {
  const [p, e] = twoProduct(xh, yh);
  const err = e + (xh * yl + xl * yh);
  const hi = p + err;
  return [hi, err - (hi - p)];
}

/**
 * base^n, correctly rounded for |base| < 1e150 (beyond it the splitting could overflow).
 * @param base any finite double (optimizers pass β ∈ [0, 1)).
 * @param n an integer ≥ 0 (an optimizer step count).
 */
export function powInt(base: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`powInt needs an integer exponent ≥ 0, got ${n}`);
  if (!Number.isFinite(base) || Math.abs(base) >= 1e150) return Math.pow(base, n);
  let [rh, rl] = [1, 0];
  let [bh, bl] = [base, 0];
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) [rh, rl] = ddMul(rh, rl, bh, bl);
    if (k > 1) [bh, bl] = ddMul(bh, bl, bh, bl);
  }
  return rh + rl;
}
