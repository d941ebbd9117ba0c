/**
 * Adafactor against scripts/adafactor_reference.py (the paper's Algorithms 4–5 in the row/column-sum form,
 * Hugging Face's settings), replayed from tests/fixtures/adafactor.json (scripts/fixtures/adafactor.py):
 * 0-D, 1-D, 2-D and 3-D parameters, six steps, parameters that skip steps; a first step checked by hand;
 * resuming from a saved state.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { dispose, liveTensorCount, tensor, tidy, zeros, type DType, type Tensor } from '../../src/tensor/index.js';
import { Adafactor, relativeStepSize, type AdafactorOptions } from '../../src/optim/adafactor.js';
import type { OptimizerStateDict } from '../../src/optim/optimizer.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';

interface AdafactorCase {
  config: { dtype: DType; [setting: string]: unknown };
  params: TensorFixture[][];
  state: Record<string, Record<string, number | TensorFixture>>;
  state_at_resume: Record<string, Record<string, number | TensorFixture>>;
}

interface AdafactorFixture {
  names: string[];
  initial: TensorFixture[];
  grads: (TensorFixture | null)[][];
  resume_at: number;
  cases: Record<string, AdafactorCase>;
  first_step_2x2: Record<'unclipped' | 'clipped', TensorFixture>;
}

const fixture = loadFixture<AdafactorFixture>('adafactor');

/** The brief's bound: 1e-6 in float32 (the reference sums rows and columns, we average them); 1e-12 in float64. */
const tol = (dtype: DType) => (dtype === 'float64' ? { rtol: 1e-12, atol: 1e-12 } : { rtol: 1e-6, atol: 1e-6 });

/** Hugging Face's keyword arguments (the fixture's) as our options. */
function options(c: AdafactorCase): AdafactorOptions {
  const k = c.config as Record<string, unknown>;
  const o: Record<string, unknown> = {
    lr: k.lr,
    eps: k.eps,
    clipThreshold: k.clip_threshold,
    decayRate: k.decay_rate,
    beta1: k.beta1,
    weightDecay: k.weight_decay,
    scaleParameter: k.scale_parameter,
    relativeStep: k.relative_step,
    warmupInit: k.warmup_init,
  };
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as AdafactorOptions;
}

const makeParams = (dtype: DType): Tensor[] => fixture.initial.map((f) => fromFixture(f, dtype).requiresGrad_(true));

function setGrads(params: Tensor[], step: number, dtype: DType): void {
  params.forEach((p, i) => {
    const g = fixture.grads[step]![i];
    if (g === null || g === undefined) return p.zeroGrad();
    const t = fromFixture(g, dtype);
    p.grad = t;
    t.dispose();
  });
}

/** Steps [from, to) of case `c`, checking every parameter after each against the reference. */
function runSteps(opt: Adafactor, params: Tensor[], c: AdafactorCase, what: string, from = 0, to = c.params.length): void {
  for (let step = from; step < to; step++) {
    setGrads(params, step, c.config.dtype);
    opt.step();
    params.forEach((p, i) =>
      assertClose(p, c.params[step]![i]!, { ...tol(c.config.dtype), what: `${what} step ${step} ${fixture.names[i]}` }),
    );
  }
}

/** `opt`'s state equals the reference's (Hugging Face's names: row/column means, full second moment, exp_avg). */
function assertState(opt: Adafactor, params: Tensor[], expected: AdafactorCase['state'], dtype: DType, what: string): void {
  tidy(() => {
    const { json, tensors } = opt.stateDict();
    const withState = Object.keys(expected).map((n) => String(fixture.names.indexOf(n)));
    assert.deepEqual(Object.keys(json.state).sort(), withState.sort(), `${what}: parameters with state`);
    for (const [name, entry] of Object.entries(expected)) {
      const i = fixture.names.indexOf(name);
      const names = Object.keys(tensors).filter((k) => k.startsWith(`state.${i}.`));
      assert.deepEqual(
        names.sort(),
        Object.keys(entry)
          .filter((k) => k !== 'step')
          .map((k) => `state.${i}.${k}`)
          .sort(),
        `${what}: ${name} state names`,
      );
      for (const [k, v] of Object.entries(entry)) {
        if (k === 'step') assert.equal(json.state[String(i)]?.step, v, `${what}: ${name} step`);
        else assertClose(tensors[`state.${i}.${k}`] as Tensor, v as TensorFixture, { ...tol(dtype), what: `${what}: ${name} ${k}` });
      }
    }
    dispose(tensors);
  });
  void params;
}

describe('Adafactor matches the reference (scripts/adafactor_reference.py)', () => {
  for (const [name, c] of Object.entries(fixture.cases)) {
    it(name, () => {
      const baseline = liveTensorCount();
      const params = makeParams(c.config.dtype);
      const opt = new Adafactor(params, options(c));
      runSteps(opt, params, c, name);
      assertState(opt, params, c.state, c.config.dtype, name);
      params.forEach((p) => p.zeroGrad());
      opt.dispose();
      dispose(params);
      assert.equal(liveTensorCount(), baseline, 'live tensors after dispose');
    });
  }
});

describe('Adafactor by hand', () => {
  // X = G = [[1, 2], [3, 4]], β₂₁ = 0, ε₁ = 0: row sums R = [5, 25], column sums C = [10, 20], 1ᵀR = 30,
  // V̂ = R Cᵀ/30 = [[5/3, 10/3], [25/3, 50/3]], U = G/√V̂ with U² = [0.6, 1.2, 1.08, 0.96]: RMS(U) = √0.96.
  const U = [Math.sqrt(0.6), Math.sqrt(1.2), Math.sqrt(1.08), Math.sqrt(0.96)];
  const firstStep = (clipThreshold: number): number[] => {
    const x = tensor([1, 2, 3, 4], { dtype: 'float64' }).reshape([2, 2]).requiresGrad_();
    x.grad = tensor([1, 2, 3, 4], { dtype: 'float64' }).reshape([2, 2]);
    const opt = new Adafactor([x], { lr: 0.1, eps: [0, 1e-3], clipThreshold });
    opt.step();
    const out = x.toFlatArray() as number[];
    opt.dispose();
    x.zeroGrad();
    x.dispose();
    return out;
  };

  it('a 2×2 first step without clipping: X − 0.1·U', () => {
    const got = firstStep(1);
    [1, 2, 3, 4].forEach((x0, i) => assert.ok(Math.abs(got[i]! - (x0 - 0.1 * U[i]!)) < 1e-15, `element ${i}: ${got[i]}`));
    assertClose(tensor(got, { dtype: 'float64' }).reshape([2, 2]), fixture.first_step_2x2.unclipped, { rtol: 1e-15, atol: 1e-15 });
  });

  it('a 2×2 first step clipped at d = 0.5: X − 0.1·U·0.5/√0.96', () => {
    const got = firstStep(0.5);
    [1, 2, 3, 4].forEach((x0, i) =>
      assert.ok(Math.abs(got[i]! - (x0 - (0.1 * U[i]! * 0.5) / Math.sqrt(0.96))) < 1e-15, `element ${i}: ${got[i]}`),
    );
    assertClose(tensor(got, { dtype: 'float64' }).reshape([2, 2]), fixture.first_step_2x2.clipped, { rtol: 1e-15, atol: 1e-15 });
  });

  it('the relative step size: min(1e-2, 1/√t); with warmup_init min(1e-6·t, 1/√t); else lr', () => {
    const rel = { lr: 0.5, relativeStep: true, warmupInit: false };
    assert.equal(relativeStepSize(rel, 1), 1e-2);
    assert.equal(relativeStepSize(rel, 40_000), 1 / 200);
    assert.equal(relativeStepSize({ ...rel, warmupInit: true }, 3), 3e-6);
    assert.equal(relativeStepSize({ ...rel, relativeStep: false }, 9), 0.5);
  });

  it('reports the step size it used as the learning rate for logs (relative_step), else the group’s lr', () => {
    const p = tensor([1, -2, 3]).requiresGrad_();
    const warm = new Adafactor([p], { relativeStep: true, warmupInit: true });
    const plain = new Adafactor([p], { lr: 0.25 });
    for (let i = 0; i < 3; i++) {
      p.grad = tensor([0.5, 0.5, -1]);
      warm.step();
    }
    assert.equal(warm.logLr(), 3e-6);
    assert.equal(plain.logLr(), 0.25);
    p.zeroGrad();
    for (const o of [warm, plain]) o.dispose();
    p.dispose();
  });
});

/** What a checkpoint round trip does: JSON through text, tensors copied out to host memory and back. */
function saveAndReload(dict: OptimizerStateDict): OptimizerStateDict {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(dict.tensors)) tensors[k] = tensor(t.dataSync(), { dtype: t.dtype }, t.shape);
  return { json: JSON.parse(JSON.stringify(dict.json)), tensors };
}

describe('Adafactor state dict: save, load, continue', () => {
  for (const name of ['beta1_relative_f64', 'weight_decay_f32', 'relative_scaled_f32']) {
    it(`${name}: resumed from a saved state continues exactly like an uninterrupted run`, () => {
      const c = fixture.cases[name] as AdafactorCase;
      const baseline = liveTensorCount();
      const at = fixture.resume_at;
      const straight = makeParams(c.config.dtype);
      const optA = new Adafactor(straight, options(c));
      runSteps(optA, straight, c, `${name} uninterrupted`);
      const first = makeParams(c.config.dtype);
      const optB = new Adafactor(first, options(c));
      runSteps(optB, first, c, `${name} before saving`, 0, at);
      assertState(optB, first, c.state_at_resume, c.config.dtype, `${name} at ${at}`);
      const live = optB.stateDict();
      const saved = saveAndReload(live);
      dispose(live.tensors);
      const resumed = first.map((p) => tensor(p.dataSync(), { dtype: p.dtype }, p.shape).requiresGrad_());
      optB.dispose();
      first.forEach((p) => p.zeroGrad());
      dispose(first);
      const optC = new Adafactor(resumed, options(c));
      optC.loadStateDict(saved);
      dispose(saved.tensors);
      runSteps(optC, resumed, c, `${name} resumed`, at);
      straight.forEach((p, i) => assert.deepEqual(resumed[i]!.toFlatArray(), p.toFlatArray(), `${name}: parameter ${i} bit-equal`));
      for (const o of [optA, optC]) o.dispose();
      for (const ps of [straight, resumed]) ps.forEach((p) => p.zeroGrad());
      dispose([straight, resumed]);
      assert.equal(liveTensorCount(), baseline, 'live tensors');
    });
  }

  it('saves settings in Hugging Face’s names and factored moments of the factored shapes; refuses a wrong shape', () => {
    const c = fixture.cases.beta1_f32 as AdafactorCase;
    const params = makeParams('float32');
    const opt = new Adafactor(params, options(c));
    runSteps(opt, params, c, 'layout', 0, 1);
    const { json, tensors } = opt.stateDict();
    assert.deepEqual(json.param_groups, [
      {
        lr: 0.01,
        eps: [1e-30, 1e-3],
        clip_threshold: 1,
        decay_rate: -0.8,
        beta1: 0.9,
        weight_decay: 0,
        scale_parameter: false,
        relative_step: false,
        warmup_init: false,
        initial_lr: 0.01,
        params: [0, 1, 2, 3, 4],
      },
    ]);
    assert.deepEqual(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.shape])), {
      'state.0.exp_avg': [4, 3],
      'state.0.exp_avg_sq_row': [4],
      'state.0.exp_avg_sq_col': [3],
      'state.1.exp_avg': [4],
      'state.1.exp_avg_sq': [4],
      'state.2.exp_avg': [2, 3, 5],
      'state.2.exp_avg_sq_row': [2, 3],
      'state.2.exp_avg_sq_col': [2, 5],
      'state.3.exp_avg': [],
      'state.3.exp_avg_sq': [],
    });
    const wrong = { json: JSON.parse(JSON.stringify(json)), tensors: { ...tensors, 'state.2.exp_avg_sq_col': zeros([2, 3]) } };
    assert.throws(
      () => opt.loadStateDict(wrong),
      (e: unknown) =>
        e instanceof CheckpointError &&
        /'state\.2\.exp_avg_sq_col' has shape \[2, 3\], expected \[2, 5\] \(parameter 2: \[2, 3, 5\]\)/.test(e.message),
    );
    (wrong.tensors['state.2.exp_avg_sq_col'] as Tensor).dispose();
    const { 'state.0.exp_avg_sq_row': row, ...lacking } = tensors;
    assert.throws(() => opt.loadStateDict({ json, tensors: lacking }), /lacks tensor 'state\.0\.exp_avg_sq_row'/);
    void row;
    dispose(tensors);
    params.forEach((p) => p.zeroGrad());
    opt.dispose();
    dispose(params);
  });
});

describe('Adafactor settings', () => {
  it('rejects unknown options, out-of-range values and warmup_init without relative_step, naming them', () => {
    const p = tensor([1, 2]).requiresGrad_();
    assert.throws(() => new Adafactor([p], { betas: [0.9, 0.99] } as AdafactorOptions), /Adafactor: unknown option 'betas'/);
    assert.throws(
      () => new Adafactor([p], { warmupInit: true }),
      (e: unknown) => e instanceof ConfigError && /warmup_init needs relative_step/.test(e.message),
    );
    assert.throws(() => new Adafactor([p], { decayRate: 0.5 }), /decay_rate must be a finite number ≤ 0/);
    assert.throws(() => new Adafactor([p], { beta1: 1 }), /beta1 must be null or in \[0, 1\), got 1/);
    assert.throws(() => new Adafactor([p], { clipThreshold: 0 }), /clip_threshold must be a finite number > 0/);
    assert.throws(() => new Adafactor([p], { eps: [1e-30, -1] }), /eps must be two finite numbers ≥ 0/);
    p.dispose();
  });
});
