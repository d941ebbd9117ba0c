import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dispose, liveTensorCount, tensor, zeros, type Tensor } from '../../src/tensor/index.js';
import { clipGradNorm } from '../../src/optim/clip.js';
import { assertClose, fromFixture, values, type TensorFixture } from '../helpers/fixtures.js';
import { fixture, tol } from './optim-fixture.js';

describe('clipGradNorm matches torch.nn.utils.clip_grad_norm_ (torch 1.13)', () => {
  for (const [name, c] of Object.entries(fixture.clip)) {
    it(name, () => {
      const baseline = liveTensorCount();
      const dtype = c.total_norm.dtype as 'float32' | 'float64';
      const params: Tensor[] = c.grads.map((g, i) => {
        const p = zeros(fixture.initial[i]!.shape, { dtype, requiresGrad: true });
        if (g !== null) {
          const t = fromFixture(g);
          p.grad = t;
          t.dispose();
        }
        return p;
      });
      const normType = values({ dtype: 'float64', shape: [], data: [c.norm_type] })[0] as number;
      const total = clipGradNorm(params, c.max_norm, normType);
      assertClose(total, c.total_norm, { ...tol(dtype), what: `${name} total norm` });
      params.forEach((p, i) => {
        const expected = c.clipped[i];
        const g = p.grad;
        if (expected === null || expected === undefined) assert.equal(g, undefined);
        else assertClose(g as Tensor, expected as TensorFixture, { ...tol(dtype), what: `${name} grad ${i}` });
        g?.dispose();
      });
      dispose([total, ...params]);
      assert.equal(liveTensorCount(), baseline);
    });
  }

  it('returns a 0-d zero when no parameter has a gradient', () => {
    const p = zeros([3], { requiresGrad: true });
    const total = clipGradNorm([p], 1);
    assert.deepEqual(total.shape, []);
    assert.equal(total.item(), 0);
    dispose([p, total]);
  });

  it('accepts a single tensor and leaves small gradients unchanged (factor clamped to 1)', () => {
    const p = zeros([2], { requiresGrad: true });
    const g = tensor([0.3, 0.4]);
    p.grad = g;
    const total = clipGradNorm(p, 10);
    assert.ok(Math.abs((total.item() as number) - 0.5) < 1e-7);
    assert.deepEqual(g.toFlatArray(), tensor([0.3, 0.4]).toFlatArray());
    dispose([p, g, total]);
  });
});
