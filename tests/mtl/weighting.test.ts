import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError, ConfigError, ShapeError } from '../../src/errors.js';
import { Rng } from '../../src/tensor/rng.js';
import {
  DwaWeighting,
  GradNormWeighting,
  RandomWeighting,
  StaticWeighting,
  UncertaintyWeighting,
  createLossWeighting,
  dwaWeights,
  gradNormStep,
  normalDraw,
  randomWeights,
  type LossWeighting,
  type WeightingMethod,
} from '../../src/mtl/weighting/index.js';
import { liveTensorCount, manualSeed, noGrad, randn, stack, tensor, tidy, zeros, type Tensor } from '../../src/tensor/index.js';
import { assertCloseNumbers, checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

/** The value of `weighting.combine(losses, tasks)` for host losses. */
const combined = (weighting: LossWeighting, losses: number[], tasks?: number[]): number =>
  tidy(() => weighting.combine(tensor(losses, { dtype: 'float64' }), tasks).item() as number);

const sum = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0);

/** One plain SGD step on `params` from their .grad, then the gradients are dropped. */
function sgd(params: readonly Tensor[], lr: number): void {
  noGrad(() =>
    tidy(() => {
      for (const p of params) {
        const g = p.grad;
        if (g !== undefined) p.add_(g, -lr);
        p.zeroGrad();
      }
    }),
  );
}

describe('static weights', () => {
  it('equal weights sum the losses; given weights weigh them; a subset uses its tasks’ weights', () => {
    assert.equal(combined(new StaticWeighting(3), [1, 2, 3]), 6);
    const w = new StaticWeighting(3, [1, 0.5, 2]);
    assert.equal(combined(w, [1, 2, 3]), 8);
    assert.equal(combined(w, [4], [2]), 8);
    assert.equal(combined(w, [4, 1], [1, 0]), 3);
    assert.deepEqual(w.weights(), [1, 0.5, 2]);
    assert.deepEqual(w.parameters(), []);
  });

  it('checks weights, losses and task indices at the boundary', () => {
    assert.throws(() => new StaticWeighting(2, [1]), /2 finite numbers/);
    assert.throws(() => new StaticWeighting(2, [1, -1]), ConfigError);
    const w = new StaticWeighting(2);
    tidy(() => {
      assert.throws(() => w.combine(tensor([1, 2, 3])), ShapeError);
      assert.throws(() => w.combine(tensor([[1, 2]])), ShapeError);
      assert.throws(() => w.combine(tensor([1, 2]), [0, 0]), /distinct indices/);
      assert.throws(() => w.combine(tensor([1]), [2]), /in \[0, 2\)/);
      assert.throws(() => w.combine(tensor([1, 2], { dtype: 'int64' })), /floating point/);
    });
    assert.throws(() => w.restore({ method: 'dwa', numTasks: 2 } as never), CheckpointError);
  });
});

describe('uncertainty weighting (Kendall, Gal & Cipolla 2018)', () => {
  it('is Σ exp(−s_k)·L_k + s_k, with ∂/∂s_k = 1 − exp(−s_k)·L_k', () => {
    const w = new UncertaintyWeighting(2);
    w.restore({ method: 'uncertainty', numTasks: 2, logVariances: [0.5, -1] });
    const losses = [2, 0.3];
    const want = Math.exp(-0.5) * 2 + 0.5 + Math.exp(1) * 0.3 - 1;
    tidy(() => {
      const total = w.combine(tensor(losses));
      assert.ok(Math.abs((total.item() as number) - want) < 1e-5);
      total.backward();
      assertCloseNumbers(w.logVariances.grad!.toFlatArray() as number[], [1 - Math.exp(-0.5) * 2, 1 - Math.exp(1) * 0.3], 1e-5, '∂/∂s');
      w.logVariances.zeroGrad();
      // one task: only its s gets a gradient
      w.combine(tensor([2]), [0]).backward();
      assertCloseNumbers(w.logVariances.grad!.toFlatArray() as number[], [1 - Math.exp(-0.5) * 2, 0], 1e-5, 'subset ∂/∂s');
      w.logVariances.zeroGrad();
    });
    assertCloseNumbers(w.weights(), [Math.exp(-0.5), Math.exp(1)], 1e-6);
    assert.deepEqual(w.parameters(), [w.logVariances]);
    w.dispose();
  });

  it('learns a larger σ for the noisier task (toy regression: σ = 0.5 and 2)', () => {
    // Two tasks predict a constant from noisy targets y_k = μ_k + σ_k·ε; each has its own prediction
    // m_k, and the loss is the MSE. At the optimum L_k → σ_k² and s_k = log L_k → log σ_k², so
    // exp(s_k / 2) estimates the noise σ_k: the noisy task gets the larger σ and the smaller weight.
    manualSeed(1);
    const sigmas = [0.5, 2];
    const targets = sigmas.map((s, k) =>
      tidy(() =>
        randn([2000])
          .mul(s)
          .add(k + 1),
      ),
    );
    const predictions = [zeros([1]).requiresGrad_(), zeros([1]).requiresGrad_()];
    const w = new UncertaintyWeighting(2);
    const params = [...predictions, ...w.parameters()];
    for (let step = 0; step < 300; step++) {
      tidy(() => {
        const losses = stack(targets.map((y, k) => y.sub(predictions[k]!).pow(2).mean()));
        w.combine(losses).backward();
      });
      sgd(params, 0.05);
    }
    const s = w.logVariances.toFlatArray() as number[];
    const learned = s.map((v) => Math.exp(v / 2));
    assert.ok(learned[1]! > learned[0]!, `σ of the noisy task ${learned[1]} > ${learned[0]}`);
    learned.forEach((l, k) => assert.ok(Math.abs(l / sigmas[k]! - 1) < 0.1, `task ${k}: learned σ ${l} vs noise ${sigmas[k]}`));
    const weights = w.weights();
    assert.ok(weights[0]! > weights[1]!, 'the noisy task weighs less');
    w.dispose();
    targets.forEach((t) => t.dispose());
    predictions.forEach((p) => p.dispose());
  });

  it('saves and restores the log-variances', () => {
    const a = new UncertaintyWeighting(3, { initialLogVariance: 0.25 });
    const saved = JSON.parse(JSON.stringify(a.state())) as ReturnType<UncertaintyWeighting['state']>;
    assert.deepEqual(saved.logVariances, [0.25, 0.25, 0.25]);
    const b = new UncertaintyWeighting(3);
    b.restore(saved);
    assertCloseNumbers(b.logVariances.toFlatArray() as number[], [0.25, 0.25, 0.25], 0);
    assert.throws(() => b.restore({ ...saved, numTasks: 2 }), /saved for 2 tasks/);
    assert.throws(() => b.restore({ ...saved, logVariances: [0, 'x' as unknown as number, 0] }), CheckpointError);
    a.dispose();
    b.dispose();
  });
});

describe('GradNorm (Chen et al. 2018, Algorithm 1)', () => {
  it('one update, computed by hand', () => {
    // w = (1, 1), ‖∇_W L_k‖ = (2, 1), L(t) = (0.5, 0.9), L(0) = (1, 1), α = 1, lr = 0.1:
    // G = (2, 1), Ḡ = 1.5; L̃ = (0.5, 0.9), mean 0.7, r = (5/7, 9/7); targets Ḡ·r = (15/14, 27/14)
    // G − target = (+, −), so ∂L_grad/∂w = (+2, −1) and w − 0.1·∂ = (0.8, 1.1); renormalised to Σ = 2:
    // (1.6/1.9, 2.2/1.9). Task 0 learned faster (its loss halved) and loses weight.
    const next = gradNormStep({ weights: [1, 1], gradNorms: [2, 1], losses: [0.5, 0.9], initialLosses: [1, 1] }, 1, 0.1);
    assertCloseNumbers(next, [1.6 / 1.9, 2.2 / 1.9], 1e-15);
  });

  it('weights sum to K after each update, and the faster-learning task’s weight goes down', () => {
    // Losses L_k = c_k + v_k·W at W = 0, with ‖v_k‖ = 1 exactly for every task: the gradient norms are
    // equal, so only the training rates L_k(t)/L_k(0) move the weights. (The step is ±lr·‖∇_W L_k‖
    // whatever the distance to the target, so unequal norms by rounding alone would move them.)
    const shared = zeros([2]).requiresGrad_();
    const directions = [
      [1, 0],
      [0, 1],
      [0, -1],
    ];
    const losses = (values: number[]): Tensor => stack(values.map((c, k) => shared.mul(tensor(directions[k]!)).sum().add(c)));
    const w = new GradNormWeighting(3, { sharedParameters: [shared], alpha: 1.5, lr: 0.05 });
    // step 0: equal rates and equal norms: every G_k is on target, nothing moves
    assert.ok(Math.abs(tidy(() => w.combine(losses([2, 1, 4])).item() as number) - 7) < 1e-5);
    assertCloseNumbers(w.nextWeights(), [1, 1, 1], 1e-12, 'after step 0');
    // then task 0's loss falls fastest (to 25%), task 2's slowest
    const schedule = [
      [1.5, 0.95, 3.95],
      [1, 0.9, 3.9],
      [0.5, 0.85, 3.85],
    ];
    let previous = w.nextWeights();
    for (const values of schedule) {
      tidy(() => {
        w.combine(losses(values));
      });
      const next = w.nextWeights();
      assert.ok(Math.abs(sum(next) - 3) < 1e-12, `Σw = ${sum(next)}`);
      assert.ok(next[0]! < previous[0]!, `the fastest task's weight goes down: ${next[0]} < ${previous[0]}`);
      assert.ok(next[2]! > previous[2]!, `the slowest task's weight goes up: ${next[2]} > ${previous[2]}`);
      previous = next;
    }
    assert.deepEqual(w.weights().length, 3);
    shared.dispose();
  });

  it('on a toy model Σw = K at every step, and the task that converges first ends with less weight', () => {
    manualSeed(2);
    const shared = randn([2]).requiresGrad_();
    const w = new GradNormWeighting(2, { sharedParameters: [shared], alpha: 1.5, lr: 0.02 });
    // task 0 has 25× the curvature of task 1, so SGD brings its loss down much faster
    const taskLosses = (): Tensor =>
      stack([shared.select(0, 0).sub(1).pow(2).mul(5), shared.select(0, 1).sub(1).pow(2).mul(0.2)]).add(0.01);
    for (let step = 0; step < 40; step++) {
      tidy(() => w.combine(taskLosses()).backward());
      sgd([shared], 0.05);
      assert.ok(Math.abs(sum(w.nextWeights()) - 2) < 1e-12);
    }
    const [fast, slow] = w.nextWeights();
    assert.ok(fast! < 1 && slow! > 1, `weights ${fast}, ${slow}`);
    shared.dispose();
  });

  it('needs every task’s loss, positive first losses and a shared layer; state round-trips', () => {
    const shared = zeros([1]).requiresGrad_();
    assert.throws(() => new GradNormWeighting(2, { sharedParameters: [] }), /sharedParameters/);
    const w = new GradNormWeighting(2, { sharedParameters: [shared] });
    tidy(() => {
      const l = shared.sum();
      assert.throws(() => w.combine(stack([l.add(1)]), [1]), /all tasks/);
      assert.throws(() => w.combine(stack([l.add(1), l])), /task 1's is 0/);
      w.combine(stack([l.add(1), l.add(2)]));
    });
    const saved = JSON.parse(JSON.stringify(w.state())) as ReturnType<GradNormWeighting['state']>;
    assert.deepEqual(saved.initialLosses, [1, 2]);
    const other = new GradNormWeighting(2, { sharedParameters: [shared] });
    other.restore(saved);
    assert.deepEqual(other.state(), saved);
    assert.throws(() => other.restore({ ...saved, initialLosses: [0, 1] }), CheckpointError);
    shared.dispose();
  });
});

describe('Dynamic Weight Average (Liu, Johns & Davison 2019, eq. 7)', () => {
  it('gives equal weights in steps 1 and 2 and follows eq. 7 afterwards (hand-computed losses)', () => {
    const w = new DwaWeighting(2, { temperature: 2 });
    // steps 1 and 2: w = (1, 1)
    assert.equal(combined(w, [1, 2]), 3);
    assert.deepEqual(w.weights(), [1, 1]);
    assert.equal(combined(w, [0.5, 1.8]), 2.3);
    assert.deepEqual(w.weights(), [1, 1]);
    // step 3: r = L(2)/L(1) = (0.5, 0.9); w = 2·softmax(r/2) = 2·(e^0.25, e^0.45)/(e^0.25 + e^0.45)
    //        = (2/(1 + e^0.2), 2e^0.2/(1 + e^0.2)) = (0.90033200537504, 1.09966799462496)
    const step3 = [0.90033200537504, 1.09966799462496];
    assert.ok(Math.abs(combined(w, [0.4, 1.0]) - (0.4 * step3[0]! + 1.0 * step3[1]!)) < 1e-12);
    assertCloseNumbers(w.weights(), step3, 1e-13, 'step 3');
    // step 4: r = L(3)/L(2) = (0.8, 0.5/0.9)
    const e = [Math.exp(0.8 / 2), Math.exp(0.5 / 0.9 / 2)];
    combined(w, [1, 1]);
    assertCloseNumbers(
      w.weights(),
      e.map((v) => (2 * v) / (e[0]! + e[1]!)),
      1e-15,
      'step 4',
    );
  });

  it('a weight of K·softmax: positive, summing to K; T → large flattens it', () => {
    const w = dwaWeights([1, 1, 1], [0.5, 1, 2], 2);
    assert.ok(Math.abs(sum(w) - 3) < 1e-12 && w.every((v) => v > 0));
    assert.ok(w[2]! > w[1]! && w[1]! > w[0]!, 'the task whose loss fell least gets the most weight');
    assertCloseNumbers(dwaWeights([1, 1, 1], [0.5, 1, 2], 1e9), [1, 1, 1], 1e-8);
  });

  it('averages the losses over a period of steps; a task missing from a period gets r = 1', () => {
    const w = new DwaWeighting(2, { temperature: 1, period: 2 });
    combined(w, [4, 2]);
    combined(w, [2, 2]); // period 1: means (3, 2)
    combined(w, [1.5], [0]);
    combined(w, [1.5], [0]); // period 2: means (1.5, none)
    combined(w, [1, 1]); // period 3 uses r = (1.5/3, 1) = (0.5, 1)
    const e = [Math.exp(0.5), Math.exp(1)];
    assertCloseNumbers(
      w.weights(),
      e.map((v) => (2 * v) / (e[0]! + e[1]!)),
      1e-15,
    );
  });

  it('restore continues the same history', () => {
    const a = new DwaWeighting(2, { period: 1 });
    const b = new DwaWeighting(2, { period: 1 });
    for (const l of [
      [1, 2],
      [0.7, 1.9],
    ])
      combined(a, l);
    b.restore(JSON.parse(JSON.stringify(a.state())) as ReturnType<DwaWeighting['state']>);
    assert.equal(combined(b, [0.5, 1]), combined(a, [0.5, 1]));
    assert.deepEqual(b.weights(), a.weights());
    assert.throws(() => b.restore({ ...a.state(), history: [[1], [2], [3]] }), CheckpointError);
    assert.throws(() => new DwaWeighting(2, { temperature: 0 }), ConfigError);
    assert.throws(() => new DwaWeighting(2, { period: 1.5 }), ConfigError);
  });
});

describe('random loss weighting (Lin et al. 2022)', () => {
  it('weights are a softmax of normal draws: positive, summing to the scale, fresh each step', () => {
    const w = new RandomWeighting(3, { seed: 7 });
    const seen: number[][] = [];
    for (let step = 0; step < 5; step++) {
      const losses = [1, 2, 3];
      const total = combined(w, losses);
      const weights = w.weights();
      assert.ok(weights.every((v) => v > 0));
      assert.ok(Math.abs(sum(weights) - 1) < 1e-12);
      assert.ok(Math.abs(total - weights.reduce((s, v, k) => s + v * losses[k]!, 0)) < 1e-12);
      seen.push(weights);
    }
    assert.notDeepEqual(seen[0], seen[1]);
    const scaled = new RandomWeighting(3, { seed: 7, scale: 3 });
    combined(scaled, [1, 1, 1]);
    assertCloseNumbers(
      scaled.weights(),
      seen[0]!.map((v) => 3 * v),
      1e-12,
      'scale 3',
    );
  });

  it('is repeatable from the seed, differs across seeds, and continues after restore', () => {
    const draw = (w: RandomWeighting): number[] => (combined(w, [1, 1]), w.weights());
    const a = new RandomWeighting(2, { seed: 1 });
    const b = new RandomWeighting(2, { seed: 1 });
    const c = new RandomWeighting(2, { seed: 2 });
    const first = draw(a);
    assert.deepEqual(draw(b), first);
    assert.notDeepEqual(draw(c), first);
    const saved = JSON.parse(JSON.stringify(a.state())) as ReturnType<RandomWeighting['state']>;
    const next = draw(a);
    const d = new RandomWeighting(2, { seed: 99 });
    d.restore(saved);
    assert.deepEqual(d.weights(), first);
    assert.deepEqual(draw(d), next);
  });

  it('rank r of N weighs its micro-batch n by the draw a single process gives micro-batch n·N + r', () => {
    const draw = (w: RandomWeighting): number[] => (combined(w, [1, 1, 1]), w.weights());
    const one = new RandomWeighting(3, { seed: 5 });
    const sequence = Array.from({ length: 6 }, () => draw(one)); // one process: positions 0 … 5
    const ranks = [0, 1].map((rank) => new RandomWeighting(3, { seed: 5, rank, worldSize: 2 }));
    for (let n = 0; n < 3; n++) for (const w of ranks) assert.deepEqual(draw(w), sequence[n * 2 + w.rank]);
    assert.deepEqual(ranks[0]!.state().rng, ranks[1]!.state().rng, 'every rank’s generator in the same state');
    assert.throws(() => new RandomWeighting(3, { seed: 5, rank: 2, worldSize: 2 }), ConfigError);
  });

  it('draws standard normals, so each task’s mean weight is 1/K', () => {
    const rng = new Rng(3);
    const n = 100_000;
    const z = Array.from({ length: n }, () => normalDraw(rng));
    const mean = sum(z) / n;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    assert.ok(Math.abs(mean) < 0.02 && Math.abs(variance - 1) < 0.02, `mean ${mean}, variance ${variance}`);
    const totals = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) randomWeights(rng, 4).forEach((v, k) => (totals[k]! += v / 20_000));
    assertCloseNumbers(totals, [0.25, 0.25, 0.25, 0.25], 0.01);
  });
});

describe('createLossWeighting', () => {
  it('makes each method behind one interface; combine returns a scalar and frees everything else', () => {
    const shared = zeros([2]).requiresGrad_();
    const methods: WeightingMethod[] = ['static', 'uncertainty', 'gradnorm', 'dwa', 'random'];
    for (const method of methods) {
      const w = createLossWeighting({ method }, 2, { seed: 0, sharedParameters: [shared] });
      assert.equal(w.method, method);
      assert.equal(w.numTasks, 2);
      const inner = liveTensorCount();
      tidy(() => {
        const total = w.combine(stack([shared.sum().add(1), shared.mul(2).sum().add(2)]));
        assert.deepEqual(total.shape, []);
        total.backward();
      });
      shared.zeroGrad();
      w.parameters().forEach((p) => p.zeroGrad());
      assert.equal(liveTensorCount(), inner, `${method}: combine leaves no tensor behind`);
      assert.equal(w.weights().length, 2);
      const state = JSON.parse(JSON.stringify(w.state())) as ReturnType<LossWeighting['state']>;
      w.restore(state);
      w.dispose();
    }
    shared.dispose();
  });

  it('rejects unknown methods and missing context', () => {
    assert.throws(() => createLossWeighting({ method: 'nope' as WeightingMethod }, 2, { seed: 0 }), /expected one of static, uncertainty/);
    assert.throws(() => createLossWeighting({ method: 'gradnorm' }, 2, { seed: 0 }), /sharedParameters/);
    assert.throws(() => createLossWeighting({ method: 'random' }, 0, { seed: 0 }), /K ≥ 1/);
  });
});
