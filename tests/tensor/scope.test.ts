/**
 * Memory scopes: tidy/keep/dispose/`using`, the live-tensor count, and native memory as V8 sees it.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { tensorMemory } from '../../src/tensor/scope.js';
import { ConfigError, DisposedError, TorchError } from '../../src/errors.js';

const { tensor, tidy, keep, dispose, liveTensorCount } = T;

let baseline = 0;
beforeEach(() => {
  baseline = liveTensorCount();
});
afterEach(() => {
  assert.equal(liveTensorCount(), baseline, 'the count returns to its baseline');
});

describe('tidy', () => {
  test('frees every tensor made inside except the one returned', () => {
    const x = tensor([1, 2, 3]);
    const y = tidy(() => x.mul(2).add(1).sub(3).mul(x));
    assert.equal(liveTensorCount(), baseline + 2);
    assert.deepEqual(y.toFlatArray(), [0, 4, 12]);
    assert.equal(x.isDisposed, false, 'a tensor made outside is not touched');
    dispose([x, y]);
  });

  test('finds returned tensors nested in arrays, plain objects and Maps', () => {
    const out = tidy(() => {
      const a = tensor([1]);
      a.add(1); // freed
      return { list: [a, { deep: tensor([2]) }], map: new Map([['k', tensor([3])]]), n: 4 };
    });
    assert.equal(liveTensorCount(), baseline + 3);
    assert.deepEqual(out.map.get('k')?.toFlatArray(), [3]);
    dispose(out);
    assert.equal(out.list[0] instanceof T.Tensor && out.list[0].isDisposed, true);
  });

  test('keep() exempts a tensor from every scope', () => {
    let kept: T.Tensor | undefined;
    tidy(() =>
      tidy(() => {
        kept = keep(tensor([1, 2]).mul(3));
        tensor([9]);
      }),
    );
    assert.equal(liveTensorCount(), baseline + 1);
    assert.deepEqual(kept?.toFlatArray(), [3, 6]);
    kept?.dispose();
  });

  test('returned tensors move to the enclosing scope and are freed when it ends', () => {
    tidy(() => {
      const before = liveTensorCount();
      const inner = tidy(() => tensor([1, 2]).mul(2));
      assert.equal(liveTensorCount(), before + 1, 'only the returned tensor survives the inner scope');
      assert.deepEqual(inner.toFlatArray(), [2, 4]);
      const two = tidy(() => tidy(() => [tensor([5]), tensor([6]).neg()]));
      assert.equal(liveTensorCount(), before + 3);
      assert.deepEqual(two[1]?.toFlatArray(), [-6]);
    });
  });

  test('a tensor made outside any scope and returned stays with its owner', () => {
    const x = tensor([1]);
    const same = tidy(() => tidy(() => x));
    assert.equal(same, x);
    assert.equal(x.isDisposed, false);
    x.dispose();
  });

  test('a throwing fn frees what it made and the scopes stay consistent', () => {
    assert.throws(
      () =>
        tidy(() => {
          tensor([1, 2]).mul(2);
          tidy(() => tensor([3]));
          throw new Error('boom');
        }),
      /boom/,
    );
    assert.equal(liveTensorCount(), baseline);
    const outside = tensor([1]); // not tracked by a stale scope
    tidy(() => {
      tensor([2]);
    });
    assert.equal(outside.isDisposed, false);
    outside.dispose();
  });

  test('a libtorch error inside tidy frees the tensors made before it', () => {
    assert.throws(() => tidy(() => tensor([1, 2]).add(tensor([1, 2, 3]))), TorchError);
  });

  test('an async fn, or one returning a promise, is refused and leaks nothing', async () => {
    assert.throws(() => tidy(async () => tensor([1])), ConfigError);
    let pending: Promise<unknown> | undefined;
    assert.throws(
      () =>
        tidy(() => {
          tensor([1]);
          pending = Promise.resolve(tensor([2]));
          return pending;
        }),
      (e: unknown) => e instanceof ConfigError && /await/.test(e.message),
    );
    await pending;
    assert.equal(liveTensorCount(), baseline);
  });

  test('tensors disposed inside are not disposed again; a long loop in one scope stays correct', () => {
    const kept: T.Tensor[] = [];
    tidy(() => {
      const x = tensor([1, 2, 3]);
      for (let i = 0; i < 5000; i++) {
        const y = x.mul(i);
        if (i % 500 === 0) kept.push(y);
        else y.dispose();
      }
      assert.equal(liveTensorCount(), baseline + 1 + kept.length);
      assert.deepEqual(kept[3]?.toFlatArray(), [1500, 3000, 4500]);
    });
    assert.ok(kept.every((t) => t.isDisposed));
  });
});

describe('dispose and using', () => {
  test('dispose() frees tensors in nested values and is idempotent; a disposed tensor throws DisposedError', () => {
    const t = tensor([1, 2]);
    const nested = { a: [tensor([3])], m: new Map([[1, tensor([4])]]) };
    dispose([t, nested]);
    dispose(t);
    t.dispose();
    assert.equal(liveTensorCount(), baseline);
    assert.throws(() => t.add(1), DisposedError);
    assert.throws(
      () => t.shape,
      (e: unknown) => e instanceof DisposedError && e.code === 'ERR_DISPOSED',
    );
    assert.equal(String(t), 'Tensor(disposed)');
  });

  test('`using` disposes at the end of the block, also on an early exit or a throw', () => {
    {
      using a = tensor([1, 2]);
      using b = a.mul(2);
      assert.equal(liveTensorCount(), baseline + 2);
      assert.deepEqual(b.toFlatArray(), [2, 4]);
    }
    assert.equal(liveTensorCount(), baseline);
    const early = (): number => {
      using c = tensor([3]);
      return c.item() as number;
    };
    assert.equal(early(), 3);
    assert.throws(() => {
      using d = tensor([4]);
      throw new Error(`boom ${d.numel}`);
    }, /boom 1/);
    assert.equal(liveTensorCount(), baseline);
    // Inside tidy, a tensor already freed by `using` is skipped by the scope.
    tidy(() => {
      using e = tensor([5]);
      e.add(1);
    });
  });
});

describe('native memory is visible to V8', () => {
  test('a large tensor raises the reported external memory by its size; disposing lowers it', () => {
    const bytes = 64 * 1024 * 1024; // 16 Mi float32 elements
    const before = tensorMemory();
    const big = T.zeros([16, 1024, 1024]);
    const during = tensorMemory();
    assert.equal(during.tensorBytes - before.tensorBytes, bytes);
    // V8's total also moves with ArrayBuffers the GC frees meanwhile (those of earlier reads): allow 4 MiB.
    const slack = 4 * 1024 * 1024;
    const told = during.v8ExternalBytes - before.v8ExternalBytes;
    assert.ok(Math.abs(told - bytes) < slack, `V8 was told about the storage: its external total moved by ${told}, not ${bytes}`);
    // Views and aliases of one storage count once.
    const views = [big.reshape([-1]), big.contiguous(), big.slice(0, 0, 4), big.detach()];
    assert.equal(tensorMemory().tensorBytes - before.tensorBytes, bytes);
    big.dispose();
    assert.equal(tensorMemory().tensorBytes - before.tensorBytes, bytes, 'a view keeps the storage alive');
    dispose(views);
    const after = tensorMemory();
    assert.equal(after.tensorBytes, before.tensorBytes);
    assert.ok(Math.abs(after.v8ExternalBytes - before.v8ExternalBytes) < slack, 'and about its release');
  });

  test('small tensors are reported in batches, and the total is exact once flushed', () => {
    const before = tensorMemory();
    const small = tidy(() => Array.from({ length: 100 }, (_, i) => tensor([i, i, i, i]))); // 16 bytes each
    assert.equal(tensorMemory().tensorBytes - before.tensorBytes, 1600);
    dispose(small);
    assert.equal(tensorMemory().tensorBytes, before.tensorBytes);
  });
});
