/** ASHA's rung budgets and promotion rule (Li et al. 2020, Algorithm 2) on hand-checked trial sets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ashaPromotion, rungBudgets, type RungRecord } from '../../../src/experiments/sweep/asha.js';

describe('rung budgets', () => {
  it('are r·η^k below R, then R', () => {
    assert.deepEqual(rungBudgets(10, 3, 270), [10, 30, 90, 270]);
    assert.deepEqual(rungBudgets(10, 3, 100), [10, 30, 90, 100]);
    assert.deepEqual(rungBudgets(5, 2, 5), [5]);
    assert.throws(() => rungBudgets(0, 3, 10), /min_steps/);
    assert.throws(() => rungBudgets(20, 3, 10), /min_steps/);
    assert.throws(() => rungBudgets(1, 1.5, 10), /reduction_factor/);
  });
});

/** Nine trials finished rung 0 of three (η = 3); values hand-picked. */
const rung0 = [0.5, 0.9, 0.1, 0.7, 0.3, 0.8, 0.2, 0.6, 0.4];
const paused = (id: number, values: number[], rung = values.length - 1): RungRecord => ({ id, values, rung, open: true });

describe('promotion', () => {
  it('promotes the best waiting trial among the top ⌊n/η⌋ of a rung', () => {
    // top 3 of rung 0: trials 1 (0.9), 5 (0.8), 3 (0.7); trial 1 went on already (training rung 1, no value yet)
    const trials = rung0.map((v, id) => (id === 1 ? { id, values: [v], rung: 1, open: false } : paused(id, [v])));
    assert.deepEqual(ashaPromotion(trials, 3, 3, 'max'), { id: 5, rung: 1 });
  });

  it('looks at higher rungs first', () => {
    // trials 1, 5, 3 finished rung 1 (0.95, 0.85, 0.75): top ⌊3/3⌋ = 1 of rung 1 is trial 1 → rung 2
    const up = new Map([
      [1, 0.95],
      [5, 0.85],
      [3, 0.75],
    ]);
    const trials = rung0.map((v, id) => (up.has(id) ? paused(id, [v, up.get(id)!]) : paused(id, [v])));
    assert.deepEqual(ashaPromotion(trials, 3, 3, 'max'), { id: 1, rung: 2 });
  });

  it('promotes nobody when every top trial went on: a new trial starts instead', () => {
    // eight trials at rung 0: top ⌊8/3⌋ = 2 are trials 1 and 5, both promoted; trial 3 (third) waits
    const trials = rung0.slice(0, 8).map((v, id) => (id === 1 || id === 5 ? { id, values: [v], rung: 1, open: true } : paused(id, [v])));
    assert.equal(ashaPromotion(trials, 3, 3, 'max'), undefined);
    // fewer than η results: nobody is in the top
    assert.equal(ashaPromotion([paused(0, [0.9]), paused(1, [0.8])], 3, 3, 'max'), undefined);
  });

  it("skips a top trial that cannot go on (its run stopped) but keeps its place; 'min' ranks the lowest first; ties go to the lower id", () => {
    const trials = rung0.map((v, id) => (id === 1 ? { id, values: [v], rung: 0, open: false } : paused(id, [v])));
    assert.deepEqual(ashaPromotion(trials, 3, 3, 'max'), { id: 5, rung: 1 }); // top 3: 1 (stopped), 5, 3
    assert.deepEqual(
      ashaPromotion(
        rung0.map((v, id) => paused(id, [v])),
        3,
        3,
        'min',
      ),
      { id: 2, rung: 1 },
    ); // 0.1
    assert.deepEqual(ashaPromotion([paused(4, [0.5]), paused(2, [0.5]), paused(7, [0.1])], 2, 3, 'max'), { id: 2, rung: 1 });
  });
});
