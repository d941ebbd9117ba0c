/**
 * Length-bucketed batching for dynamic padding: examples of similar length go into the same batch,
 * so padding each batch to its longest example wastes few tokens.
 *
 * Each epoch: shuffle the examples (seeded), cut them into large pools, sort each pool by length,
 * cut each pool into batches of at most `batchSize` examples (and at most `maxTokens` padded tokens),
 * then shuffle the order of the batches (fairseq's and AllenNLP's bucket samplers work the same way).
 * The plan of an epoch is a pure function of (lengths, options, seed, epoch), so the iteration state
 * is just `{ epoch, position }`, which resumes exactly. The batcher deals in example indices only;
 * padding to the longest example of each batch is the collation's job (src/tasks).
 */
import { ConfigError } from '../errors.js';
import { mulberry32, shuffleInPlace } from '../random.js';

export interface BatcherOptions {
  /** Most examples in a batch. */
  readonly batchSize: number;
  /** Most padded tokens in a batch (examples × the longest one's length); an example longer than this gets a batch of its own. Default: no limit. */
  readonly maxTokens?: number;
  /** Examples sorted by length together (a pool). Default 50 × batchSize. Larger: less padding, less randomness. */
  readonly poolSize?: number;
  /** Shuffle examples and batch order (training). false: pools in data order, batches in pool order (evaluation). Default true. */
  readonly shuffle?: boolean;
  /** Seed of the shuffles (an integer). Default 0. */
  readonly seed?: number;
}

/** Where an iteration stands: batch `position` (0-based) of epoch `epoch` comes next. Plain JSON. */
export interface BatcherState {
  readonly epoch: number;
  readonly position: number;
}

/** A batch of example indices, with where it was in the iteration. */
export interface IndexBatch {
  readonly indices: readonly number[];
  readonly epoch: number;
  /** Its position in the epoch (0-based). */
  readonly position: number;
}

const OPTION_KEYS = ['batchSize', 'maxTokens', 'poolSize', 'shuffle', 'seed'];

function checkInt(name: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new ConfigError(`batcher: ${name} must be an integer >= ${min}, got ${String(v)}`);
}

/** The generator of one epoch: the seed and epoch mixed so that neighbouring epochs are unrelated. */
function epochRandom(seed: number, epoch: number): () => number {
  const mixed = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35);
  return mulberry32(mixed);
}

export class LengthBucketBatcher {
  readonly #lengths: readonly number[];
  readonly #batchSize: number;
  readonly #maxTokens: number;
  readonly #poolSize: number;
  readonly #shuffle: boolean;
  readonly #seed: number;
  #epoch = 0;
  #position = 0;
  #plan: { epoch: number; batches: number[][] } | undefined;

  /**
   * @param lengths (N) the length of each example in tokens (its `inputIds.length`).
   * @throws ConfigError for an unknown option, a non-integer or non-positive size, or a length that is not a positive integer.
   */
  constructor(lengths: readonly number[], options: BatcherOptions) {
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.includes(key)) throw new ConfigError(`batcher: unknown option '${key}'; valid options: ${OPTION_KEYS.join(', ')}`);
    }
    checkInt('batchSize', options.batchSize, 1);
    if (options.maxTokens !== undefined) checkInt('maxTokens', options.maxTokens, 1);
    if (options.poolSize !== undefined) checkInt('poolSize', options.poolSize, 1);
    if (options.seed !== undefined) checkInt('seed', options.seed, Number.MIN_SAFE_INTEGER);
    lengths.forEach((n, i) => {
      if (!Number.isInteger(n) || n < 1)
        throw new ConfigError(`batcher: example ${i} has length ${String(n)}; lengths must be positive integers (tokens)`);
    });
    this.#lengths = [...lengths];
    this.#batchSize = options.batchSize;
    this.#maxTokens = options.maxTokens ?? Infinity;
    this.#poolSize = options.poolSize ?? 50 * options.batchSize;
    this.#shuffle = options.shuffle ?? true;
    this.#seed = options.seed ?? 0;
  }

  /** Number of examples. */
  get size(): number {
    return this.#lengths.length;
  }

  /**
   * The batches of `epoch`, in order, as arrays of example indices; every example is in exactly one.
   * A pure function of the lengths, the options and `epoch`.
   */
  epochBatches(epoch: number): number[][] {
    checkInt('epoch', epoch, 0);
    if (this.#plan?.epoch === epoch) return this.#plan.batches.map((b) => [...b]);
    const random = epochRandom(this.#seed, epoch);
    const order = this.#lengths.map((_, i) => i);
    if (this.#shuffle) shuffleInPlace(order, random);
    const batches: number[][] = [];
    for (let start = 0; start < order.length; start += this.#poolSize) {
      const pool = order.slice(start, start + this.#poolSize);
      pool.sort((a, b) => (this.#lengths[a] as number) - (this.#lengths[b] as number)); // stable: ties keep the shuffled order
      batches.push(...this.#cut(pool));
    }
    if (this.#shuffle) shuffleInPlace(batches, random);
    return batches;
  }

  /** Cuts a length-sorted pool into batches under batchSize and maxTokens (padded size = count × longest). */
  #cut(pool: readonly number[]): number[][] {
    const batches: number[][] = [];
    let current: number[] = [];
    let longest = 0;
    for (const i of pool) {
      const n = this.#lengths[i] as number;
      const wider = Math.max(longest, n);
      if (current.length > 0 && (current.length + 1 > this.#batchSize || (current.length + 1) * wider > this.#maxTokens)) {
        batches.push(current);
        current = [];
        longest = 0;
      }
      current.push(i);
      longest = Math.max(longest, n);
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  #batchesOf(epoch: number): number[][] {
    if (this.#plan?.epoch !== epoch) this.#plan = { epoch, batches: this.epochBatches(epoch) };
    return this.#plan.batches;
  }

  /**
   * The next batch; after the last batch of an epoch, the first of the next one.
   * @throws ConfigError when there are no examples.
   */
  next(): IndexBatch {
    if (this.#lengths.length === 0) throw new ConfigError('batcher: no examples to batch');
    let batches = this.#batchesOf(this.#epoch);
    if (this.#position >= batches.length) {
      this.#epoch++;
      this.#position = 0;
      batches = this.#batchesOf(this.#epoch);
    }
    const batch = { indices: [...(batches[this.#position] as number[])], epoch: this.#epoch, position: this.#position };
    this.#position++;
    return batch;
  }

  /** The batches left in the current epoch, in order (for evaluation passes: one epoch, then stop). */
  *remaining(): Generator<IndexBatch> {
    const epoch = this.#epoch;
    while (this.#position < this.#batchesOf(epoch).length) yield this.next();
  }

  /** Where the iteration stands (save it with a checkpoint). */
  get state(): BatcherState {
    return { epoch: this.#epoch, position: this.#position };
  }

  /**
   * Resumes at a saved state: the next batch is the one that would have come next.
   * @throws ConfigError when the state is not one of this batcher's (a position past the epoch's batches).
   */
  loadState(state: BatcherState): void {
    checkInt('state.epoch', state.epoch, 0);
    checkInt('state.position', state.position, 0);
    const count = this.#batchesOf(state.epoch).length;
    if (state.position > count) {
      throw new ConfigError(
        `batcher: state position ${state.position} is past the ${count} batches of epoch ${state.epoch}; the state comes from other data or options`,
      );
    }
    this.#epoch = state.epoch;
    this.#position = state.position;
  }
}
