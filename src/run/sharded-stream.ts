/**
 * One rank's share of a training stream in a data-parallel run: every rank draws the stream's batches
 * in the same order (same seed) and keeps those whose position is its rank modulo the world size, so
 * the ranks see distinct batches, together exactly the batches one process would draw. A 2-rank step
 * therefore trains on the batches a 1-rank run with 2 micro-batches per step trains on.
 *
 * The stream's state (saved in trainer_state.json by rank 0) is the underlying stream's, the same on
 * every rank, so every rank resumes from it where the others do.
 */
import { ConfigError } from '../errors.js';
import type { TrainBatch, TrainStream, TrainStreamState } from './stream-types.js';

export class ShardedTrainStream implements TrainStream {
  /**
   * @param inner the stream every rank builds alike.
   * @param rank this process's rank, 0 … worldSize − 1.
   * @param worldSize the ranks sharing the stream.
   * @throws ConfigError for a rank outside the world.
   */
  constructor(
    readonly inner: TrainStream,
    readonly rank: number,
    readonly worldSize: number,
  ) {
    if (!Number.isInteger(rank) || !Number.isInteger(worldSize) || rank < 0 || rank >= worldSize)
      throw new ConfigError(`rank ${rank} is not one of world size ${worldSize}'s (0 to ${worldSize - 1})`);
  }

  get stream(): TrainStream['stream'] {
    return this.inner.stream;
  }

  /** This rank's training examples per epoch (about 1/worldSize of them; the sampler's size). */
  get size(): number {
    return Math.ceil(this.inner.size / this.worldSize);
  }

  /** This rank's batches per epoch. */
  get batchesPerEpoch(): number {
    return Math.max(1, Math.floor(this.inner.batchesPerEpoch / this.worldSize));
  }

  /** Draws worldSize batches of the stream and returns the rank-th. */
  async next(): Promise<TrainBatch> {
    let mine: TrainBatch | undefined;
    for (let r = 0; r < this.worldSize; r++) {
      const batch = await this.inner.next();
      if (r === this.rank) mine = batch;
    }
    return mine as TrainBatch;
  }

  get state(): TrainStreamState {
    return this.inner.state;
  }

  async loadState(state: TrainStreamState): Promise<void> {
    await this.inner.loadState(state);
  }
}
