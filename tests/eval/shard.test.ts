// Sharded evaluation's bookkeeping (src/eval/shard.ts): rank r of N owns batches r, r + N, …; the
// gathered outcomes are put back in batch order, and folding them gives the predictions and summed
// losses of one process that evaluated every batch in order — the same arithmetic in the same order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldOutcomes, gatherOutcomes, ownsBatch, type BatchOutcome, type EvalShard } from '../../src/eval/shard.js';

/** N in-process ranks whose allGather settles once every rank has called it (JSON round trip, as over the wire). */
function fakeRanks(n: number): EvalShard[] {
  let values: unknown[] = [];
  let waiting: ((all: unknown[]) => void)[] = [];
  return Array.from({ length: n }, (_, rank) => ({
    rank,
    worldSize: n,
    broadcastParameters: async () => undefined,
    allGather: (value: unknown) =>
      new Promise<unknown[]>((resolve) => {
        values[rank] = JSON.parse(JSON.stringify(value));
        waiting.push(resolve);
        if (waiting.length === n) {
          const [all, done] = [values, waiting];
          [values, waiting] = [[], []];
          for (const r of done) r(all);
        }
      }),
  }));
}

/** Batch i: predictions [10i, 10i + 1] for task a, loss (0.1 + i/7) over i + 1 rows; batch 2 has no loss (no labels). */
const outcome = (i: number): BatchOutcome<number> => ({
  batch: i,
  predictions: { a: [10 * i, 10 * i + 1] },
  losses: i === 2 ? {} : { a: [0.1 + i / 7, i + 1] },
});

describe('sharded evaluation', () => {
  it('gives rank r of N the batches r, r + N, …', () => {
    const [r0, r1, r2] = fakeRanks(3);
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6].filter((i) => ownsBatch(r1, i)),
      [1, 4],
    );
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6].filter((i) => ownsBatch(r0, i)),
      [0, 3, 6],
    );
    assert.deepEqual(
      [0, 1, 2].filter((i) => ownsBatch(r2, i)),
      [2],
    );
    assert.ok([0, 1, 2].every((i) => ownsBatch(undefined, i)));
  });

  it('folds 3 ranks’ gathered batches into exactly what one process gets from every batch in order', async () => {
    const batches = 8;
    const one = foldOutcomes(
      ['a'],
      await gatherOutcomes(
        undefined,
        Array.from({ length: batches }, (_, i) => outcome(i)),
      ),
    );
    const ranks = fakeRanks(3);
    const results = await Promise.all(
      ranks.map(async (shard) => {
        const own = Array.from({ length: batches }, (_, i) => i)
          .filter((i) => ownsBatch(shard, i))
          .map(outcome);
        return foldOutcomes(['a'], await gatherOutcomes(shard, own));
      }),
    );
    for (const r of results) {
      assert.deepEqual(r.predictions, one.predictions);
      assert.deepEqual(r.loss, one.loss); // bit-equal: the same sums in the same order
    }
    assert.deepEqual(one.predictions.get('a')!.slice(0, 4), [0, 1, 10, 11]);
    assert.equal(one.loss.get('a')!.n, 1 + 2 + 4 + 5 + 6 + 7 + 8);
  });
});
