/**
 * The distributed overlap benchmark's table (bench/distributed/overlap.ts): each arm's ratios are taken
 * against its own baseline arm in the same round (`versus`), and the worker's bucket argument of each arm.
 * Hand-made runs; no process is started.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bucketMode,
  LAST_BUCKET_ARMS,
  overlapHeader,
  overlapRows,
  runRounds,
  type ArmRun,
  type OverlapArm,
} from '../../bench/distributed/overlap.js';

/** A run whose every time is `s` seconds (CPU `cpu`), waiting `wait` seconds a step. */
const run = (s: number, cpu: number, wait = 0.1): ArmRun => ({
  secondsPerStep: s,
  tokensPerSecond: 1000 / s,
  waitPerStep: wait,
  overlapped: true,
  launchedEarly: 1,
  hiddenShare: 0.5,
  exposedPerStep: 1,
  laterSecondsPerStep: s,
  laterCpuPerStep: cpu,
});

const cells = (row: string): string[] =>
  row
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());

describe('overlapRows', () => {
  const arms: OverlapArm[] = [
    { name: 'A', reduction: 'overlap', bucketMiB: 25, rebuild: true },
    { name: 'B', reduction: 'overlap', bucketMiB: 25, rebuild: true, smallLastBucket: true, versus: 0 },
    { name: 'C', reduction: 'overlap', bucketMiB: 4, rebuild: true, versus: 2 },
    { name: 'D', reduction: 'overlap', bucketMiB: 4, rebuild: true, smallLastBucket: true, versus: 2 },
  ];
  // two rounds; B is 0.5× and 0.75× A in the rounds, D 2× and 4× C (CPU: B 0.9× A; D 1.1× C)
  const runs = [
    [run(1, 2), run(2, 4)],
    [run(0.5, 1.8), run(1.5, 3.6)],
    [run(1, 1), run(1, 2)],
    [run(2, 1.1), run(4, 2.2)],
  ];
  const rows = overlapRows(arms, runs).map(cells);
  const header = cells(overlapHeader('first')[0]!);

  it('has as many cells in every row as the header', () => {
    for (const row of rows) assert.equal(row.length, header.length);
    assert.equal(cells(overlapHeader('first')[1]!).length, header.length);
  });

  it('takes each arm’s ratios against its own baseline in the same round: median (min–max) over rounds', () => {
    const col = (name: string) => header.findIndex((h) => h.startsWith(name));
    const wall = col('s/step ÷ first');
    const later = col('s/step after step 1 ÷ first');
    const cpu = col('CPU/step after step 1 ÷ first');
    assert.deepEqual(
      rows.map((r) => r[wall]),
      ['1.000 (1.000–1.000)', '0.625 (0.500–0.750)', '1.000 (1.000–1.000)', '3.000 (2.000–4.000)'],
    );
    assert.deepEqual(
      rows.map((r) => r[later]),
      rows.map((r) => r[wall]),
    );
    assert.deepEqual(
      rows.map((r) => r[cpu]),
      ['1.000 (1.000–1.000)', '0.900 (0.900–0.900)', '1.000 (1.000–1.000)', '1.100 (1.100–1.100)'],
    );
  });

  it('leaves the hidden-wait cell of a baseline empty and fills the others', () => {
    const hidden = header.findIndex((h) => h.startsWith('wait hidden vs'));
    assert.deepEqual(
      rows.map((r) => r[hidden]),
      ['–', '0 %', '–', '0 %'],
    );
  });
});

describe('bucketMode', () => {
  it('gives the worker initial, rebuild or rebuild-last', () => {
    assert.equal(bucketMode({ name: 'x', reduction: 'overlap', bucketMiB: 25, rebuild: false }), 'initial');
    assert.equal(bucketMode({ name: 'x', reduction: 'overlap', bucketMiB: 25, rebuild: true }), 'rebuild');
    assert.deepEqual(LAST_BUCKET_ARMS.map(bucketMode), ['rebuild', 'rebuild-last', 'rebuild', 'rebuild-last']);
  });

  it('pairs each small-last arm with the small-first arm of its bucket size', () => {
    for (const arm of LAST_BUCKET_ARMS) {
      const base = LAST_BUCKET_ARMS[arm.versus ?? 0]!;
      assert.equal(base.bucketMiB, arm.bucketMiB);
      assert.equal(base.smallLastBucket ?? false, false);
    }
  });
});

describe('runRounds', () => {
  it('runs every arm once a round, the order rotated each round', async () => {
    const order: number[] = [];
    const arms = LAST_BUCKET_ARMS.slice(0, 3);
    const log = console.log;
    console.log = () => {};
    try {
      await runRounds(arms, 3, async (arm) => {
        order.push(arms.indexOf(arm));
        return run(1, 1);
      });
    } finally {
      console.log = log;
    }
    assert.deepEqual(order, [0, 1, 2, 1, 2, 0, 2, 0, 1]);
  });
});
