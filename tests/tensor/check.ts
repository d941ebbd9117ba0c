/**
 * Shared checks for the tensor tests: fixture tensors from tests/fixtures/ops.json (made by
 * scripts/fixtures/ops.py), dtype-and-value comparison, and tests that must leave no tensor alive.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { liveTensorCount, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';

export type { TensorFixture };

/** One group of tests/fixtures/ops.json ('creation', 'shape', 'math', …). */
export function opsFixture<T>(group: string): T {
  return loadFixture<Record<string, T>>('ops')[group] as T;
}

/** A Tensor holding a fixture (an alias of fromFixture, short for test tables). */
export const fx = (f: TensorFixture): Tensor => fromFixture(f);

/** Asserts `actual` has the fixture's dtype, shape and values (within tolerance). */
export function expectTensor(actual: Tensor, expected: TensorFixture, options: { rtol?: number; atol?: number; what?: string } = {}): void {
  assert.equal(actual.dtype, expected.dtype, `${options.what ?? 'tensor'}: dtype`);
  assertClose(actual, expected, options);
}

/** A test whose body runs inside tidy() and must return the live-tensor count to where it was. */
export function tidyTest(name: string, fn: () => void): void {
  test(name, () => {
    const baseline = liveTensorCount();
    tidy(fn);
    assert.equal(liveTensorCount(), baseline, `${name}: tensors leaked`);
  });
}

/** Registers file-level hooks asserting that the whole file leaves no tensor alive. */
export function checkLiveTensorsAfterFile(): void {
  let baseline = 0;
  before(() => {
    baseline = liveTensorCount();
  });
  after(() => {
    assert.equal(liveTensorCount(), baseline, 'tensors leaked by this test file');
  });
}
