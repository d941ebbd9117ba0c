/**
 * The fused AdamW kernel (native/adamw.cc) against the op-by-op update (`fused: false`, torch's
 * `_single_tensor_adamw` operation for operation, itself checked against torch in adamw.test.ts):
 * the same bits after several steps, for sizes that exercise the vector body and every tail length,
 * with and without weight decay, AMSGrad and maximize; other dtypes and layouts take the op path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { AdamW, type AdamWOptions } from '../../src/optim/adamw.js';

/** Runs `steps` AdamW steps from the same start on a copy per setting of `fused`; returns both final parameters and the flags. */
function run(size: number[], options: AdamWOptions, steps: number, dtype: 'float32' | 'float64' = 'float32') {
  return T.tidy(() => {
    T.manualSeed(size.reduce((a, b) => a * b, 1));
    const start = T.randn(size, { dtype });
    const grads = Array.from({ length: steps }, (_, i) => T.randn(size, { dtype }).mul(0.5 + i)); // growing gradients
    const out = [true, false].map((fused) => {
      const p = start.clone().requiresGrad_();
      const opt = new AdamW([p], { lr: 0.01, ...options, fused });
      for (const g of grads) {
        p.grad = g.clone();
        opt.step();
      }
      opt.zeroGrad();
      opt.dispose();
      return { values: T.noGrad(() => p.detach().dataSync()) as Float32Array | Float64Array, fused: opt.fused };
    });
    return { fused: out[0]!.values, reference: out[1]!.values, flags: out.map((o) => o.fused) };
  });
}

const firstDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
};

describe('fused AdamW', () => {
  const settings: [string, AdamWOptions][] = [
    ['defaults', {}],
    ['no weight decay', { weightDecay: 0 }],
    ['custom betas and eps', { betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.1 }],
    ['amsgrad', { amsgrad: true }],
    ['maximize', { maximize: true }],
  ];
  for (const [name, options] of settings) {
    it(`gives the op-by-op bits: ${name}`, () => {
      const baseline = T.liveTensorCount();
      for (const size of [[1], [7], [8], [15], [16], [17], [31], [33], [64, 37], [100003]]) {
        const { fused, reference, flags } = run(size, options, 6);
        assert.deepEqual(flags, [true, false], 'the option is kept');
        const at = firstDifference(fused, reference);
        assert.equal(at, -1, `size [${size}], element ${at}: fused ${fused[at]}, op by op ${reference[at]}`);
      }
      assert.equal(T.liveTensorCount(), baseline, 'no tensor leaked');
    });
  }

  it('leaves float64 parameters to the op-by-op path (the same result either way)', () => {
    const { fused, reference } = run([50], {}, 3, 'float64');
    assert.equal(firstDifference(fused, reference), -1, 'float64 results agree');
  });

  it('rejects a non-boolean fused option', () => {
    const p = T.tensor([1, 2]).requiresGrad_();
    assert.throws(() => new AdamW([p], { fused: 'yes' as unknown as boolean }), /fused must be a boolean/);
    p.dispose();
  });
});
