import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../../src/errors.js';
import { grad, liveTensorCount, manualSeed, randn, tensor, tidy, transpose, unsqueeze, type Tensor } from '../../../src/tensor/index.js';
import { complexL1Distances } from '../../../src/tasks/kg/complex-distances.js';
import { complEx, distMult, rotatE, rotate, transE, type ScoringFunction } from '../../../src/tasks/kg/scoring.js';
import { negativeSamplingLoss } from '../../../src/tasks/kg/negative-sampling.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../../helpers/fixtures.js';

const close = (t: Tensor, want: number[], tol = 1e-5) => {
  const got = t.toFlatArray() as number[];
  assert.equal(got.length, want.length);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) <= tol, `[${i}] got ${g}, expected ${want[i]}`));
};

test('hand-computed scores of one triple for each function', () => {
  const base = liveTensorCount();
  tidy(() => {
    const h = tensor([[1, 2]]);
    const r = tensor([[0.5, -1]]);
    const t = tensor([[2, 0]]);
    // TransE: h + r − t = (−0.5, 1) → L1 1.5, L2 √1.25
    close(transE(1).score(h, r, t), [-1.5]);
    close(transE(2).score(h, r, t), [-Math.sqrt(1.25)]);
    // DistMult: 1·0.5·2 + 2·(−1)·0 = 1
    close(distMult().score(h, r, t), [1]);
    // ComplEx with k = 1: h = 1 + 2i, r = 0.5 − i, t = 2 + 0i. h·r = 0.5 − i + i − 2i² = 2.5 + 0i;
    // Re(2.5 · conj(2)) = 5
    close(complEx().score(h, r, t), [5]);
    // RotatE with k = 1: h = 1 + 2i rotated by θ = π/2 → i(1 + 2i) = −2 + i; minus t = 2 → −4 + i, |·| = √17
    close(rotatE().score(h, tensor([[Math.PI / 2]]), t), [-Math.sqrt(17)]);
    // ComplEx is not symmetric: with h = 2 and t = 1 + 2i swapped in, h·r = 1 − 2i and
    // Re((1 − 2i)·conj(1 + 2i)) = Re((1 − 2i)²) = 1 − 4 = −3
    close(complEx().score(t, r, h), [-3]);
  });
  assert.equal(liveTensorCount(), base);
});

test('RotatE rotation keeps the modulus of every complex entry', () => {
  const base = liveTensorCount();
  tidy(() => {
    const hRe = tensor([
      [0.3, -1.2, 2],
      [0.7, 0.1, -0.4],
    ]);
    const hIm = tensor([
      [1.1, 0.5, -0.2],
      [-2, 0.9, 0],
    ]);
    const theta = tensor([
      [0.4, -2.5, 3.1],
      [1, -0.3, 7],
    ]);
    const [re, im] = rotate(hRe, hIm, theta);
    const before = hRe.mul(hRe).add(hIm.mul(hIm)).sqrt().toFlatArray() as number[];
    close(re.mul(re).add(im.mul(im)).sqrt(), before, 1e-5);
  });
  assert.equal(liveTensorCount(), base);
});

interface ScoreCase {
  h: TensorFixture;
  r: TensorFixture;
  t: TensorFixture;
  candidates: TensorFixture;
  score: TensorFixture;
  tail_all: TensorFixture;
  head_all: TensorFixture;
}
const fixtures = loadFixture<Record<string, ScoreCase>>('kg');
const fns: Record<string, ScoringFunction> = {
  transe1: transE(1),
  transe2: transE(2),
  distmult: distMult(),
  complex: complEx(),
  rotate: rotatE(),
};

for (const [name, f] of Object.entries(fns)) {
  test(`${name}: score and scoreAll (both sides) match torch (scripts/fixtures/kg.py)`, () => {
    const c = fixtures[name]!;
    const base = liveTensorCount();
    tidy(() => {
      const [h, r, t, cand] = [fromFixture(c.h), fromFixture(c.r), fromFixture(c.t), fromFixture(c.candidates)];
      assertClose(f.score(h, r, t), c.score, { what: `${name} score`, atol: 1e-5 });
      assertClose(f.scoreAll(h, r, cand, 'tail'), c.tail_all, { what: `${name} tail`, atol: 1e-5 });
      assertClose(f.scoreAll(t, r, cand, 'head'), c.head_all, { what: `${name} head`, atol: 1e-5 });
    });
    assert.equal(liveTensorCount(), base);
  });
}

interface LossCase {
  pos: TensorFixture;
  neg: TensorFixture;
  margin: number;
  alpha: number | null;
  loss: TensorFixture;
  grad_pos: TensorFixture;
  grad_neg: TensorFixture;
}

for (const key of ['uniform', 'adversarial', 'adversarial_g0']) {
  test(`negative-sampling loss (${key}): value and gradients match torch, weights detached`, () => {
    const c = fixtures[`loss_${key}`] as unknown as LossCase;
    const base = liveTensorCount();
    tidy(() => {
      const pos = fromFixture(c.pos);
      const neg = fromFixture(c.neg);
      pos.requiresGrad = true;
      neg.requiresGrad = true;
      const loss = negativeSamplingLoss(pos, neg, { margin: c.margin, adversarialTemperature: c.alpha ?? undefined });
      assertClose(loss, c.loss, { what: 'loss' });
      const [gp, gn] = grad([loss], [pos, neg]);
      assertClose(gp!, c.grad_pos, { what: 'grad pos' });
      assertClose(gn!, c.grad_neg, { what: 'grad neg' });
    });
    assert.equal(liveTensorCount(), base);
  });
}

test('scoreAll without autograd (cdist for TransE, cache-sized blocks for RotatE) equals the broadcast definition, both sides', () => {
  manualSeed(3);
  const base = liveTensorCount();
  tidy(() => {
    // 5 queries, 37 candidates, k = 6: with 64-float blocks RotatE runs 17 blocks, the last one short.
    const [anchor, cand] = [randn([5, 12]), randn([37, 12])];
    for (const [name, f, r] of [
      ['transe1', transE(1), randn([5, 12])],
      ['transe2', transE(2), randn([5, 12])],
      ['rotate', rotatE(), randn([5, 6]).mul(3)],
    ] as const) {
      for (const side of ['tail', 'head'] as const) {
        const a = unsqueeze(anchor, 1); // (B, 1, D)
        const c = unsqueeze(cand, 0); // (1, C, D)
        const want = side === 'tail' ? f.score(a, unsqueeze(r, 1), c) : f.score(c, unsqueeze(r, 1), a); // (B, C)
        const got = f.scoreAll(anchor, r, cand, side);
        assert.deepEqual(got.shape, [5, 37], `${name} ${side}: shape`);
        close(got, want.toFlatArray() as number[], 1e-4);
      }
    }
    const [qRe, qIm, cRe, cIm] = [randn([5, 6]), randn([5, 6]), randn([37, 6]), randn([37, 6])];
    const whole = complexL1Distances(qRe, qIm, cRe, cIm).toFlatArray() as number[];
    close(complexL1Distances(qRe, qIm, cRe, cIm, 64), whole, 1e-5);
    assert.throws(() => complexL1Distances(qRe, qIm, cRe, transpose(cIm, 0, 1)), ShapeError);
  });
  assert.equal(liveTensorCount(), base);
});

test('RotatE and TransE scoreAll stay differentiable for in-batch training', () => {
  const base = liveTensorCount();
  tidy(() => {
    for (const f of [rotatE(), transE(1)]) {
      const anchor = tensor([[1, 2, 0.5, -1]]);
      const cand = tensor([
        [2, 0, 1, 1],
        [0, 1, -1, 0.5],
      ]);
      anchor.requiresGrad = true;
      const r = f.name === 'rotate' ? tensor([[0.3, -1]]) : tensor([[0.1, 0.2, 0.3, 0.4]]);
      const [g] = grad([f.scoreAll(anchor, r, cand, 'tail').sum()], [anchor]);
      assert.ok(g !== undefined && (g.toFlatArray() as number[]).every(Number.isFinite), `${f.name}: finite gradient`);
    }
  });
  assert.equal(liveTensorCount(), base);
});
