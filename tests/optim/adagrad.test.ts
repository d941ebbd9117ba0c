import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dispose, liveTensorCount, tensor } from '../../src/tensor/index.js';
import { Adagrad, type AdagradGroup, type AdagradOptions } from '../../src/optim/adagrad.js';
import { assertState, fixture, groupsFor, makeParams, runSteps, type OptimCase } from './optim-fixture.js';

function options(c: OptimCase): AdagradOptions {
  const { lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize } = c.config as Record<string, unknown>;
  return {
    lr,
    lrDecay: lr_decay,
    weightDecay: weight_decay,
    initialAccumulatorValue: initial_accumulator_value,
    eps,
    maximize,
  } as AdagradOptions;
}

describe('Adagrad matches torch.optim.Adagrad (torch 1.13)', () => {
  for (const [name, c] of Object.entries(fixture.adagrad)) {
    it(name, () => {
      const baseline = liveTensorCount();
      const params = makeParams(c.config.dtype);
      const opt = new Adagrad(groupsFor<AdagradGroup>(c, params, { weight_decay: 'weightDecay' }), options(c));
      runSteps(opt, params, c, name);
      assertState(opt, params, c.state, c.config.dtype, name);
      opt.zeroGrad();
      opt.dispose();
      dispose(params);
      assert.equal(liveTensorCount(), baseline, 'live tensors after dispose');
    });
  }
});

describe('Adagrad settings', () => {
  it('rejects unknown options and out-of-range values, naming them', () => {
    const p = tensor([1, 2]).requiresGrad_();
    assert.throws(() => new Adagrad([p], { momentum: 0.9 } as AdagradOptions), /Adagrad: unknown option 'momentum'/);
    assert.throws(() => new Adagrad([p], { lrDecay: -1 }), /lr_decay must be a finite number ≥ 0, got -1/);
    assert.throws(() => new Adagrad([p], { initialAccumulatorValue: -0.5 }), /initial_accumulator_value must be a finite number ≥ 0/);
    p.dispose();
  });
});
