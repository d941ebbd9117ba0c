/**
 * Shared by the optimizer tests: tests/fixtures/optim.json (made by scripts/fixtures/optim.py)
 * replayed through our optimizers — the same initial parameters and gradient sequence.
 */
import assert from 'node:assert/strict';
import { dispose, tidy, type DType, type Tensor } from '../../src/tensor/index.js';
import type { Optimizer, ParamGroup, ParamGroupInput } from '../../src/optim/optimizer.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';

export interface GroupSpec {
  names: string[];
  [setting: string]: unknown;
}

export interface OptimCase {
  config: {
    dtype: DType;
    lr: number;
    groups?: GroupSpec[];
    schedule?: { kind: string; warmup?: number; total?: number };
    [k: string]: unknown;
  };
  /** Parameters after each step. */
  params: TensorFixture[][];
  /** Each group's lr used by each step. */
  lrs: number[][];
  /** Per parameter name: step (number) and state tensors, after the last step. */
  state: Record<string, Record<string, number | TensorFixture>>;
  state_at_resume: Record<string, Record<string, number | TensorFixture>>;
}

export interface OptimFixture {
  names: string[];
  initial: TensorFixture[];
  grads: (TensorFixture | null)[][];
  resume_at: number;
  adamw: Record<string, OptimCase>;
  sgd: Record<string, OptimCase>;
  adagrad: Record<string, OptimCase>;
  clip: Record<
    string,
    {
      max_norm: number;
      norm_type: number | string;
      grads: (TensorFixture | null)[];
      total_norm: TensorFixture;
      clipped: (TensorFixture | null)[];
    }
  >;
  schedules: Record<string, { kind: string; warmup?: number; total?: number; base_lr: number; multipliers: number[]; lrs: number[] }>;
}

export const fixture = loadFixture<OptimFixture>('optim');

/** Tolerances per dtype: float32 ~1e-6 relative, float64 ~1e-12 (in practice the results are bit-equal). */
export const tol = (dtype: DType) => (dtype === 'float64' ? { rtol: 1e-12, atol: 1e-14 } : { rtol: 1e-6, atol: 1e-7 });

/** Fresh leaf parameters (requiresGrad) equal to the fixture's initial values, in `dtype`. */
export function makeParams(dtype: DType): Tensor[] {
  return fixture.initial.map((f) => fromFixture(f, dtype).requiresGrad_(true));
}

/** The constructor input a case describes: all parameters, or its named groups with overrides. */
export function groupsFor<G extends ParamGroup>(
  c: OptimCase,
  params: Tensor[],
  rename: Record<string, string> = {},
): Tensor[] | ParamGroupInput<G>[] {
  if (!c.config.groups) return params;
  return c.config.groups.map((spec) => {
    const group: Record<string, unknown> = { params: spec.names.map((n) => params[fixture.names.indexOf(n)]) };
    for (const [k, v] of Object.entries(spec)) if (k !== 'names') group[rename[k] ?? k] = v;
    return group as ParamGroupInput<G>;
  });
}

/** Sets each parameter's .grad to the fixture's gradient of `step` (or none). */
export function setGrads(params: Tensor[], step: number, dtype: DType): void {
  const row = fixture.grads[step] as (TensorFixture | null)[];
  params.forEach((p, i) => {
    const g = row[i];
    if (g === null || g === undefined) {
      p.zeroGrad();
      return;
    }
    const t = fromFixture(g, dtype);
    p.grad = t;
    t.dispose();
  });
}

/** Asserts the parameters equal the fixture's after step `step` (0-based). */
export function assertParams(params: Tensor[], c: OptimCase, step: number, what: string): void {
  const expected = c.params[step] as TensorFixture[];
  params.forEach((p, i) =>
    assertClose(p, expected[i] as TensorFixture, { ...tol(c.config.dtype), what: `${what} step ${step} ${fixture.names[i]}` }),
  );
}

/**
 * Runs steps [from, to) of a case on `opt`, checking the learning rates and parameters after each.
 * `beforeStep` may set learning rates (schedules).
 */
export function runSteps<G extends ParamGroup>(
  opt: Optimizer<G>,
  params: Tensor[],
  c: OptimCase,
  what: string,
  from = 0,
  to = c.params.length,
  beforeStep?: (step: number) => void,
): void {
  for (let step = from; step < to; step++) {
    setGrads(params, step, c.config.dtype);
    beforeStep?.(step);
    assert.deepEqual(
      opt.paramGroups.map((g) => g.lr),
      c.lrs[step],
      `${what}: learning rates of step ${step}`,
    );
    opt.step();
    assertParams(params, c, step, what);
  }
}

/** Asserts that `opt.stateDict()` holds the fixture's state (torch's, keyed by parameter name). */
export function assertState<G extends ParamGroup>(
  opt: Optimizer<G>,
  params: Tensor[],
  expected: OptimCase['state'],
  dtype: DType,
  what: string,
): void {
  tidy(() => {
    const { json, tensors } = opt.stateDict();
    const order = opt.paramGroups.flatMap((g) => g.params);
    const index = (name: string) => order.indexOf(params[fixture.names.indexOf(name)] as Tensor);
    const expectedKeys = Object.keys(expected)
      .map(index)
      .sort((a, b) => a - b)
      .map(String);
    assert.deepEqual(Object.keys(json.state), expectedKeys, `${what}: parameters with state`);
    for (const [name, entry] of Object.entries(expected)) {
      const i = index(name);
      for (const [k, v] of Object.entries(entry)) {
        if (k === 'step') assert.equal(json.state[String(i)]?.step, v, `${what}: ${name} step`);
        else assertClose(tensors[`state.${i}.${k}`] as Tensor, v as TensorFixture, { ...tol(dtype), what: `${what}: ${name} ${k}` });
      }
    }
    dispose(tensors);
  });
}
