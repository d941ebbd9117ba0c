/**
 * Training on a plain-text corpus of any size in bounded memory: the corpus's N training lines are
 * walked in file order in windows of W lines (`data.window_lines`); window k of an epoch holds lines
 * kW … min((k+1)W, N) − 1. Each window is read from its byte offset, featurized, and batched by a
 * LengthBucketBatcher seeded with `windowSeed(seed, epoch, k)` — its lines shuffled, pooled by length,
 * cut into batches, the batch order shuffled — and its batches are drawn before the next window is
 * read. So every line is in exactly one batch per epoch, at most W examples are featurized at a time,
 * and lines mix only within a window (shuffle a corpus sorted by topic beforehand).
 *
 * The iteration state is `{ epoch, window, offset, line, position }` (the window's start in the file
 * and the next batch in it): a resume reads the window again from its offset and cuts the same
 * batches, so it draws the batches an uninterrupted run draws.
 */
import { ConfigError, DataError } from '../errors.js';
import { LengthBucketBatcher, readPlainTextWindow, type BatcherOptions, type TextPosition } from '../data/index.js';
import type { TaskFeatures } from '../tasks/index.js';
import { windowSeed } from './seeding.js';
import type { Stream, StreamContext, TrainBatch, TrainStream, TrainStreamState } from './stream-types.js';
import type { TextCorpus } from '../data/text-corpus.js';

/** The window being drawn from: its features and batches, and where the next window starts. */
interface LoadedWindow {
  readonly tasks: readonly TaskFeatures[];
  /** (n) tokens of each line's input ids. */
  readonly lengths: readonly number[];
  readonly batches: readonly (readonly number[])[];
  readonly next: TextPosition;
}

const STATE_KEYS = ['epoch', 'window', 'offset', 'line', 'position'] as const;

export class CorpusTrainStream implements TrainStream {
  readonly #corpus: TextCorpus;
  readonly #options: BatcherOptions & { seed: number };
  readonly #context: StreamContext;
  #epoch = 0;
  #window = 0;
  #at: TextPosition;
  #position = 0;
  #loaded: LoadedWindow | undefined;

  /** @param options the batching options; `seed` is the stream's (window seeds derive from it). */
  constructor(
    readonly stream: Stream,
    corpus: TextCorpus,
    options: BatcherOptions & { seed: number },
    context: StreamContext,
  ) {
    this.#corpus = corpus;
    this.#options = options;
    this.#context = context;
    this.#at = corpus.start;
  }

  /** Training lines per epoch. */
  get size(): number {
    return this.#corpus.lines;
  }

  get windowsPerEpoch(): number {
    return Math.ceil(this.#corpus.lines / this.#corpus.windowLines);
  }

  /** Lines in window `k` of an epoch. */
  #windowSize(k: number): number {
    return Math.min(this.#corpus.windowLines, this.#corpus.lines - k * this.#corpus.windowLines);
  }

  /** Batches of a window of `n` lines when their lengths do not matter (exact without max_tokens). */
  #batchCount(n: number): number {
    return new LengthBucketBatcher(new Array<number>(n).fill(1), { ...this.#options, shuffle: false }).epochBatches(0).length;
  }

  get batchesPerEpoch(): number {
    const k = this.windowsPerEpoch;
    return (k - 1) * this.#batchCount(this.#corpus.windowLines) + this.#batchCount(this.#windowSize(k - 1));
  }

  /** Featurized examples held now (at most `window_lines`): what bounds this stream's memory. */
  get heldExamples(): number {
    return this.#loaded?.lengths.length ?? 0;
  }

  async next(): Promise<TrainBatch> {
    let w = this.#loaded ?? (await this.#load());
    while (this.#position >= w.batches.length) {
      this.#window++;
      this.#at = w.next;
      if (this.#window >= this.windowsPerEpoch) {
        this.#epoch++;
        this.#window = 0;
        this.#at = this.#corpus.start;
      }
      this.#position = 0;
      w = await this.#load();
    }
    const indices = w.batches[this.#position++] as readonly number[];
    return { tasks: w.tasks, indices, tokens: indices.reduce((n, i) => n + (w.lengths[i] as number), 0) };
  }

  /** Reads, featurizes and batches the current window (dropping the previous one first). */
  async #load(): Promise<LoadedWindow> {
    this.#loaded = undefined;
    const { file } = this.#corpus;
    const want = this.#windowSize(this.#window);
    const read = readPlainTextWindow(file, this.#at, want);
    if (read.examples.length !== want)
      throw new DataError(
        `${file}:${this.#at.line + 1}: expected ${want} more lines for window ${this.#window} of the corpus, found ${read.examples.length}; the file changed since the run started`,
      );
    const { tokenizer, maxLength } = this.#context;
    const tasks = await Promise.all(
      this.stream.runs.map(async (run) => {
        const { features } = await run.type.featurize(read.examples, tokenizer, run.spec, { maxLength, training: true, split: 'train' });
        return { spec: run.spec, type: run.type, state: run.state, features };
      }),
    );
    const lengths = (tasks[0] as TaskFeatures).features.map((f) => f.inputIds.length);
    const seed = windowSeed(this.#options.seed, this.#epoch, this.#window);
    const batches = new LengthBucketBatcher(lengths, { ...this.#options, seed }).epochBatches(0);
    this.#loaded = { tasks, lengths, batches, next: read.next };
    return this.#loaded;
  }

  get state(): TrainStreamState {
    return { epoch: this.#epoch, window: this.#window, offset: this.#at.offset, line: this.#at.line, position: this.#position };
  }

  async loadState(state: TrainStreamState): Promise<void> {
    for (const key of STATE_KEYS) {
      const v = state[key];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        throw new ConfigError(`corpus stream ${this.stream.name}: state.${key} must be an integer >= 0, got ${String(v)}`);
    }
    if ((state.window as number) >= this.windowsPerEpoch)
      throw new ConfigError(
        `corpus stream ${this.stream.name}: state window ${state.window} is past the ${this.windowsPerEpoch} windows of an epoch; the state comes from other data or options`,
      );
    this.#epoch = state.epoch as number;
    this.#window = state.window as number;
    this.#at = { offset: state.offset as number, line: state.line as number };
    this.#position = state.position as number;
    const w = await this.#load();
    if (this.#position > w.batches.length)
      throw new ConfigError(
        `corpus stream ${this.stream.name}: state position ${this.#position} is past the ${w.batches.length} batches of window ${this.#window}; the state comes from other data or options`,
      );
  }
}
