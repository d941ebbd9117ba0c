/**
 * The shapes of a run's data streams: a stream is the tasks that read one data source (SNIPS intent
 * and slots), with each split's features; a training stream draws its batches in an order that is a
 * pure function of the seed and its saved state. Built by ./streams.ts and ./corpus-stream.ts.
 */
import type { Split } from '../data/index.js';
import type { TaskFeatures } from '../tasks/index.js';
import type { Tokenizer } from '../tokenization/index.js';
import type { SplitFeatures, TaskRun } from './build.js';

/** One task's part of a stream split: its features, and its own examples (its labels), which evaluation scores against. */
export interface StreamTaskSplit extends TaskFeatures {
  /** The task's examples (the array its `featurize` got): the same records as its stream's, read with its own label. */
  readonly examples: readonly unknown[];
}

/** A stream's data of one split: each task's features over the same records. */
export interface StreamSplit {
  readonly tasks: readonly StreamTaskSplit[];
  /** The first task's examples; every task reads the same records (each with its own labels: `tasks[i].examples`). */
  readonly examples: readonly unknown[];
  /** (N) tokens of each example (its input ids), for bucketing. */
  readonly lengths: readonly number[];
}

export interface Stream {
  /** The task names joined by '+', e.g. 'intent+slots'. */
  readonly name: string;
  readonly runs: readonly TaskRun[];
  readonly splits: Partial<Record<Split, StreamSplit>>;
}

/** Features by task name and split. */
export type FeatureTable = ReadonlyMap<string, Partial<Record<Split, SplitFeatures>>>;

/** One training batch of a stream: the examples `indices` of the tasks' features. */
export interface TrainBatch {
  /** Every task of the stream, with features the indices point into. */
  readonly tasks: readonly TaskFeatures[];
  readonly indices: readonly number[];
  /** Tokens in the batch (unpadded input ids). */
  readonly tokens: number;
}

/** Where a stream's iteration stands: plain JSON saved in trainer_state.json (`batcher`). */
export type TrainStreamState = Readonly<Record<string, number>>;

/**
 * A stream being trained on: its batches, in an order that is a pure function of the seed and the
 * saved state, so a resumed run draws the batches an uninterrupted one would.
 */
export interface TrainStream {
  readonly stream: Stream;
  /** Training examples in one epoch (for the task sampler's sizes). */
  readonly size: number;
  /** Batches in one epoch (the unit of `training.epochs`; an estimate for a corpus batched under max_tokens). */
  readonly batchesPerEpoch: number;
  /** The next batch; after the last of an epoch, the first of the next. */
  next(): Promise<TrainBatch>;
  readonly state: TrainStreamState;
  /** @throws ConfigError when the state is not one of this stream's. */
  loadState(state: TrainStreamState): Promise<void>;
}

/** What streaming a corpus needs beyond the batching options: how to featurize a window. */
export interface StreamContext {
  readonly tokenizer: Tokenizer;
  /** Most tokens per example. */
  readonly maxLength: number;
}
