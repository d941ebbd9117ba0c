import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { dispose, liveTensorCount, tensor } from '../../src/tensor/index.js';
import { AdamW, type AdamWGroup, type AdamWOptions } from '../../src/optim/adamw.js';
import { isNoDecayName, paramGroupsNoDecay } from '../../src/optim/param-groups.js';
import { powInt } from '../../src/optim/pow.js';
import { linearWarmupDecay } from '../../src/optim/schedules.js';
import { applyLrSchedule } from '../../src/optim/schedules.js';
import { assertState, fixture, groupsFor, makeParams, runSteps, type OptimCase } from './optim-fixture.js';

const RENAME = { weight_decay: 'weightDecay' };

function options(c: OptimCase): AdamWOptions {
  const { lr, betas, eps, weight_decay, amsgrad, maximize } = c.config as Record<string, unknown>;
  return { lr, betas, eps, weightDecay: weight_decay, amsgrad, maximize } as AdamWOptions;
}

describe('AdamW matches torch.optim.AdamW (torch 1.13)', () => {
  for (const [name, c] of Object.entries(fixture.adamw)) {
    it(name, () => {
      const baseline = liveTensorCount();
      const params = makeParams(c.config.dtype);
      const opt = new AdamW(groupsFor<AdamWGroup>(c, params, RENAME), options(c));
      const schedule = c.config.schedule;
      const before = schedule
        ? (step: number) =>
            applyLrSchedule(opt, (s) => linearWarmupDecay(s, { warmupSteps: schedule.warmup ?? 0, totalSteps: schedule.total ?? 0 }), step)
        : undefined;
      runSteps(opt, params, c, name, 0, c.params.length, before);
      assertState(opt, params, c.state, c.config.dtype, name);
      opt.zeroGrad();
      opt.dispose();
      dispose(params);
      assert.equal(liveTensorCount(), baseline, 'live tensors after dispose');
    });
  }
});

describe('AdamW memory', () => {
  it('steps without growing the live-tensor count once state exists', () => {
    const baseline = liveTensorCount();
    const c = fixture.adamw.amsgrad_f32 as OptimCase;
    const params = makeParams('float32');
    const opt = new AdamW(params, options(c));
    runSteps(opt, params, c, 'warm-up', 0, 2);
    const steady = liveTensorCount();
    runSteps(opt, params, c, 'steady', 2, 5);
    assert.equal(liveTensorCount(), steady);
    // 5 parameter handles + 3 state tensors each (amsgrad); gradients live inside the parameters, with no handle
    assert.equal(steady - baseline, 5 + 15);
    opt.dispose();
    opt.zeroGrad();
    dispose(params);
    assert.equal(liveTensorCount(), baseline);
  });

  it('refuses to step after dispose()', () => {
    const p = tensor([1, 2]).requiresGrad_();
    const opt = new AdamW([p]);
    opt.dispose();
    assert.throws(() => opt.step(), ConfigError);
    p.dispose();
  });
});

describe('AdamW settings', () => {
  it('validates like torch, with the group named', () => {
    const p = tensor([1, 2]).requiresGrad_();
    assert.throws(() => new AdamW([p], { lr: -1 }), /parameter group 0: learning rate must be a finite number ≥ 0, got -1/);
    assert.throws(() => new AdamW([p], { betas: [0.9, 1] }), /betas\[1\] must be in \[0, 1\), got 1/);
    assert.throws(() => new AdamW([p], { weightDecay: -0.1 }), /weight decay/);
    assert.throws(() => new AdamW([p], { lr: 1, wd: 0.1 } as AdamWOptions), /unknown option 'wd'/);
    assert.throws(() => new AdamW([{ params: [p], weight_decay: 0 } as never]), /unknown setting 'weight_decay'/);
    assert.throws(() => new AdamW([{ params: [p] }, { params: [p] }]), /more than one group/);
    assert.throws(() => new AdamW([]), /empty parameter list/);
    p.dispose();
  });

  it('fills group settings from the defaults, group values winning', () => {
    const [a, b] = [tensor([1]), tensor([2])];
    const opt = new AdamW([{ params: [a] }, { params: [b], lr: 0.5, betas: [0.8, 0.9] }], { lr: 0.1, weightDecay: 0 });
    assert.deepEqual(
      opt.paramGroups.map(({ params, ...s }) => ({ n: params.length, ...s })),
      [
        { n: 1, lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
        { n: 1, lr: 0.5, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
      ],
    );
    assert.deepEqual(opt.initialLrs, [0.1, 0.5]);
    opt.setLr(0.2, 1);
    assert.deepEqual(
      opt.paramGroups.map((g) => g.lr),
      [0.1, 0.2],
    );
    assert.throws(() => opt.setLr(0.2, 2), /has 2 parameter groups, there is no group 2/);
    opt.dispose();
    dispose([a, b]);
  });
});

describe('paramGroupsNoDecay', () => {
  it('exempts biases and LayerNorm weights, as Hugging Face does', () => {
    const names = [
      'embeddings.word_embeddings.weight',
      'embeddings.LayerNorm.weight',
      'embeddings.LayerNorm.bias',
      'encoder.layer.0.attention.self.query.weight',
      'encoder.layer.0.attention.self.query.bias',
      'encoder.layer_norm.weight',
      'blocks.0.norm1.weight',
      'heads.sst2.classifier.weight',
    ];
    assert.deepEqual(names.map(isNoDecayName), [false, true, true, false, true, true, true, false]);
    const ts = names.map((_, i) => tensor([i]));
    const [decay, noDecay] = paramGroupsNoDecay(
      names.map((n, i) => [n, ts[i]!] as const),
      0.01,
    );
    assert.equal(decay.weightDecay, 0.01);
    assert.equal(noDecay.weightDecay, 0);
    assert.deepEqual(decay.params, [ts[0], ts[3], ts[7]]);
    assert.deepEqual(noDecay.params, [ts[1], ts[2], ts[4], ts[5], ts[6]]);
    dispose(ts);
  });

  it('builds the fixture’s no-decay groups from parameter names', () => {
    const c = fixture.adamw.groups_f32 as OptimCase;
    const params = makeParams('float32');
    const groups = paramGroupsNoDecay(
      fixture.names.map((n, i) => [n, params[i]!] as const),
      0.1,
    );
    const opt = new AdamW([groups[0], { ...groups[1], lr: 0.005 }], options(c));
    runSteps(opt, params, c, 'paramGroupsNoDecay');
    opt.dispose();
    dispose(params);
  });
});

describe('powInt', () => {
  it('is correctly rounded where Math.pow is not (as C pow, which torch’s Python uses)', () => {
    assert.equal(powInt(0.9, 4), 0.6561);
    assert.equal(powInt(0.99, 6), 0.941480149401);
    assert.equal(powInt(0.999, 0), 1);
    assert.equal(powInt(0.5, 10), 1 / 1024);
  });
});
