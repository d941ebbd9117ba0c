/** Summaries over seeds (src/experiments/seed-stats.ts) against scipy (scripts/fixtures/seed_stats.py) and hand-computed cases. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pairedDifference, studentTQuantile, summarize } from '../../src/experiments/seed-stats.js';

interface Summary {
  values: number[];
  mean: number;
  std: number;
  ci95: [number, number];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/seed_stats.json', import.meta.url), 'utf8')) as {
  cases: { quantiles: { p: number; dof: number; q: number }[]; summaries: Summary[]; paired: Summary & { a: number[]; b: number[] } };
};
const { quantiles, summaries, paired } = fixture.cases;
const close = (got: number, want: number, what: string, rel = 1e-9) =>
  assert.ok(Math.abs(got - want) <= rel * Math.max(1, Math.abs(want)), `${what}: ${got} vs ${want}`);

function sameSummary(got: ReturnType<typeof summarize>, want: Summary, what: string): void {
  assert.equal(got.n, want.values.length, `${what}: n`);
  close(got.mean, want.mean, `${what}: mean`);
  close(got.std!, want.std, `${what}: std`);
  close(got.ci95![0], want.ci95[0], `${what}: CI low`);
  close(got.ci95![1], want.ci95[1], `${what}: CI high`);
}

describe('summaries over seeds', () => {
  it("Student t's 0.975 quantile is scipy.stats.t.ppf's, 1 to 30, 60 and 120 degrees of freedom", () => {
    assert.equal(quantiles.length, 32);
    for (const { p, dof, q } of quantiles) close(studentTQuantile(p, dof), q, `t(${p}, ${dof})`);
  });

  it('mean, sample std and the 95 % CI of the mean are scipy’s, 2 to 10 seeds', () => {
    assert.equal(summaries.length, 5);
    for (const [i, want] of summaries.entries()) sameSummary(summarize(want.values), want, `case ${i}`);
  });

  it('a hand-checked case: 1, 2, 3 → mean 2, std 1, CI 2 ± 4.302653 / √3', () => {
    const s = summarize([1, 2, 3]);
    assert.equal(s.mean, 2);
    assert.equal(s.std, 1);
    close(s.ci95![0], 2 - 4.302652729911275 / Math.sqrt(3), 'low', 1e-9);
    close(s.ci95![1], 2 + 4.302652729911275 / Math.sqrt(3), 'high', 1e-9);
    assert.deepEqual(s.values, [1, 2, 3]);
  });

  it('one seed has a mean and no spread', () => {
    assert.deepEqual(summarize([0.5]), { n: 1, mean: 0.5, std: null, ci95: null, values: [0.5] });
  });

  it('the paired difference is the summary of a_i − b_i (scipy)', () => {
    const d = pairedDifference(paired.a, paired.b);
    sameSummary(d, paired, 'paired');
  });

  it('refuses no values, non-finite values and unpaired lists', () => {
    assert.throws(() => summarize([]), /at least one value/);
    assert.throws(() => summarize([1, Number.NaN]), /finite values, got NaN/);
    assert.throws(() => pairedDifference([1, 2], [1]), /one value per seed on each side, got 2 and 1/);
  });
});
