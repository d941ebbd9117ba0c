import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { LengthBucketBatcher } from '../../src/data/batcher.js';

/** Lengths 1…50 in a scrambled order, so data order is not length order. */
const LENGTHS = Array.from({ length: 200 }, (_, i) => 1 + ((i * 37) % 50));

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const padded = (batch: readonly number[], lengths: readonly number[]) => batch.length * Math.max(...batch.map((i) => lengths[i]!));

describe('LengthBucketBatcher', () => {
  it('every example exactly once per epoch, batches of at most batchSize', () => {
    const b = new LengthBucketBatcher(LENGTHS, { batchSize: 16, seed: 7 });
    for (const epoch of [0, 1, 5]) {
      const batches = b.epochBatches(epoch);
      assert.deepEqual(
        sorted(batches.flat()),
        LENGTHS.map((_, i) => i),
      );
      assert.ok(batches.every((x) => x.length >= 1 && x.length <= 16));
    }
  });

  it('bucketing pads far less than random batches', () => {
    const b = new LengthBucketBatcher(LENGTHS, { batchSize: 10, poolSize: 200, seed: 1 });
    const bucketed = b.epochBatches(0).reduce((s, x) => s + padded(x, LENGTHS), 0);
    const plain = Array.from({ length: 20 }, (_, k) => LENGTHS.map((_, i) => i).slice(k * 10, k * 10 + 10)).reduce(
      (s, x) => s + padded(x, LENGTHS),
      0,
    );
    const real = LENGTHS.reduce((a, n) => a + n, 0);
    assert.ok(bucketed - real < 0.1 * (plain - real), `padding ${bucketed - real} vs ${plain - real}`);
    // one pool: each batch holds a run of the sorted lengths
    for (const x of b.epochBatches(0)) assert.ok(Math.max(...x.map((i) => LENGTHS[i]!)) - Math.min(...x.map((i) => LENGTHS[i]!)) <= 2);
  });

  it('maxTokens bounds rows × longest, an over-long example alone in its batch', () => {
    const lengths = [...LENGTHS, 300];
    const b = new LengthBucketBatcher(lengths, { batchSize: 64, maxTokens: 120, seed: 3 });
    const batches = b.epochBatches(0);
    for (const x of batches) assert.ok(padded(x, lengths) <= 120 || x.length === 1, `batch of ${x.length}`);
    assert.ok(batches.some((x) => x.length === 1 && x[0] === 200));
    assert.deepEqual(
      sorted(batches.flat()),
      lengths.map((_, i) => i),
    );
  });

  it('deterministic for a seed; epochs and seeds differ', () => {
    const a = new LengthBucketBatcher(LENGTHS, { batchSize: 8, poolSize: 64, seed: 42 });
    const b = new LengthBucketBatcher(LENGTHS, { batchSize: 8, poolSize: 64, seed: 42 });
    const c = new LengthBucketBatcher(LENGTHS, { batchSize: 8, poolSize: 64, seed: 43 });
    assert.deepEqual(a.epochBatches(0), b.epochBatches(0));
    assert.deepEqual(a.epochBatches(3), b.epochBatches(3));
    assert.notDeepEqual(a.epochBatches(0), a.epochBatches(1));
    assert.notDeepEqual(a.epochBatches(0), c.epochBatches(0));
  });

  it('without shuffle: data-order pools, batches in order, the same every epoch', () => {
    const b = new LengthBucketBatcher([5, 1, 4, 2, 3, 9, 7, 8], { batchSize: 2, poolSize: 4, shuffle: false });
    assert.deepEqual(b.epochBatches(0), [
      [1, 3],
      [2, 0],
      [4, 6],
      [7, 5],
    ]);
    assert.deepEqual(b.epochBatches(2), b.epochBatches(0));
    assert.deepEqual(
      [...b.remaining()].map((x) => x.indices),
      b.epochBatches(0),
    );
    assert.deepEqual(b.state, { epoch: 0, position: 4 }); // the epoch is over; next() starts epoch 1
  });

  it('next() runs across epochs; a saved state resumes exactly (through JSON)', () => {
    const a = new LengthBucketBatcher(LENGTHS, { batchSize: 32, seed: 9 });
    const perEpoch = a.epochBatches(0).length;
    const first = Array.from({ length: perEpoch + 3 }, () => a.next());
    assert.deepEqual(first[perEpoch]!, { indices: a.epochBatches(1)[0], epoch: 1, position: 0 });
    const saved = JSON.parse(JSON.stringify(a.state)) as { epoch: number; position: number };
    assert.deepEqual(saved, { epoch: 1, position: 3 });
    const rest = Array.from({ length: 10 }, () => a.next());
    const b = new LengthBucketBatcher(LENGTHS, { batchSize: 32, seed: 9 });
    b.loadState(saved);
    assert.deepEqual(
      Array.from({ length: 10 }, () => b.next()),
      rest,
    );
    assert.throws(() => b.loadState({ epoch: 0, position: perEpoch + 1 }), /past the \d+ batches of epoch 0/);
  });

  it('checks its options and lengths', () => {
    assert.throws(
      () => new LengthBucketBatcher([3], { batchSize: 0 }),
      (e: unknown) => e instanceof ConfigError && /batchSize must be an integer >= 1, got 0/.test(e.message),
    );
    assert.throws(() => new LengthBucketBatcher([3, 0], { batchSize: 2 }), /example 1 has length 0/);
    assert.throws(() => new LengthBucketBatcher([3], { batchSize: 2, batch: 3 } as never), /unknown option 'batch'/);
    assert.throws(() => new LengthBucketBatcher([], { batchSize: 2 }).next(), /no examples/);
    assert.deepEqual(new LengthBucketBatcher([], { batchSize: 2 }).epochBatches(0), []);
  });
});
