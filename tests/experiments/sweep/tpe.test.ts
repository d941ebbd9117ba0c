/** TPE (Bergstra et al. 2011): its Parzen densities, and that it concentrates on the good region of synthetic objectives more than random search. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parzen, parzenLogDensity, tpePoint, TPE_DEFAULTS, type Observation } from '../../../src/experiments/sweep/tpe.js';
import { randomPoint, type Point, type Space } from '../../../src/experiments/sweep/space.js';
import { mulberry32 } from '../../../src/random.js';

/** Runs `trials` trials of `objective` (a loss) with TPE or random points; returns the points in order. */
function search(space: Space, objective: (p: Point) => number, sampler: 'tpe' | 'random', trials: number, seed: number): Point[] {
  const u = mulberry32(seed);
  const observations: Observation[] = [];
  for (let i = 0; i < trials; i++) {
    const point = sampler === 'tpe' ? tpePoint(space, observations, TPE_DEFAULTS, u) : randomPoint(space, u);
    observations.push({ point, loss: objective(point) });
  }
  return observations.map((o) => o.point);
}

describe('Parzen estimator', () => {
  it('is a density on its range (integrates to 1 by the trapezoid rule), peaked at the values', () => {
    const m = parzen([0.2, 0.25, 0.8], 0, 1);
    const n = 20000;
    let total = 0;
    for (let i = 0; i <= n; i++) total += Math.exp(parzenLogDensity(m, i / n)) * (i === 0 || i === n ? 0.5 : 1);
    assert.ok(Math.abs(total / n - 1) < 1e-3, `integral ${total / n}`);
    assert.ok(parzenLogDensity(m, 0.22) > parzenLogDensity(m, 0.5));
  });
});

describe('TPE', () => {
  it('puts more of its trials near the optimum of a 1-D objective than random search (seeds 1-3)', () => {
    const space: Space = [['x', { type: 'uniform', low: 0, high: 1 }]];
    const loss = (p: Point) => ((p.x as number) - 0.8) ** 2;
    for (const seed of [1, 2, 3]) {
      const near = (points: Point[]) => points.slice(10).filter((p) => Math.abs((p.x as number) - 0.8) < 0.1).length / (points.length - 10);
      const tpe = near(search(space, loss, 'tpe', 50, seed));
      const random = near(search(space, loss, 'random', 50, seed));
      assert.ok(tpe > 0.5 && tpe > 2 * random, `seed ${seed}: within 0.1 of the optimum, TPE ${tpe}, random ${random}`);
    }
  });

  it('finds the good decade of a log-uniform learning rate and the good choice', () => {
    const space: Space = [
      ['lr', { type: 'log_uniform', low: 1e-5, high: 1e-1 }],
      ['act', { type: 'choice', values: ['relu', 'gelu', 'tanh'] }],
    ];
    const loss = (p: Point) => Math.abs(Math.log10(p.lr as number) + 3) + (p.act === 'gelu' ? 0 : 1);
    const points = search(space, loss, 'tpe', 60, 11).slice(20);
    const decade = points.filter((p) => Math.abs(Math.log10(p.lr as number) + 3) < 0.5).length / points.length;
    const gelu = points.filter((p) => p.act === 'gelu').length / points.length;
    assert.ok(decade > 0.5, `lr within half a decade of 1e-3: ${decade} (random: 0.25)`);
    assert.ok(gelu > 0.6, `gelu chosen: ${gelu} (random: 0.33)`);
  });

  it('draws at random before startup_trials results, and is a function of its generator', () => {
    const space: Space = [['x', { type: 'uniform', low: 0, high: 1 }]];
    assert.deepEqual(tpePoint(space, [], TPE_DEFAULTS, mulberry32(4)), randomPoint(space, mulberry32(4)));
    const obs = Array.from({ length: 8 }, (_, i) => ({ point: { x: i / 8 }, loss: i }));
    assert.deepEqual(tpePoint(space, obs, TPE_DEFAULTS, mulberry32(9)), tpePoint(space, obs, TPE_DEFAULTS, mulberry32(9)));
  });
});
