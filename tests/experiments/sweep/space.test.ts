/** The search space: grid enumeration, seeded draws, and points written into a config by dotted path. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drawValue, gridPoints, randomPoint, setPath, type Space } from '../../../src/experiments/sweep/space.js';
import { mulberry32 } from '../../../src/random.js';
import { ConfigError } from '../../../src/errors.js';

const space: Space = [
  ['training.learning_rate', { type: 'log_uniform', low: 1e-4, high: 1e-2, grid: 3 }],
  ['training.batch_size', { type: 'choice', values: [16, 32] }],
  ['encoder.num_hidden_layers', { type: 'int', low: 1, high: 2 }],
];

describe('grid', () => {
  it('enumerates the product, the last parameter fastest; log ranges evenly in log space', () => {
    const points = gridPoints(space);
    assert.equal(points.length, 3 * 2 * 2);
    const lrs = [1e-4, 1e-3, 1e-2];
    const expected = lrs.flatMap((lr) => [16, 32].flatMap((b) => [1, 2].map((l) => [lr, b, l])));
    points.forEach((p, i) => {
      const [lr, b, l] = expected[i]!;
      assert.ok(Math.abs((p['training.learning_rate'] as number) - lr!) < 1e-12 * lr!, `point ${i}: ${JSON.stringify(p)}`);
      assert.equal(p['training.batch_size'], b);
      assert.equal(p['encoder.num_hidden_layers'], l);
    });
  });

  it('spaces a uniform range evenly, ends included, and refuses a real range without grid', () => {
    assert.deepEqual(
      gridPoints([['training.warmup_ratio', { type: 'uniform', low: 0, high: 0.2, grid: 3 }]]).map((p) => p['training.warmup_ratio']),
      [0, 0.1, 0.2],
    );
    assert.throws(() => gridPoints([['x', { type: 'uniform', low: 0, high: 1 }]]), /needs 'grid: N'/);
  });
});

describe('random draws', () => {
  it('are a function of the seed, inside each range', () => {
    const draw = (seed: number) => Array.from({ length: 20 }, (_, i) => randomPoint(space, mulberry32(seed * 100 + i)));
    assert.deepEqual(draw(1), draw(1));
    assert.notDeepEqual(draw(1), draw(2));
    for (const p of draw(3)) {
      const lr = p['training.learning_rate'] as number;
      assert.ok(lr >= 1e-4 && lr <= 1e-2);
      assert.ok([16, 32].includes(p['training.batch_size'] as number));
      assert.ok([1, 2].includes(p['encoder.num_hidden_layers'] as number));
    }
  });

  it('log_uniform is uniform in the logarithm: a quarter of 4,000 draws in each decade-half', () => {
    const u = mulberry32(5);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const x = drawValue({ type: 'log_uniform', low: 1e-4, high: 1e-2 }, u) as number;
      counts[Math.min(3, Math.floor(((Math.log10(x) + 4) / 2) * 4))]!++;
    }
    for (const c of counts) assert.ok(Math.abs(c - 1000) < 100, `counts ${counts}`); // ±3.6 standard deviations
    const ints = new Set(Array.from({ length: 200 }, () => drawValue({ type: 'int', low: 3, high: 5 }, u)));
    assert.deepEqual([...ints].sort(), [3, 4, 5]);
  });
});

describe('setPath', () => {
  const config = { training: { learning_rate: 1e-3 }, tasks: [{ name: 'intent', weight: 1 }, { name: 'slots' }] };

  it('enters mappings by key (making missing ones) and lists by name or position, without changing the input', () => {
    const a = setPath(config, 'tasks.slots.weight', 0.5) as typeof config & { tasks: { weight?: number }[] };
    assert.equal(a.tasks[1]!.weight, 0.5);
    assert.equal(config.tasks[1]!.name, 'slots');
    assert.equal((config.tasks[1] as { weight?: number }).weight, undefined);
    const b = setPath(config, 'training.sampler.kind', 'uniform') as { training: { sampler: { kind: string }; learning_rate: number } };
    assert.deepEqual(b.training, { learning_rate: 1e-3, sampler: { kind: 'uniform' } });
    assert.equal((setPath(config, 'tasks.0.weight', 2) as typeof config).tasks[0]!.weight, 2);
  });

  it('names the items of a list when the name is not one of them', () => {
    assert.throws(
      () => setPath(config, 'tasks.sentiment.weight', 1),
      (e: unknown) => e instanceof ConfigError && /no item 'sentiment' \(its items: intent, slots/.test(e.message),
    );
    assert.throws(() => setPath(config, 'training.learning_rate.x', 1), /is a value, not a mapping/);
  });
});
