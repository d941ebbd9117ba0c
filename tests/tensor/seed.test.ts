/**
 * Seeding and threads: manualSeed makes random draws repeatable (and equal to PyTorch's after
 * torch.manual_seed, tests/fixtures/seed.json from scripts/fixtures/seed.py); setNumThreads/getNumThreads.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { ConfigError } from '../../src/errors.js';
import { assertClose, loadFixture, type TensorFixture } from '../helpers/fixtures.js';

const { tidy, liveTensorCount, manualSeed } = T;

type Draws = Record<'randn' | 'rand' | 'randint' | 'dropout' | 'normal_' | 'randn20', TensorFixture>;
const fixture = loadFixture<{ seed: number; draws: Draws }>('seed');

/** The draws of seed.py, in its order. */
const draw = () =>
  tidy(() => ({
    randn: T.randn([5]),
    rand: T.rand([3]),
    randint: T.randint(0, 10, [4]),
    dropout: T.dropout(T.ones([10]), 0.5, true),
    normal_: T.ones([4]).normal_(1, 2),
    randn20: T.randn([20]),
  }));

let baseline = 0;
beforeEach(() => {
  baseline = liveTensorCount();
});
afterEach(() => {
  assert.equal(liveTensorCount(), baseline);
});

describe('manualSeed', () => {
  test('the same seed gives the same randn, rand, randint, dropout and normal_ draws', () => {
    manualSeed(7);
    const first = draw();
    manualSeed(7);
    const second = draw();
    for (const k of Object.keys(first) as (keyof Draws)[]) assert.deepEqual(second[k].toFlatArray(), first[k].toFlatArray(), k);
    manualSeed(8);
    const other = draw();
    assert.notDeepEqual(other.randn.toFlatArray(), first.randn.toFlatArray());
    T.dispose([first, second, other]);
  });

  test('draws equal PyTorch’s after torch.manual_seed', () => {
    manualSeed(fixture.seed);
    const got = draw();
    for (const k of Object.keys(fixture.draws) as (keyof Draws)[]) assertClose(got[k], fixture.draws[k], { rtol: 0, atol: 0, what: k });
    T.dispose(got);
  });

  test('rejects a seed that is not a non-negative integer', () => {
    assert.throws(() => manualSeed(-1), ConfigError);
    assert.throws(() => manualSeed(1.5), ConfigError);
  });
});

describe('threads', () => {
  test('setNumThreads sets what getNumThreads reports; results do not depend on it', () => {
    const original = T.getNumThreads();
    assert.ok(original >= 1);
    try {
      const product = (): number[] =>
        tidy(() => {
          manualSeed(3);
          return T.randn([64, 64])
            .matmul(T.randn([64, 64]))
            .sum(1)
            .toFlatArray() as number[];
        });
      T.setNumThreads(1);
      assert.equal(T.getNumThreads(), 1);
      const one = product();
      T.setNumThreads(2);
      assert.equal(T.getNumThreads(), 2);
      const two = product();
      one.forEach((v, i) => assert.ok(Math.abs(v - (two[i] as number)) <= 1e-4 * (1 + Math.abs(v)), `row ${i}`));
    } finally {
      T.setNumThreads(original);
    }
    assert.equal(T.getNumThreads(), original);
    assert.throws(() => T.setNumThreads(0), ConfigError);
    assert.throws(() => T.setNumThreads(1.5), ConfigError);
  });
});
