/**
 * The key/value cache's preallocated buffers against the plain definition: what `update` returns
 * equals the concatenation of every step's keys and values (torch.cat along T, as Hugging Face's
 * past_key_values grow), also past the buffers' first capacity (they double) and after `reorder`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyValueCache } from '../../src/generate/cache.js';
import { ShapeError } from '../../src/errors.js';
import { cat, indexSelect, randn, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

const flat = (t: Tensor): number[] => t.contiguous().toFlatArray() as number[];

describe('KeyValueCache', () => {
  it('returns the concatenation of the steps, past the first capacity (prompt + 64) and after reorder', () =>
    tidy(() => {
      const cache = new KeyValueCache();
      try {
        // R 3 rows, nkv 2 heads, hs 4; a prompt of 5 tokens, then 100 single steps (the buffers grow past 69)
        let keys = randn([3, 2, 5, 4]);
        let values = randn([3, 2, 5, 4]);
        cache.update(0, keys, values);
        for (let step = 0; step < 100; step++) {
          const k = randn([3, 2, 1, 4]);
          const v = randn([3, 2, 1, 4]);
          const got = cache.update(0, k, v);
          keys = cat([keys, k], 2);
          values = cat([values, v], 2);
          if (step === 30) {
            const index = tensor([2, 0, 0], { dtype: 'int64' }); // beams: row 2 first, row 0 twice
            cache.reorder(index);
            keys = indexSelect(keys, 0, index);
            values = indexSelect(values, 0, index);
          }
          if (step !== 30 && (step % 11 === 0 || step === 31 || step === 99)) {
            assert.deepEqual(got.key.shape, [3, 2, 6 + step, 4], `step ${step}: shape`);
            assert.deepEqual(flat(got.key), flat(keys), `step ${step}: keys`);
            assert.deepEqual(flat(got.value), flat(values), `step ${step}: values`);
          }
        }
        assert.equal(cache.length, 105);
      } finally {
        cache.dispose();
      }
    }));

  it('refuses keys that do not continue the cached ones', () =>
    tidy(() => {
      using cache = new KeyValueCache();
      cache.update(0, randn([2, 2, 3, 4]), randn([2, 2, 3, 4]));
      assert.throws(() => cache.update(0, randn([2, 3, 1, 4]), randn([2, 3, 1, 4])), ShapeError);
    }));
});
