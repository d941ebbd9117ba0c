// GradScaler against torch.cuda.amp.GradScaler's documented update rule (torch 1.13's
// _amp_update_scale_ and _amp_foreach_non_finite_check_and_unscale_), on hand-checked cases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { GradScaler, gradScalerStateFromJson, gradScalerToJson } from '../../src/optim/grad-scaler.js';
import { SGD } from '../../src/optim/sgd.js';
import { dispose, liveTensorCount, tensor, tidy, type Tensor } from '../../src/tensor/index.js';

/** w = [1, 2] under SGD(lr 1); the scaled loss (w · [3, 4]) × scale back-propagated: grad = [3, 4] × scale. */
function setUp(scaler: GradScaler): { w: Tensor; optimizer: SGD } {
  const w = tensor([1, 2], { requiresGrad: true });
  const optimizer = new SGD([w], { lr: 1 });
  tidy(() => scaler.scaleLoss(w.mul(tensor([3, 4])).sum()).backward());
  return { w, optimizer };
}

describe('GradScaler', () => {
  it('unscales the gradients and steps: w − lr·grad with the true gradient; the scale is kept until the interval', () => {
    const before = liveTensorCount();
    const scaler = new GradScaler({ initScale: 1024, growthInterval: 3 });
    const { w, optimizer } = setUp(scaler);
    tidy(() => assert.deepEqual(w.grad?.toArray(), [3 * 1024, 4 * 1024]));
    assert.equal(scaler.step(optimizer), true);
    scaler.update();
    assert.deepEqual(w.toArray(), [1 - 3, 2 - 4]);
    assert.deepEqual(scaler.state, { scale: 1024, growthTracker: 1 });
    optimizer.dispose();
    dispose(w);
    assert.equal(liveTensorCount(), before);
  });

  it('skips the step when a gradient holds inf or NaN and halves the scale, resetting the growth tracker', () => {
    for (const bad of [Infinity, NaN]) {
      const scaler = new GradScaler({ initScale: 2 ** 16 });
      const { w, optimizer } = setUp(scaler);
      scaler.step(optimizer);
      scaler.update(); // one good step: tracker 1
      optimizer.zeroGrad();
      tidy(() => (w.grad = tensor([bad, 1]))); // an overflowed float16 gradient, injected
      const taken = scaler.step(optimizer);
      scaler.update();
      assert.equal(taken, false);
      assert.deepEqual(w.toArray(), [-2, -2], 'the parameters keep the values of the good step');
      assert.deepEqual(scaler.state, { scale: 2 ** 15, growthTracker: 0 });
      optimizer.dispose();
      dispose(w);
    }
  });

  it('doubles the scale after growthInterval steps in a row without inf, unless the doubled scale overflows float32', () => {
    const scaler = new GradScaler({ initScale: 8, growthInterval: 2 });
    const { w, optimizer } = setUp(scaler);
    const scales: number[] = [];
    for (let i = 0; i < 5; i++) {
      scaler.step(optimizer);
      scaler.update();
      scales.push(scaler.scale);
    }
    assert.deepEqual(scales, [8, 16, 16, 32, 32]);
    const top = new GradScaler({ initScale: 2 ** 127, growthInterval: 1 });
    top.step(optimizer);
    top.update();
    assert.equal(top.scale, 2 ** 127); // 2^128 is inf in float32: kept
    optimizer.dispose();
    dispose(w);
  });

  it("saves its state with torch's state_dict keys and reads it back; a bad saved state is a CheckpointError", () => {
    const scaler = new GradScaler({ initScale: 8, growthInterval: 3 });
    const { w, optimizer } = setUp(scaler);
    scaler.step(optimizer);
    scaler.update();
    const saved = gradScalerToJson(scaler);
    assert.deepEqual(saved, { scale: 8, growth_factor: 2, backoff_factor: 0.5, growth_interval: 3, _growth_tracker: 1 });
    const resumed = new GradScaler({ growthInterval: 3 });
    resumed.loadState(gradScalerStateFromJson(JSON.parse(JSON.stringify(saved)), 'ckpt'));
    assert.deepEqual(resumed.state, scaler.state);
    assert.throws(() => gradScalerStateFromJson({ scale: 0, _growth_tracker: 0 }, 'ckpt'), CheckpointError);
    assert.throws(() => gradScalerStateFromJson({ scale: 8, _growth_tracker: -1 }, 'ckpt'), /ckpt: grad_scaler_state._growth_tracker/);
    optimizer.dispose();
    dispose(w);
  });

  it("refuses torch's invalid settings and an update without a step", () => {
    assert.throws(() => new GradScaler({ growthFactor: 1 }), ConfigError);
    assert.throws(() => new GradScaler({ backoffFactor: 1 }), ConfigError);
    assert.throws(() => new GradScaler({ initScale: 0 }), ConfigError);
    assert.throws(() => new GradScaler().update(), /needs a step/);
  });
});
