// Activation checkpointing (src/tensor/checkpoint.ts, native/checkpoint.cc): gradients through a
// checkpointed block equal those of the plain block (within 1e-6), with dropout (the generator state
// of the forward is replayed in the re-run, and the generator's own state is left as without
// checkpointing), under bf16 autocast, through grad() as gradient surgery calls it, and without
// leaking tensors; the block's activations are not kept (it runs once in forward, again in backward).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import { autocast, checkpoint, dropout, gelu, grad, manualSeed, noGrad, rand, randn, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertCloseNumbers, checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

/** A small block: y = dropout(gelu(x W1ᵀ + bias) W2ᵀ) + x, with an additive bias input (as an attention bias). */
function makeParams(): Tensor[] {
  manualSeed(3);
  return noGrad(() => [randn([8, 4]), randn([4, 8]), randn([4])]).map((p) => p.requiresGrad_(true));
}
const block = (params: Tensor[], x: Tensor, bias: Tensor): Tensor => {
  const [w1, w2] = params as [Tensor, Tensor];
  return dropout(gelu(x.matmul(w1.transpose(0, 1)).add(bias.mean().mul(0))).matmul(w2.transpose(0, 1)), 0.5, true)
    .add(x)
    .mul(params[2]!);
};

/**
 * Runs two blocks (the first maybe checkpointed) from seed 11 and back-propagates; returns the
 * gradients of the parameters and of x, and a draw of the generator after backward.
 */
function gradsOf(checkpointed: boolean, precision: 'fp32' | 'bf16' = 'fp32'): { grads: number[][]; after: number[] } {
  const params = makeParams();
  try {
    return tidy(() => {
      manualSeed(11);
      const x = randn([2, 3, 4]).requiresGrad_(true);
      const bias = randn([2, 3, 4]);
      const forward = (): Tensor => {
        const h = checkpointed ? checkpoint((a, b) => [block(params, a, b)], [x, bias], params)[0]! : block(params, x, bias);
        return block(params, h, bias).pow(2).sum(); // a second, plain use of the same parameters after it
      };
      const loss = precision === 'bf16' ? autocast('bfloat16', forward) : forward();
      loss.backward();
      const after = rand([4]).toFlatArray() as number[];
      const grads = [x, ...params].map((t) => t.grad!.to('float32').toFlatArray() as number[]);
      return { grads, after };
    });
  } finally {
    for (const p of params) p.dispose();
  }
}

describe('checkpoint', () => {
  it('gives the gradients of the plain block (dropout masks agree), and leaves the generator where the plain run does', () => {
    const plain = gradsOf(false);
    const ckpt = gradsOf(true);
    plain.grads.forEach((g, i) => assertCloseNumbers(ckpt.grads[i]!, g, 1e-6, `gradient ${i}`));
    assert.deepEqual(ckpt.after, plain.after, 'the re-run restores the generator state');
    assert.ok(plain.grads[1]!.some((v) => v === 0) || plain.grads[0]!.some((v) => v !== 0));
  });

  it('would differ without the generator replayed: another dropout mask gives other gradients', () => {
    const plain = gradsOf(false);
    const params = makeParams();
    try {
      const other = tidy(() => {
        manualSeed(11);
        const x = randn([2, 3, 4]).requiresGrad_(true);
        const bias = randn([2, 3, 4]);
        manualSeed(12); // another mask for the first block
        const h = block(params, x, bias);
        block(params, h, bias).pow(2).sum().backward();
        return x.grad!.toFlatArray() as number[];
      });
      assert.ok(
        other.some((v, i) => Math.abs(v - plain.grads[0]![i]!) > 1e-3),
        'the test can tell masks apart',
      );
    } finally {
      for (const p of params) p.dispose();
    }
  });

  it('gives the plain gradients under bf16 autocast too', () => {
    const plain = gradsOf(false, 'bf16');
    const ckpt = gradsOf(true, 'bf16');
    plain.grads.forEach((g, i) => assertCloseNumbers(ckpt.grads[i]!, g, 1e-6, `gradient ${i}`));
  });

  it('returns the gradients through grad() without accumulating into .grad (as gradient surgery asks)', () => {
    const params = makeParams();
    try {
      tidy(() => {
        manualSeed(11);
        const x = randn([2, 3, 4]).requiresGrad_(true);
        const bias = randn([2, 3, 4]);
        const [h] = checkpoint((a, b) => [block(params, a, b)], [x, bias], params);
        const got = grad(h!.sum(), params);
        assert.ok(
          params.every((p) => p.grad === undefined),
          '.grad untouched',
        );
        manualSeed(11);
        randn([2, 3, 4]);
        randn([2, 3, 4]);
        const want = grad(block(params, x, bias).sum(), params);
        want.forEach((g, i) => assertCloseNumbers(got[i]!.toFlatArray() as number[], g!.toFlatArray() as number[], 1e-6, `param ${i}`));
      });
    } finally {
      for (const p of params) p.dispose();
    }
  });

  it('runs the function once in forward and once more in backward, without gradients the first time', () => {
    const params = makeParams();
    const calls: boolean[] = [];
    try {
      tidy(() => {
        const x = randn([2, 3, 4]).requiresGrad_(true);
        const bias = randn([2, 3, 4]);
        const [h] = checkpoint(
          (a, b) => {
            const y = block(params, a, b);
            calls.push(y.requiresGrad);
            return [y];
          },
          [x, bias],
          params,
        );
        assert.deepEqual(calls, [false], 'forward records no graph inside the block');
        assert.equal(h!.requiresGrad, true);
        h!.sum().backward();
        assert.deepEqual(calls, [false, true]);
      });
    } finally {
      for (const p of params) p.dispose();
    }
  });

  it("throws the function's own error in the forward, and refuses a repeated output", () => {
    tidy(() => {
      const x = randn([2]).requiresGrad_(true);
      assert.throws(
        () =>
          checkpoint(
            () => {
              throw new RangeError('inside');
            },
            [x],
            [],
          ),
        RangeError,
      );
      assert.throws(() => checkpoint((a) => [a, a], [x], []), ShapeError);
    });
  });
});
