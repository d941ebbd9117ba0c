import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError } from '../../src/errors.js';
import { dispose, liveTensorCount, tensor, zeros, type Tensor } from '../../src/tensor/index.js';
import { AdamW, type AdamWGroup } from '../../src/optim/adamw.js';
import type { Optimizer, OptimizerStateDict, ParamGroup } from '../../src/optim/optimizer.js';
import { SGD, type SgdGroup } from '../../src/optim/sgd.js';
import { Adagrad } from '../../src/optim/adagrad.js';
import { fromFixture, type TensorFixture } from '../helpers/fixtures.js';
import { fixture, groupsFor, makeParams, runSteps, type OptimCase } from './optim-fixture.js';

const RENAME = { weight_decay: 'weightDecay' };
const adamwCase = fixture.adamw.groups_f32 as OptimCase;
const sgdCase = fixture.sgd.dampening_f32 as OptimCase;
const makeAdamW = (params: Tensor[]) => new AdamW(groupsFor<AdamWGroup>(adamwCase, params, RENAME), { lr: adamwCase.config.lr });
const makeSgd = (params: Tensor[]) => new SGD(params, { lr: 0.05, momentum: 0.9, dampening: 0.3 });
const adagradCase = fixture.adagrad.decays_f32 as OptimCase;
const makeAdagrad = (params: Tensor[]) => new Adagrad(params, { lr: 0.1, lrDecay: 0.05, weightDecay: 0.01 });

/** What a checkpoint round trip does: JSON through text, tensors copied out to host memory and back. */
function saveAndReload(dict: OptimizerStateDict): OptimizerStateDict {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(dict.tensors)) tensors[k] = tensor(t.dataSync(), {}, t.shape);
  return { json: JSON.parse(JSON.stringify(dict.json)), tensors };
}

/** Copies of the parameters' values (fresh leaves). */
const copyParams = (params: Tensor[]): Tensor[] => params.map((p) => tensor(p.dataSync(), {}, p.shape).requiresGrad_());

function resumeMatchesUninterrupted<G extends ParamGroup>(c: OptimCase, make: (p: Tensor[]) => Optimizer<G>, what: string): void {
  const baseline = liveTensorCount();
  const at = fixture.resume_at;
  const steps = c.params.length;
  // Uninterrupted run.
  const straight = makeParams(c.config.dtype);
  const optA = make(straight);
  runSteps(optA, straight, c, `${what} uninterrupted`);
  // Interrupted at `at`, saved, reloaded into a new optimizer over new parameter tensors.
  const first = makeParams(c.config.dtype);
  const optB = make(first);
  runSteps(optB, first, c, `${what} before saving`, 0, at);
  const live = optB.stateDict();
  const saved = saveAndReload(live);
  dispose(live.tensors);
  const resumed = copyParams(first);
  optB.dispose();
  dispose(first);
  const optC = make(resumed);
  optC.loadStateDict(saved);
  dispose(saved.tensors); // the optimizer copied them
  runSteps(optC, resumed, c, `${what} resumed`, at, steps);
  straight.forEach((p, i) =>
    assert.deepEqual(resumed[i]!.toFlatArray(), p.toFlatArray(), `${what}: parameter ${i} bit-equal to the uninterrupted run`),
  );
  for (const o of [optA, optC]) o.dispose();
  for (const ps of [straight, resumed]) ps.forEach((p) => p.zeroGrad());
  dispose([straight, resumed]);
  assert.equal(liveTensorCount(), baseline, 'live tensors');
}

describe('optimizer state dict: save, load, continue', () => {
  it('AdamW resumed from a saved state continues exactly like an uninterrupted run', () =>
    resumeMatchesUninterrupted(adamwCase, makeAdamW, 'AdamW'));
  it('SGD with momentum resumed from a saved state continues exactly like an uninterrupted run', () =>
    resumeMatchesUninterrupted(sgdCase, makeSgd, 'SGD'));
  it('Adagrad resumed from a saved state continues exactly like an uninterrupted run (its sum and per-parameter step)', () =>
    resumeMatchesUninterrupted(adagradCase, makeAdagrad, 'Adagrad'));

  it('has torch’s layout: parameter indices through the groups, settings in torch’s names', () => {
    const params = makeParams('float32');
    const opt = makeAdamW(params);
    runSteps(opt, params, adamwCase, 'layout', 0, 1);
    const { json, tensors } = opt.stateDict();
    assert.deepEqual(json.param_groups, [
      { lr: 0.02, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.1, amsgrad: false, maximize: false, initial_lr: 0.02, params: [0, 1] },
      { lr: 0.005, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, initial_lr: 0.005, params: [2, 3, 4] },
    ]);
    // out.weight (index 1) had no gradient in step 0, so it has no state yet.
    assert.deepEqual(json.state, { 0: { step: 1 }, 2: { step: 1 }, 3: { step: 1 }, 4: { step: 1 } });
    assert.deepEqual(
      Object.keys(tensors).sort(),
      ['0', '2', '3', '4'].flatMap((i) => [`state.${i}.exp_avg`, `state.${i}.exp_avg_sq`]).sort(),
    );
    assert.equal(json.optimizer, 'AdamW');
    dispose(tensors);
    opt.dispose();
    dispose(params);
  });

  it('loads torch’s own state (made by torch.optim.AdamW) and continues like torch', () => {
    const c = adamwCase;
    const at = fixture.resume_at;
    const params = (c.params[at - 1] as TensorFixture[]).map((f) => fromFixture(f).requiresGrad_());
    const opt = makeAdamW(params);
    const order = opt.paramGroups.flatMap((g) => g.params);
    const json = opt.stateDict().json; // settings and indices; state replaced by torch's
    json.state = {};
    const tensors: Record<string, Tensor> = {};
    for (const [name, entry] of Object.entries(c.state_at_resume)) {
      const i = order.indexOf(params[fixture.names.indexOf(name)]!);
      json.state[String(i)] = { step: entry.step as number };
      tensors[`state.${i}.exp_avg`] = fromFixture(entry.exp_avg as TensorFixture);
      tensors[`state.${i}.exp_avg_sq`] = fromFixture(entry.exp_avg_sq as TensorFixture);
    }
    opt.loadStateDict({ json, tensors });
    dispose(tensors);
    runSteps(opt, params, c, 'from torch state', at, c.params.length);
    opt.dispose();
    params.forEach((p) => p.zeroGrad());
    dispose(params);
  });
});

describe('loadStateDict validation', () => {
  function withSaved(fn: (opt: Optimizer<AdamWGroup>, dict: OptimizerStateDict, params: Tensor[]) => void): void {
    const baseline = liveTensorCount();
    const params = makeParams('float32');
    const opt = makeAdamW(params);
    runSteps(opt, params, adamwCase, 'setup', 0, 2);
    const live = opt.stateDict();
    const dict = saveAndReload(live);
    dispose(live.tensors);
    try {
      fn(opt, dict, params);
    } finally {
      dispose(dict.tensors);
      opt.dispose();
      params.forEach((p) => p.zeroGrad());
      dispose(params);
    }
    assert.equal(liveTensorCount(), baseline, 'no tensors leak from a failed load');
  }

  const fails = (opt: Optimizer<AdamWGroup>, dict: OptimizerStateDict, message: RegExp) =>
    assert.throws(
      () => opt.loadStateDict(dict),
      (e: unknown) => e instanceof CheckpointError && e.code === 'ERR_CHECKPOINT' && message.test(e.message),
    );

  it('names the optimizer class that saved the state', () =>
    withSaved((opt, dict) =>
      fails(opt, { ...dict, json: { ...dict.json, optimizer: 'SGD' } }, /saved by SGD, it cannot be loaded into AdamW/),
    ));

  it('checks the number of groups and of parameters per group', () =>
    withSaved((opt, dict) => {
      fails(
        opt,
        { ...dict, json: { ...dict.json, param_groups: dict.json.param_groups.slice(0, 1) } },
        /has 1 parameter groups, this AdamW has 2/,
      );
      const groups = structuredClone(dict.json.param_groups);
      groups[1]!.params.pop();
      fails(
        opt,
        { ...dict, json: { ...dict.json, param_groups: groups } },
        /parameter group 1: the optimizer state has 2 parameters, this AdamW has 3/,
      );
    }));

  it('checks state tensor names and shapes, and leaves the optimizer unchanged on failure', () =>
    withSaved((opt, dict, params) => {
      const wrongShape = { ...dict.tensors, 'state.4.exp_avg': zeros([2, 2]) };
      fails(opt, { ...dict, tensors: wrongShape }, /'state\.4\.exp_avg' has shape \[2, 2\], but parameter 4 has shape \[4\]/);
      wrongShape['state.4.exp_avg']!.dispose();
      const missing = { ...dict.tensors };
      delete missing['state.0.exp_avg_sq'];
      fails(opt, { ...dict, tensors: missing }, /lacks tensor 'state\.0\.exp_avg_sq'/);
      const extra = { ...dict.tensors, 'state.0.momentum_buffer': dict.tensors['state.0.exp_avg']! };
      fails(opt, { ...dict, tensors: extra }, /tensors this AdamW does not use: state\.0\.momentum_buffer/);
      const amsgrad = structuredClone(dict.json);
      amsgrad.param_groups[0]!.amsgrad = true;
      fails(opt, { ...dict, json: amsgrad }, /lacks tensor 'state\.0\.max_exp_avg_sq'/);
      const badStep = structuredClone(dict.json);
      badStep.state['0'] = { step: 1.5 };
      fails(opt, { ...dict, json: badStep }, /state\.0\.step is 1\.5/);
      const badBetas = structuredClone(dict.json);
      badBetas.param_groups[0]!.betas = [0.9, 1.5];
      fails(opt, { ...dict, json: badBetas }, /param_groups\[0\]: betas\[1\] must be in \[0, 1\), got 1\.5/);
      // After all those failures the state is the one from before: a good load still works, and continuing matches torch.
      opt.loadStateDict(dict);
      runSteps(opt, params, adamwCase, 'after failed loads', 2, 5);
    }));

  it('copies loaded settings over the current ones (learning rates too, as torch does)', () => {
    const params = makeParams('float64');
    const opt = new SGD(params, { lr: 0.1, momentum: 0.5 });
    const dict = opt.stateDict();
    dict.json.param_groups[0]!.lr = 0.3;
    dict.json.param_groups[0]!.initial_lr = 0.6;
    dict.json.param_groups[0]!.nesterov = true;
    dict.json.param_groups[0]!.momentum = 0.9;
    opt.loadStateDict(dict);
    const { params: _ps, ...settings } = opt.paramGroups[0] as SgdGroup;
    assert.deepEqual(settings, { lr: 0.3, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true, maximize: false });
    assert.deepEqual(opt.initialLrs, [0.6]);
    dict.json.param_groups[0]!.dampening = 0.5;
    assert.throws(() => opt.loadStateDict(dict), /Nesterov momentum needs momentum > 0 and dampening 0/);
    opt.dispose();
    dispose(params);
  });
});
