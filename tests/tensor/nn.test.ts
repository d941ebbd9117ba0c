/**
 * Neural-network functions, checked against Python torch.nn.functional (tests/fixtures/ops.json,
 * group "nn"): embedding (paddingIdx keeps its row's gradient at zero), layerNorm, dropout (equal
 * to torch's mask for the same seed), softmax/logSoftmax incl. masked rows, activations.
 */
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { ConfigError } from '../../src/errors.js';
import { values } from '../helpers/fixtures.js';
import { checkLiveTensorsAfterFile, expectTensor, fx, opsFixture, tidyTest, type TensorFixture } from './check.js';

interface NN {
  embedding: {
    weight: TensorFixture;
    ids: TensorFixture;
    grad_out: TensorFixture;
    cases: { padding_idx: number | null; out: TensorFixture; grad: TensorFixture }[];
  };
  layer_norm: {
    x: TensorFixture;
    cases: { shape: number[]; weight: TensorFixture | null; bias: TensorFixture | null; eps: number; out: TensorFixture }[];
  };
  dropout: {
    x: TensorFixture;
    eval: TensorFixture;
    seeded: { seed: number; p: number; out: TensorFixture };
    big: { seed: number; p: number; n: number; zeros: number; scale: number; out_sum: number };
    p0: TensorFixture;
    p1: TensorFixture;
  };
  softmax: { x: TensorFixture; dim: number; softmax: TensorFixture; log_softmax: TensorFixture }[];
  activations: Record<'x' | 'gelu' | 'gelu_tanh' | 'relu' | 'tanh' | 'sigmoid', TensorFixture>;
}
const F = opsFixture<NN>('nn');
const close = { rtol: 1e-5, atol: 1e-6 };

checkLiveTensorsAfterFile();

tidyTest('embedding gathers rows; paddingIdx (also negative) zeroes that row of the gradient', () => {
  const e = F.embedding;
  for (const c of e.cases) {
    const weight = fx(e.weight).requiresGrad_();
    const out = T.embedding(weight, fx(e.ids), c.padding_idx ?? undefined);
    expectTensor(out, c.out, { rtol: 0, atol: 0, what: `padding ${c.padding_idx}` });
    out.mul(fx(e.grad_out)).sum().backward();
    expectTensor(weight.grad!, c.grad, { ...close, what: `grad, padding ${c.padding_idx}` });
  }
});

tidyTest('embedding rejects a paddingIdx outside [-V, V)', () => {
  const weight = fx(F.embedding.weight);
  const rows = F.embedding.weight.shape[0]!;
  assert.throws(() => T.embedding(weight, fx(F.embedding.ids), rows), ConfigError);
  assert.throws(() => T.embedding(weight, fx(F.embedding.ids), -rows - 1), ConfigError);
});

tidyTest('layerNorm over the last one and two dims, with and without weight/bias, custom eps', () => {
  const x = fx(F.layer_norm.x);
  for (const c of F.layer_norm.cases) {
    const w = c.weight === null ? undefined : fx(c.weight);
    const b = c.bias === null ? undefined : fx(c.bias);
    expectTensor(T.layerNorm(x, c.shape, w, b, c.eps), c.out, { ...close, what: `layerNorm [${c.shape}]` });
  }
});

tidyTest('dropout: identity unless training; p = 0 keeps, p = 1 zeroes', () => {
  const d = F.dropout;
  const x = fx(d.x);
  expectTensor(T.dropout(x, d.seeded.p, false), d.eval, { rtol: 0, atol: 0 });
  expectTensor(T.dropout(x, 0, true), d.p0, { rtol: 0, atol: 0 });
  expectTensor(T.dropout(x, 1, true), d.p1, { rtol: 0, atol: 0 });
});

tidyTest("dropout in training equals torch's output for the same seed", () => {
  const s = F.dropout.seeded;
  T.manualSeed(s.seed);
  expectTensor(T.dropout(fx(F.dropout.x), s.p, true), s.out, close);
});

tidyTest("dropout zeroes a fraction ~p and scales the rest by 1/(1-p), with torch's exact count", () => {
  const b = F.dropout.big;
  T.manualSeed(b.seed);
  const kept = T.dropout(T.ones([b.n]), b.p, true).toFlatArray() as number[];
  const zeros = kept.filter((v) => v === 0).length;
  assert.equal(zeros, b.zeros);
  const sd = Math.sqrt((b.p * (1 - b.p)) / b.n);
  assert.ok(Math.abs(zeros / b.n - b.p) < 5 * sd, `zero fraction ${zeros / b.n} is not near p = ${b.p}`);
  assert.ok(
    kept.every((v) => v === 0 || v === Math.fround(b.scale)),
    'kept values are scaled by 1/(1-p)',
  );
  assert.ok(Math.abs(kept.reduce((a, v) => a + v, 0) - b.out_sum) < 1e-6 * b.n);
});

tidyTest('softmax and logSoftmax along each dim, with -Infinity entries and large values', () => {
  for (const c of F.softmax) {
    const x = fx(c.x);
    expectTensor(x.softmax(c.dim), c.softmax, { ...close, what: `softmax(${c.dim}) [${c.x.shape}]` });
    expectTensor(x.logSoftmax(c.dim), c.log_softmax, { ...close, what: `logSoftmax(${c.dim}) [${c.x.shape}]` });
    if (values(c.softmax).every((v) => !Number.isNaN(v))) {
      const sums = x.softmax(c.dim).sum(c.dim).toFlatArray() as number[];
      assert.ok(
        sums.every((s) => Math.abs(s - 1) < 1e-5),
        'softmax sums to 1',
      );
    }
  }
});

tidyTest('gelu (exact and tanh approximation), relu, tanh, sigmoid, incl. saturated inputs', () => {
  const a = F.activations;
  const x = fx(a.x);
  expectTensor(x.gelu(), a.gelu, close);
  expectTensor(x.gelu('tanh'), a.gelu_tanh, close);
  expectTensor(x.relu(), a.relu, close);
  expectTensor(x.tanh(), a.tanh, close);
  expectTensor(x.sigmoid(), a.sigmoid, close);
});
