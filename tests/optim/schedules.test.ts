import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { dispose, tensor } from '../../src/tensor/index.js';
import { SGD } from '../../src/optim/sgd.js';
import {
  applyLrSchedule,
  constantSchedule,
  constantWithWarmup,
  cosineWithWarmup,
  linearWarmupDecay,
  makeSchedule,
  type ScheduleSpec,
} from '../../src/optim/schedules.js';
import { fixture } from './optim-fixture.js';

/** Within one ulp-ish: Math.cos (V8) and C's cos may differ in the last bit. */
const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-15 * Math.max(1, Math.abs(b)), `${what}: got ${a}, expected ${b}`);

function specOf(c: { kind: string; warmup?: number; total?: number }): ScheduleSpec {
  return { kind: c.kind, warmupSteps: c.warmup ?? 0, totalSteps: c.total ?? 0 } as ScheduleSpec;
}

describe('schedules match transformers’ formulas through torch LambdaLR', () => {
  for (const [name, c] of Object.entries(fixture.schedules)) {
    it(name, () => {
      const schedule = makeSchedule(specOf(c));
      const p = tensor([0]).requiresGrad_();
      const opt = new SGD([p], { lr: c.base_lr });
      c.multipliers.forEach((m, step) => {
        const exact = c.kind !== 'cosine';
        if (exact) assert.equal(schedule(step), m, `${name} multiplier at step ${step}`);
        else near(schedule(step), m, `${name} multiplier at step ${step}`);
        applyLrSchedule(opt, schedule, step);
        const lr = opt.paramGroups[0]!.lr;
        if (exact) assert.equal(lr, c.lrs[step], `${name} lr at step ${step}`);
        else near(lr, c.lrs[step]!, `${name} lr at step ${step}`);
      });
      opt.dispose();
      p.dispose();
    });
  }
});

describe('schedule formulas, hand-computed', () => {
  it('constant and constant with warm-up', () => {
    assert.equal(constantSchedule(0), 1);
    assert.equal(constantSchedule(10_000), 1);
    const w = { warmupSteps: 4 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 100].map((s) => constantWithWarmup(s, w)),
      [0, 0.25, 0.5, 0.75, 1, 1, 1],
    );
    assert.deepEqual(
      [0, 1].map((s) => constantWithWarmup(s, { warmupSteps: 0 })),
      [1, 1],
    );
  });

  it('linear warm-up then linear decay to 0 at totalSteps, 0 after', () => {
    const o = { warmupSteps: 10, totalSteps: 110 };
    // warm-up: step/10; decay: (110 − step)/100
    assert.deepEqual(
      [0, 5, 9, 10, 11, 60, 109, 110, 111, 500].map((s) => linearWarmupDecay(s, o)),
      [0, 0.5, 0.9, 1, 0.99, 0.5, 0.01, 0, 0, 0],
    );
    assert.equal(linearWarmupDecay(0, { warmupSteps: 0, totalSteps: 4 }), 1);
    assert.equal(linearWarmupDecay(3, { warmupSteps: 0, totalSteps: 4 }), 0.25);
    assert.equal(linearWarmupDecay(5, { warmupSteps: 5, totalSteps: 5 }), 0); // max(1, 0) guards the division
  });

  it('cosine: ½(1 + cos(π·progress)) after warm-up, rising again past totalSteps as in transformers', () => {
    const o = { warmupSteps: 2, totalSteps: 6 };
    const expected = [0, 0.5, 1, 0.5 * (1 + Math.SQRT1_2), 0.5, 0.5 * (1 - Math.SQRT1_2), 0, 0.5 * (1 - Math.SQRT1_2)];
    expected.forEach((e, s) => near(cosineWithWarmup(s, o), e, `step ${s}`));
    near(cosineWithWarmup(4, { ...o, numCycles: 1 }), 0, 'numCycles 1 at half-way');
    near(cosineWithWarmup(6, { ...o, numCycles: 1 }), 1, 'numCycles 1 at the end');
  });

  it('rejects bad steps and options with ConfigError', () => {
    assert.throws(() => linearWarmupDecay(-1, { warmupSteps: 0, totalSteps: 5 }), /step must be an integer ≥ 0, got -1/);
    assert.throws(() => linearWarmupDecay(1.5, { warmupSteps: 0, totalSteps: 5 }), ConfigError);
    assert.throws(
      () => makeSchedule({ kind: 'linear', warmupSteps: 2, totalSteps: -3 }),
      /totalSteps must be an integer ≥ 0 \(steps\), got -3/,
    );
    assert.throws(() => makeSchedule({ kind: 'cosine', warmupSteps: 0.5, totalSteps: 3 }), /warmupSteps/);
    assert.throws(() => makeSchedule({ kind: 'polynomial' } as never), /unknown schedule kind 'polynomial'/);
  });

  it('applyLrSchedule scales each group’s initial rate', () => {
    const [a, b] = [tensor([1]), tensor([2])];
    const opt = new SGD([{ params: [a], lr: 0.1 }, { params: [b] }], { lr: 0.4 });
    applyLrSchedule(opt, (s) => linearWarmupDecay(s, { warmupSteps: 4, totalSteps: 8 }), 2);
    assert.deepEqual(
      opt.paramGroups.map((g) => g.lr),
      [0.05, 0.2],
    );
    assert.deepEqual(opt.initialLrs, [0.1, 0.4]);
    opt.dispose();
    dispose([a, b]);
  });
});
