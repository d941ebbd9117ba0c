/**
 * First-order meta-learning (Nichol et al. 2018) on hand-checked cases: Reptile's update
 * θ ← θ + ε(φ − θ); FOMAML's outer gradient is the query loss's gradient at the adapted weights φ
 * (not at θ), and θ is put back after the episode.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fomamlGradients, innerSgd_, reptileGradients, reptileUpdate_ } from '../../src/mtl/meta/first-order.js';
import { dispose, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertCloseNumbers, checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

/** Squared error of a linear model, (x·w − y)², as a scalar tensor. */
const squaredError = (w: Tensor, x: number[], y: number): Tensor => w.mul(tensor(x)).sum().sub(y).pow(2);
const values = (t: Tensor) => t.toFlatArray() as number[];

describe('Reptile', () => {
  it('θ ← θ + ε(φ − θ): θ = (1, 2), φ = (3, −2), ε = 0.25 give (1.5, 1)', () => {
    const theta = [tensor([1, 2])];
    const phi = [tensor([3, -2])];
    reptileUpdate_(theta, phi, 0.25);
    assert.deepEqual(values(theta[0]!), [1.5, 1]);
    dispose([theta, phi]);
  });

  it('its outer gradient is θ − φ after the inner SGD steps, and θ is put back', () => {
    // w = (1, −1), support x = (1, 2), y = 0: residual −1, ∇ = 2·(−1)·x = (−2, −4); α = 0.1 → φ = (1.2, −0.6)
    const w = tensor([1, -1]).requiresGrad_();
    const { gradients, loss } = reptileGradients([w], () => squaredError(w, [1, 2], 0), 1, 0.1);
    assertCloseNumbers(values(gradients[0]!), [-0.2, -0.4], 1e-6, 'θ − φ');
    assert.equal(loss, 1);
    assert.deepEqual(values(w), [1, -1], 'θ is back');
    // an outer SGD step of ε on this gradient is Reptile's update
    const stepped = tidy(() => values(w.detach().sub(gradients[0]!.mul(0.5))));
    assertCloseNumbers(stepped, [1.1, -0.8], 1e-6, 'θ + ε(φ − θ) with ε = 0.5');
    dispose([w, gradients]);
  });
});

describe('FOMAML', () => {
  it('the outer gradient equals the query gradient at the adapted weights φ (one inner step, by hand)', () => {
    // φ = (1.2, −0.6) as above; query x = (2, 1), y = 1: residual 2.4 − 0.6 − 1 = 0.8 → ∇L_q(φ) = 1.6·(2, 1) = (3.2, 1.6).
    // At θ the query residual is 2 − 1 − 1 = 0: the gradient there would be (0, 0).
    const w = tensor([1, -1]).requiresGrad_();
    const { gradients, loss } = fomamlGradients(
      [w],
      () => squaredError(w, [1, 2], 0),
      () => squaredError(w, [2, 1], 1),
      1,
      0.1,
    );
    assertCloseNumbers(values(gradients[0]!), [3.2, 1.6], 1e-5, '∇L_q(φ)');
    assert.ok(Math.abs(loss - 0.64) < 1e-6, `query loss at φ: ${loss}`);
    assert.deepEqual(values(w), [1, -1], 'θ is back');
    dispose([w, gradients]);
  });

  it('with several inner steps and support batches, it equals ∇L_q computed at φ = U_k(θ) separately', () => {
    const support = [
      { x: [1, 2], y: 0 },
      { x: [-1, 0.5], y: 2 },
      { x: [0.3, -1], y: -1 },
    ];
    const query = { x: [2, 1], y: 1 };
    const w = tensor([1, -1]).requiresGrad_();
    const lossOf = (v: Tensor) => (i: number) => squaredError(v, support[i]!.x, support[i]!.y);
    const { gradients } = fomamlGradients([w], lossOf(w), () => squaredError(w, query.x, query.y), 3, 0.05);
    // the same steps on a separate copy, then the query gradient there by hand: 2·(x·φ − y)·x
    const phi = tensor([1, -1]).requiresGrad_();
    innerSgd_([phi], lossOf(phi), 3, 0.05);
    const [a, b] = values(phi);
    const r = 2 * (query.x[0]! * a! + query.x[1]! * b! - query.y);
    assertCloseNumbers(values(gradients[0]!), [r * query.x[0]!, r * query.x[1]!], 1e-5, '∇L_q(U_3(θ))');
    dispose([w, phi, gradients]);
  });
});
