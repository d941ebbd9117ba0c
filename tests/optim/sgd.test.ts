import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { dispose, liveTensorCount, tensor } from '../../src/tensor/index.js';
import { SGD, type SgdGroup, type SgdOptions } from '../../src/optim/sgd.js';
import { applyLrSchedule, cosineWithWarmup } from '../../src/optim/schedules.js';
import { assertState, fixture, groupsFor, makeParams, runSteps, type OptimCase } from './optim-fixture.js';

function options(c: OptimCase): SgdOptions {
  const { lr, momentum, dampening, weight_decay, nesterov, maximize } = c.config as Record<string, unknown>;
  return { lr, momentum, dampening, weightDecay: weight_decay, nesterov, maximize } as SgdOptions;
}

describe('SGD matches torch.optim.SGD (torch 1.13)', () => {
  for (const [name, c] of Object.entries(fixture.sgd)) {
    it(name, () => {
      const baseline = liveTensorCount();
      const params = makeParams(c.config.dtype);
      const opt = new SGD(groupsFor<SgdGroup>(c, params, { weight_decay: 'weightDecay' }), options(c));
      const s = c.config.schedule;
      const before = s
        ? (step: number) => applyLrSchedule(opt, (k) => cosineWithWarmup(k, { warmupSteps: s.warmup ?? 0, totalSteps: s.total ?? 0 }), step)
        : undefined;
      runSteps(opt, params, c, name, 0, c.params.length, before);
      assertState(opt, params, c.state, c.config.dtype, name);
      opt.zeroGrad();
      opt.dispose();
      dispose(params);
      assert.equal(liveTensorCount(), baseline, 'live tensors after dispose');
    });
  }

  it('keeps one momentum buffer per parameter and nothing else between steps', () => {
    const baseline = liveTensorCount();
    const c = fixture.sgd.nesterov_wd_f64 as OptimCase;
    const params = makeParams('float64');
    const opt = new SGD(params, options(c));
    runSteps(opt, params, c, 'warm-up', 0, 2);
    const steady = liveTensorCount();
    assert.equal(steady - baseline, 5 + 5); // parameter handles and momentum buffers (gradients have no handle)
    runSteps(opt, params, c, 'steady', 2, 5);
    assert.equal(liveTensorCount(), steady);
    opt.dispose();
    opt.zeroGrad();
    dispose(params);
    assert.equal(liveTensorCount(), baseline);
  });
});

describe('SGD settings', () => {
  it('needs a learning rate and validates Nesterov like torch', () => {
    const p = tensor([1, 2]).requiresGrad_();
    assert.throws(() => new SGD([p], {} as SgdOptions), /SGD has no default learning rate/);
    assert.throws(
      () => new SGD([p], { lr: 0.1, nesterov: true }),
      /Nesterov momentum needs momentum > 0 and dampening 0, got momentum 0, dampening 0/,
    );
    assert.throws(() => new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), ConfigError);
    assert.throws(() => new SGD([p], { lr: 0.1, momentum: -1 }), /momentum must be ≥ 0, got -1/);
    p.dispose();
  });

  it('zeroGrad(false) zeroes gradients in place; zeroGrad() drops them', () => {
    const p = tensor([1, 2]).requiresGrad_();
    const g = tensor([3, 4]);
    p.grad = g;
    const opt = new SGD([p], { lr: 0.1 });
    opt.zeroGrad(false);
    assert.deepEqual(g.toFlatArray(), [0, 0]); // the same storage, zeroed
    opt.zeroGrad();
    assert.equal(p.grad, undefined);
    opt.dispose();
    dispose([p, g]);
  });
});
