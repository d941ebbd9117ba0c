import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareMarkdown, compareTable, type CompareRun } from '../../src/experiments/compare-table.js';
import { multiTaskGain } from '../../src/experiments/mtl-gain.js';

const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) < 1e-9, `${what}: ${got} vs ${want}`);

describe('multi-task gain Δ (Maninis et al. 2019)', () => {
  it('is the mean signed relative improvement in percent (hand-computed)', () => {
    // +12.5 % on a, and 2.0 vs 2.5 where lower is better: +20 %
    close(
      multiTaskGain([
        { task: 'a', value: 0.9, baseline: 0.8, greaterIsBetter: true },
        { task: 'b', value: 2.0, baseline: 2.5, greaterIsBetter: false },
      ]),
      16.25,
      'Δ',
    );
    close(multiTaskGain([{ task: 'a', value: 0.5, baseline: 0.5, greaterIsBetter: true }]), 0, 'equal to the baseline');
    close(multiTaskGain([{ task: 'a', value: 0.6, baseline: 0.8, greaterIsBetter: true }]), -25, 'a loss');
  });

  it('rejects no tasks and a zero baseline', () => {
    assert.throws(() => multiTaskGain([]), /at least one task/);
    assert.throws(
      () => multiTaskGain([{ task: 'a', value: 1, baseline: 0, greaterIsBetter: true }]),
      /task 'a'.*must be finite and non-zero/,
    );
  });
});

const run = (name: string, tasks: Record<string, number>, wallSeconds: number, trainableParameters: number): CompareRun => ({
  name,
  description: '',
  tasks: Object.fromEntries(Object.entries(tasks).map(([t, value]) => [t, { metric: 'accuracy', value, greaterIsBetter: true }])),
  wallSeconds,
  trainSeconds: wallSeconds / 2,
  steps: 10,
  parameters: trainableParameters,
  trainableParameters,
});

describe('compare table', () => {
  it('one baseline row from the single-task runs; Δ, average, time and parameters per strategy', () => {
    const singles = [run('single-a', { a: 0.8 }, 10, 100), run('single-b', { b: 0.5 }, 20, 100)];
    const table = compareTable(['a', 'b'], singles, [run('equal', { a: 0.88, b: 0.45 }, 15, 120)]);
    assert.deepEqual(
      table.rows.map((r) => r.name),
      ['single-task', 'equal'],
    );
    const [single, equal] = table.rows;
    assert.deepEqual(single!.values, { a: 0.8, b: 0.5 });
    assert.equal(single!.delta, 0);
    assert.equal(single!.wallSeconds, 30);
    assert.equal(single!.trainableParameters, 200);
    close(equal!.delta!, (10 + -10) / 2, 'Δ of +10 % and −10 %');
    close(equal!.average, 0.665, 'average');
    const md = compareMarkdown(table);
    assert.match(
      md,
      /^\| strategy \| a accuracy \| b accuracy \| average \| Δ vs single-task \(%\) \| wall time \(s\) \| trainable parameters \|$/m,
    );
    assert.match(md, /^\| equal \| 88\.00 \| 45\.00 \| 66\.50 \| \+0\.00 \| 15 \| 120 \|$/m);
  });

  it('without baselines Δ is left empty', () => {
    const table = compareTable(['a'], [], [run('x', { a: 0.5 }, 1, 1)]);
    assert.equal(table.rows[0]!.delta, null);
    assert.match(compareMarkdown(table), /\| x \| 50\.00 \| 50\.00 \| — \|/);
  });
});
