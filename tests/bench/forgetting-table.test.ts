/** The forgetting measurement's tables (bench/continual/forgetting-table.ts) on hand-computed cases. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forgettingTables, percent, type StageRun } from '../../bench/continual/forgetting-table.js';

const run = (seed: number, stage: string, accuracy: Record<string, number>): StageRun => ({ seed, variant: 'none', stage, accuracy });

describe('forgetting tables', () => {
  it('percent: mean ± sample standard deviation; no ± for one value, a dash for none', () => {
    assert.equal(percent([0.9, 0.8]), '85.00 ± 7.07'); // sd = sqrt(((0.05)² + (0.05)²) / 1) = 0.0707
    assert.equal(percent([0.5]), '50.00');
    assert.equal(percent([]), '—');
  });

  it('a column per task and stage from its own, forgetting per seed against the last stage', () => {
    const rows = [
      run(1, 'a', { a: 0.9 }),
      run(1, 'b', { a: 0.7, b: 0.6 }),
      run(1, 'c', { a: 0.5, b: 0.4, c: 0.8 }),
      run(2, 'a', { a: 0.8 }),
      run(2, 'b', { a: 0.7, b: 0.5 }),
      run(2, 'c', { a: 0.6, b: 0.5, c: 0.9 }),
    ];
    const [head, , row] = forgettingTables(rows, ['a', 'b', 'c'], ['none']).split('\n');
    assert.equal(
      head,
      '| variant | a after a | a after b | a after c | b after b | b after c | c after c | a forgetting (a → c, points) | b forgetting (b → c, points) | seeds |',
    );
    // a: 0.9 − 0.5 = 0.4 and 0.8 − 0.6 = 0.2 → 30 ± 14.14; b: 0.6 − 0.4 = 0.2 and 0.5 − 0.5 = 0 → 10 ± 14.14
    assert.equal(
      row,
      '| none | 85.00 ± 7.07 | 70.00 ± 0.00 | 55.00 ± 7.07 | 55.00 ± 7.07 | 45.00 ± 7.07 | 85.00 ± 7.07 | 30.00 ± 14.14 | 10.00 ± 14.14 | 1, 2 |',
    );
  });

  it('a seed that has not reached the last stage counts in the columns it has, not in the forgetting', () => {
    const rows = [run(1, 'a', { a: 0.9 }), run(1, 'b', { a: 0.6, b: 0.5 }), run(2, 'a', { a: 0.7 })];
    const row = forgettingTables(rows, ['a', 'b'], ['none']).split('\n')[2];
    assert.equal(row, '| none | 80.00 ± 14.14 | 60.00 | 50.00 | 30.00 | 1 |');
  });
});
