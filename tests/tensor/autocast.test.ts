// Autocast regions: inside, a listed op (matmul) runs in bfloat16 exactly as on inputs cast to
// bfloat16 by hand (the definition of autocast's lower-precision list); parameters and their
// gradients stay float32; the region's state is restored on return and on throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { autocast, isAutocast } from '../../src/tensor/autocast.js';
import { cast, liveTensorCount, randn, manualSeed, tidy } from '../../src/tensor/index.js';

describe('autocast (CPU, bfloat16)', () => {
  it('runs matmul in bfloat16, equal to the matmul of inputs cast to bfloat16 by hand', () => {
    const before = liveTensorCount();
    tidy(() => {
      manualSeed(3);
      const x = randn([4, 8]);
      const w = randn([8, 5]);
      const y = autocast('bfloat16', () => x.matmul(w));
      assert.equal(y.dtype, 'bfloat16');
      assert.deepEqual(cast(y, 'float32').toArray(), cast(cast(x, 'bfloat16').matmul(cast(w, 'bfloat16')), 'float32').toArray());
      assert.equal(x.matmul(w).dtype, 'float32', 'outside the region: float32');
    });
    assert.equal(liveTensorCount(), before);
  });

  it('keeps float32 parameters and gradients, near the float32 gradients', () => {
    tidy(() => {
      manualSeed(4);
      const x = randn([16, 32]);
      const w = randn([32, 8], { requiresGrad: true });
      const loss = autocast('bfloat16', () => x.matmul(w).tanh().sum());
      loss.backward();
      const g16 = w.grad!;
      assert.equal(g16.dtype, 'float32');
      w.zeroGrad();
      x.matmul(w).tanh().sum().backward();
      const g32 = w.grad!;
      const err = (g16.sub(g32).abs().max().item() as number) / (g32.abs().max().item() as number);
      assert.ok(err < 0.05 && err > 0, `relative difference ${err}`); // bfloat16 keeps 8 bits of mantissa
      w.zeroGrad();
    });
  });

  it('nests, restores the state after a throw, and refuses float16 on the CPU', () => {
    assert.equal(isAutocast(), false);
    autocast('bfloat16', () => {
      autocast('bfloat16', () => assert.equal(isAutocast(), true));
      assert.equal(isAutocast(), true);
    });
    assert.throws(() =>
      autocast('bfloat16', () => {
        throw new Error('inside');
      }),
    );
    assert.equal(isAutocast(), false);
    assert.throws(() => autocast('float16', () => 0), ConfigError);
  });
});
