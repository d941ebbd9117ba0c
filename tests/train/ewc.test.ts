/** EWC (Kirkpatrick et al. 2017): the penalty, its gradient and the diagonal Fisher on hand-checked cases. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ewc, fisherDiagonal } from '../../src/train/ewc.js';
import { copy_, grad, mul, noGrad, randn, sub, sum, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertCloseNumbers, checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

const values = (t: Tensor) => Array.from(t.dataSync() as Float32Array);

describe('EWC penalty', () => {
  it('is λ/2 Σ F (θ − θ*)², and adds λ F (θ − θ*) to the gradients', () => {
    const theta = tensor([0, 1], { requiresGrad: true }); // θ* = (0, 1)
    using ewc = new Ewc([theta], [tensor([0.5, 2])], 2);
    assert.equal(ewc.penalty(), 0, 'no penalty at θ*');
    tidy(() => noGrad(() => copy_(theta, tensor([1, 2])))); // θ − θ* = (1, 1)
    assert.equal(ewc.penalty(), 2.5); // 2/2 · (0.5·1 + 2·1)
    ewc.addGradients(); // λ F (θ − θ*) = 2 · (0.5, 2)
    tidy(() => assert.deepEqual(values(theta.grad!), [1, 4]));
    ewc.addGradients(); // accumulates onto the gradient there
    tidy(() => assert.deepEqual(values(theta.grad!), [2, 8]));
    theta.dispose();
  });

  it('adds the gradient autograd gives for the penalty', () => {
    const w = randn([3, 4], { requiresGrad: true });
    const b = randn([4], { requiresGrad: true });
    using ewc = new Ewc([w, b], [tidy(() => randn([3, 4]).abs()), tidy(() => randn([4]).abs())], 7);
    tidy(() =>
      noGrad(() => {
        w.add_(randn([3, 4]));
        b.add_(randn([4]));
      }),
    );
    const expected = tidy(() => grad(ewc.penaltyTensor(), [w, b]).map((g) => values(g!)));
    ewc.addGradients();
    tidy(() => {
      assertCloseNumbers(values(w.grad!), expected[0]!, 1e-5, 'w');
      assertCloseNumbers(values(b.grad!), expected[1]!, 1e-5, 'b');
    });
    w.dispose();
    b.dispose();
  });
});

describe('diagonal Fisher', () => {
  it('is the mean of squared per-example gradients (two examples of a linear least-squares loss, by hand)', () => {
    // loss_i = ½ (w·x_i − y_i)², w = (1, −1): x₁ = (1, 2), y₁ = 0 → r = −1, g = (−1, −2); x₂ = (3, 1), y₂ = 1 → r = 1, g = (3, 1)
    const w = tensor([1, -1], { requiresGrad: true });
    const unused = tensor([5], { requiresGrad: true });
    const xs = [tensor([1, 2]), tensor([3, 1])];
    const ys = [0, 1];
    const fisher = fisherDiagonal([w, unused], 2, (i) => {
      const r = sub(sum(mul(w, xs[i]!)), ys[i]!);
      return mul(mul(r, r), 0.5);
    });
    assert.deepEqual(values(fisher[0]!), [5, 2.5]); // ((1 + 9)/2, (4 + 1)/2)
    assert.deepEqual(values(fisher[1]!), [0], 'a parameter the loss does not reach: 0');
    for (const t of [...fisher, w, unused, ...xs]) t.dispose();
  });
});
