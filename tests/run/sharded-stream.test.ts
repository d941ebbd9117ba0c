import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { ShardedTrainStream } from '../../src/run/sharded-stream.js';
import type { Stream, TrainBatch, TrainStream, TrainStreamState } from '../../src/run/stream-types.js';

/** A stream whose batch k holds the single example k (of 10 per epoch). */
class CountingStream implements TrainStream {
  position = 0;
  readonly stream = { name: 'counting', runs: [], splits: {} } as Stream;
  readonly size = 10;
  readonly batchesPerEpoch = 10;
  async next(): Promise<TrainBatch> {
    const k = this.position++;
    return Promise.resolve({ tasks: [], indices: [k % 10], tokens: 1 });
  }
  get state(): TrainStreamState {
    return { position: this.position };
  }
  async loadState(state: TrainStreamState): Promise<void> {
    this.position = state.position as number;
    return Promise.resolve();
  }
}

async function draws(stream: TrainStream, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(...(await stream.next()).indices);
  return out;
}

describe('ShardedTrainStream', () => {
  it("gives rank r the batches r, r + W, … of the stream, so the ranks' batches together are the stream's", async () => {
    const ranks = [0, 1, 2].map((r) => new ShardedTrainStream(new CountingStream(), r, 3));
    const seen = await Promise.all(ranks.map((s) => draws(s, 4)));
    assert.deepEqual(seen, [
      [0, 3, 6, 9],
      [1, 4, 7, 0],
      [2, 5, 8, 1],
    ]);
    assert.deepEqual(
      seen.flat().sort((a, b) => a - b),
      (await draws(new CountingStream(), 12)).sort((a, b) => a - b),
    );
    assert.deepEqual([ranks[0]!.size, ranks[0]!.batchesPerEpoch], [4, 3]);
  });

  it("saves and resumes the underlying stream's state, the same on every rank", async () => {
    const a = new ShardedTrainStream(new CountingStream(), 1, 2);
    await draws(a, 3);
    assert.deepEqual(a.state, { position: 6 });
    const b = new ShardedTrainStream(new CountingStream(), 1, 2);
    await b.loadState(a.state);
    assert.deepEqual(await draws(b, 2), await draws(a, 2));
  });

  it('refuses a rank outside the world', () => {
    assert.throws(() => new ShardedTrainStream(new CountingStream(), 2, 2), ConfigError);
  });
});
