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

interface RunSpec {
  seed?: number;
  wallSeconds?: number;
  /** undefined: the default 3; null: absent (a record written before CPU time was measured). */
  cpuSeconds?: number | null;
  steps?: number;
  parameters?: number;
  passes?: number;
  examples?: Record<string, number>;
}
const run = (name: string, tasks: Record<string, number>, spec: RunSpec = {}): CompareRun => ({
  name,
  description: '',
  seed: spec.seed ?? 42,
  tasks: Object.fromEntries(Object.entries(tasks).map(([t, value]) => [t, { metric: 'accuracy', value, greaterIsBetter: true }])),
  wallSeconds: spec.wallSeconds ?? 10,
  ...(spec.cpuSeconds === null ? {} : { cpuSeconds: spec.cpuSeconds ?? 3 }),
  trainSeconds: (spec.wallSeconds ?? 10) / 2,
  steps: spec.steps ?? 10,
  bestStep: spec.steps ?? 10,
  status: 'completed',
  examplesPerTask: spec.examples ?? Object.fromEntries(Object.keys(tasks).map((t) => [t, 320])),
  parameters: spec.parameters ?? 100,
  trainableParameters: spec.parameters ?? 100,
  encoderPasses: spec.passes ?? 1,
});

describe('compare table, one seed', () => {
  it('one baseline row from the single-task runs; Δ, average, cost per strategy', () => {
    const singles = [
      run('single-a', { a: 0.8 }, { wallSeconds: 10, cpuSeconds: 4 }),
      run('single-b', { b: 0.5 }, { wallSeconds: 20, cpuSeconds: 7.4 }),
    ];
    const table = compareTable(['a', 'b'], singles, [
      run('equal', { a: 0.88, b: 0.45 }, { wallSeconds: 15, cpuSeconds: 6, parameters: 120 }),
    ]);
    assert.deepEqual(
      table.rows.map((r) => r.name),
      ['single-task', 'equal'],
    );
    const [single, equal] = table.rows;
    assert.deepEqual(
      Object.values(single!.values).map((v) => v?.mean),
      [0.8, 0.5],
    );
    assert.equal(single!.delta!.mean, 0);
    assert.equal(single!.cost.wallSeconds.mean, 30);
    close(single!.cost.cpuSeconds!.mean, 11.4, 'CPU seconds summed over the models');
    assert.equal(single!.cost.parameters, 200);
    assert.equal(single!.cost.encoderPasses, 2, 'two models: two encoder passes per request');
    assert.equal(single!.cost.models, 2);
    assert.equal(single!.cost.steps.mean, 20, 'steps summed over the models');
    close(equal!.delta!.mean, (10 + -10) / 2, 'Δ of +10 % and −10 %');
    assert.equal(equal!.delta!.std, null, 'one seed: no spread');
    close(equal!.average.mean, 0.665, 'average');
    assert.equal(equal!.cost.encoderPasses, 1);
    const md = compareMarkdown(table);
    assert.match(md, /^\| strategy \| a accuracy \| b accuracy \| average \| Δ vs single-task \(%\) \|$/m);
    assert.match(md, /^\| equal \| 88\.00 \| 45\.00 \| 66\.50 \| \+0\.00 \|$/m);
    assert.match(
      md,
      /^\| strategy \| models \| steps \| examples per task \| wall time \(s\) \| CPU time \(s\) \| parameters \| trainable parameters \| encoder passes per request \|$/m,
    );
    assert.match(md, /^\| single-task \| 2 \| 20 \| a 320; b 320 \| 30 \| 11 \| 200 \| 200 \| 2 \|$/m);
    assert.match(md, /^\| equal \| 1 \| 10 \| a 320; b 320 \| 15 \| 6 \| 120 \| 120 \| 1 \|$/m);
    assert.doesNotMatch(md, /95 % CI/, 'no intervals from one seed');
  });

  it('a helper task without test metrics shows only in the cost table', () => {
    const helper = run('joint', { a: 0.7 }, { examples: { a: 320, h: 330 } });
    const table = compareTable(['a', 'h'], [run('single-a', { a: 0.6 })], [helper]);
    assert.deepEqual(table.tasks, [
      { name: 'a', metric: 'accuracy' },
      { name: 'h', metric: null },
    ]);
    const md = compareMarkdown(table);
    assert.match(md, /^\| strategy \| a accuracy \| average \| Δ vs single-task \(%\) \|$/m);
    assert.match(md, /^\| joint \| 1 \| 10 \| a 320; h 330 \| 10 \| 3 \| 100 \| 100 \| 1 \|$/m);
  });

  it("CPU time is left empty when a run's record lacks it (written before it was measured)", () => {
    const table = compareTable(['a'], [run('single-a', { a: 0.6 }, { cpuSeconds: null })], [run('x', { a: 0.5 }, { cpuSeconds: 2 })]);
    assert.equal(table.rows[0]!.cost.cpuSeconds, null);
    assert.equal(table.rows[1]!.cost.cpuSeconds!.mean, 2);
    const md = compareMarkdown(table);
    assert.match(md, /^\| single-task \| 1 \| 10 \| a 320 \| 10 \| — \| 100 \| 100 \| 1 \|$/m);
  });

  it('a task whose baseline is 0 is left out of Δ (which divides by it) and keeps its difference in points', () => {
    // a: +10 % over 0.8; b's baseline is 0 (e.g. an entity F1 that found nothing)
    const table = compareTable(['a', 'b'], [run('single-a', { a: 0.8 }), run('single-b', { b: 0 })], [run('equal', { a: 0.88, b: 0.1 })]);
    assert.deepEqual(table.baselineTasks, ['a', 'b']);
    assert.deepEqual(table.gainTasks, ['a']);
    const equal = table.rows[1]!;
    close(equal.delta!.mean, 10, 'Δ over a alone');
    close(equal.differences.b!.mean, 0.1, 'b − single-task');
    const md = compareMarkdown(table);
    assert.match(md, /^Δ is over a: the single-task b is 0 \(or not finite\) in a seed, and Δ divides by the baseline/m);
    const none = compareTable(['b'], [run('single-b', { b: 0 })], [run('equal', { b: 0.1 })]);
    assert.deepEqual(none.gainTasks, []);
    assert.equal(none.rows[1]!.delta, null, 'no task to average over');
    assert.match(compareMarkdown(none), /^Δ is over no task: /m);
  });

  it('without baselines Δ is left empty', () => {
    const table = compareTable(['a'], [], [run('x', { a: 0.5 })]);
    assert.equal(table.rows[0]!.delta, null);
    assert.match(compareMarkdown(table), /\| x \| 50\.00 \| 50\.00 \| — \|/);
  });
});

describe('compare table over seeds', () => {
  // Three seeds; baselines for task a only. Hand-computed: equal's a = 0.82, 0.84, 0.86 (mean 0.84,
  // std 0.02); single a = 0.80, 0.80, 0.83 → paired differences 0.02, 0.04, 0.03 (mean 0.03, std 0.01,
  // CI 0.03 ± t(0.975, 2)·0.01/√3); Δ per seed 2.5, 5, 3.6144578… %.
  const t2 = 4.302652729911275;
  const seeds = [1, 2, 3];
  const singleA = [0.8, 0.8, 0.83];
  const equalA = [0.82, 0.84, 0.86];
  const equalB = [0.5, 0.6, 0.7];
  const singles = seeds.map((seed, i) => run('single-a', { a: singleA[i]! }, { seed, steps: 10 + i, wallSeconds: 5 }));
  const strategies = seeds.map((seed, i) =>
    run(
      'equal',
      { a: equalA[i]!, b: equalB[i]! },
      { seed, steps: 20 + 2 * i, wallSeconds: 9, cpuSeconds: 4 + 2 * i, examples: { a: 640 + i, b: 640 } },
    ),
  );
  const table = compareTable(['a', 'b'], singles, strategies);
  const [single, equal] = table.rows;

  it('mean ± sample std and the Student-t 95 % CI per task and arm', () => {
    assert.deepEqual(table.seeds, seeds);
    assert.deepEqual(table.baselineTasks, ['a']);
    const a = equal!.values.a!;
    close(a.mean, 0.84, 'mean');
    close(a.std!, 0.02, 'std');
    close(a.ci95![0], 0.84 - (t2 * 0.02) / Math.sqrt(3), 'CI low');
    close(a.ci95![1], 0.84 + (t2 * 0.02) / Math.sqrt(3), 'CI high');
    assert.deepEqual(a.values, equalA);
    close(equal!.average.mean, (0.66 + 0.72 + 0.78) / 3, 'average of the per-seed averages');
    assert.equal(single!.values.b, null, 'b has no baseline');
  });

  it('Δ and the per-task difference pair each seed with its own baseline', () => {
    const d = equal!.differences.a!;
    close(d.mean, 0.03, 'paired mean');
    close(d.std!, 0.01, 'paired std');
    close(d.ci95![1], 0.03 + (t2 * 0.01) / Math.sqrt(3), 'paired CI high');
    assert.equal(equal!.differences.b, null);
    const deltas = [2.5, 5, (100 * 0.03) / 0.83];
    deltas.forEach((v, i) => close(equal!.delta!.values[i]!, v, `Δ seed ${seeds[i]}`));
    close(equal!.delta!.mean, (2.5 + 5 + (100 * 0.03) / 0.83) / 3, 'Δ mean');
  });

  it('cost per arm over seeds: steps, examples per task, wall and CPU time, parameters, passes', () => {
    assert.deepEqual(equal!.cost.steps.values, [20, 22, 24]);
    assert.deepEqual(equal!.cost.cpuSeconds!.values, [4, 6, 8]);
    assert.deepEqual(equal!.cost.examplesPerTask.a!.values, [640, 641, 642]);
    assert.equal(equal!.cost.examplesPerTask.b!.mean, 640);
    assert.deepEqual(single!.cost.steps.values, [10, 11, 12]);
    assert.equal(single!.cost.examplesPerTask.b, null);
  });

  it('Markdown: mean ± std, intervals and paired differences in points', () => {
    const md = compareMarkdown(table);
    assert.match(md, /^Seeds 1, 2, 3: mean ± sample std/m);
    assert.match(md, /^\| equal \| 84\.00 ± 2\.00 \| 60\.00 ± 10\.00 \| 72\.00 ± 6\.00 \| \+3\.70 ± 1\.25 \|$/m);
    const low = (100 * (0.84 - (t2 * 0.02) / Math.sqrt(3))).toFixed(2);
    const high = (100 * (0.84 + (t2 * 0.02) / Math.sqrt(3))).toFixed(2);
    const dLow = (100 * (0.03 - (t2 * 0.01) / Math.sqrt(3))).toFixed(2);
    const dHigh = (100 * (0.03 + (t2 * 0.01) / Math.sqrt(3))).toFixed(2);
    assert.match(md, /^\| strategy \| a 95 % CI \| b 95 % CI \| a − single-task \(points\) \| Δ 95 % CI \|$/m);
    assert.ok(md.includes(`| equal | [${low}, ${high}] |`), md);
    assert.ok(md.includes(`| +3.00 ± 1.00 [+${dLow}, +${dHigh}] |`), md);
    assert.match(md, /^\| equal \| 1 \| 22 ± 2 \| a 641 ± 1; b 640 ± 0 \| 9 ± 0 \| 6 ± 2 \| 100 \| 100 \| 1 \|$/m);
  });
});
