/**
 * Test helpers: load fixtures made by scripts/fixtures/*.py (Python torch) and compare numbers.
 */
import assert from 'node:assert/strict';
import { decodeFinite, loadFixture } from './load-fixture.js';
import { tensor, type DType, type Tensor } from '../../src/tensor/index.js';

/** A tensor as written by scripts/fixtures/common.py. */
export interface TensorFixture {
  dtype: string;
  shape: number[];
  /** Non-finite values come as "nan", "inf", "-inf" (JSON has none); read them with `values()`. */
  data: (number | boolean | string)[];
}

/** A fixture's data with "nan"/"inf"/"-inf" turned back into numbers. */
export function values(f: TensorFixture): (number | boolean)[] {
  return f.data.map((v) => decodeFinite(v) as number | boolean);
}

export { loadFixture };

/** A Tensor holding a fixture's values (its own dtype unless `dtype` is given). */
export function fromFixture(f: TensorFixture, dtype?: DType): Tensor {
  const flat = tensor(values(f) as number[], { dtype: dtype ?? (f.dtype as DType) });
  try {
    return flat.reshape(f.shape);
  } finally {
    flat.dispose();
  }
}

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise, shapes equal (NaN matches NaN,
 * an infinity matches the same infinity).
 */
export function assertClose(actual: Tensor, expected: TensorFixture, options: { rtol?: number; atol?: number; what?: string } = {}): void {
  const { rtol = 1e-5, atol = 1e-6, what = 'tensor' } = options;
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const got = actual.toFlatArray();
  values(expected).forEach((e, i) => {
    const g = got[i];
    if (typeof e === 'boolean' || typeof g === 'boolean') {
      assert.equal(g, e, `${what}[${i}]`);
      return;
    }
    if (Number.isNaN(e) && Number.isNaN(g)) return;
    if (g === e) return; // equal infinities (whose difference is NaN) included
    const tol = atol + rtol * Math.abs(e);
    assert.ok(Math.abs((g as number) - e) <= tol, `${what}[${i}]: got ${g}, expected ${e} (tolerance ${tol})`);
  });
}
