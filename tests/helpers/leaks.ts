/**
 * Leak checks for a test file: every test, and the file as a whole, must leave the live-tensor count
 * where it found it. Call once at the top level of a test file.
 */
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach } from 'node:test';
import { liveTensorCount } from '../../src/tensor/index.js';

export function checkNoLeaks(): void {
  const baseline = liveTensorCount();
  after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));
  let before = 0;
  beforeEach(() => (before = liveTensorCount()));
  afterEach((t) => assert.equal(liveTensorCount(), before, `${t.name}: leaves no tensor behind`));
}

/** Asserts |got − want| ≤ tol elementwise, lengths equal. */
export function assertCloseNumbers(got: readonly number[], want: readonly number[], tol: number, what = 'value'): void {
  assert.equal(got.length, want.length, `${what}: length`);
  want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) <= tol, `${what}[${i}]: got ${got[i]}, expected ${w} (tolerance ${tol})`));
}
