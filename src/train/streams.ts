/**
 * Streams: the tasks of a run grouped by the data they read (`groupBySource`). A stream's batch holds
 * every task of the group (SNIPS intent and slots: one batch, one encoder pass, two losses); the task
 * sampler picks a stream per step. Each stream has its own length-bucketed batcher over its training
 * examples.
 */
import { DataError } from '../errors.js';
import { LengthBucketBatcher, type BatcherOptions } from '../data/index.js';
import { groupBySource, type TaskFeatures } from '../tasks/index.js';
import type { SplitFeatures, TaskRun } from './build.js';
import { SPLITS, type Split } from './task-data.js';

/** A stream's data of one split: each task's features over the same examples. */
export interface StreamSplit {
  readonly tasks: readonly TaskFeatures[];
  /** The examples, shared by the tasks (the array `featurize` got). */
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

/** The streams of a run: one per data source, tasks in config order. */
export function buildStreams(runs: readonly TaskRun[], table: FeatureTable): Stream[] {
  const groups = groupBySource(runs.map((r) => ({ name: r.spec.name, source: r.data.source })));
  return groups.map((names) => {
    const members = names.map((n) => runs.find((r) => r.spec.name === n) as TaskRun);
    const splits: Partial<Record<Split, StreamSplit>> = {};
    for (const split of SPLITS) {
      const parts = members.map((r) => table.get(r.spec.name)?.[split]);
      if (parts.some((p) => p === undefined)) continue;
      const first = parts[0] as SplitFeatures;
      splits[split] = {
        tasks: members.map((r, i) => ({ spec: r.spec, type: r.type, features: (parts[i] as SplitFeatures).features })),
        examples: first.examples,
        lengths: first.features.map((f) => f.inputIds.length),
      };
    }
    return { name: names.join('+'), runs: members, splits };
  });
}

/** A stream being trained on: its training split and batcher. */
export interface TrainStream {
  readonly stream: Stream;
  readonly train: StreamSplit;
  readonly batcher: LengthBucketBatcher;
}

/**
 * A batcher per stream over its training examples; stream i shuffles with seed + i.
 * @throws DataError when a stream has no training examples.
 */
export function trainStreams(streams: readonly Stream[], options: Omit<BatcherOptions, 'seed'>, seed: number): TrainStream[] {
  return streams.map((stream, i) => {
    const train = stream.splits.train;
    if (train === undefined || train.examples.length === 0) throw new DataError(`tasks ${stream.name}: no training examples`);
    return { stream, train, batcher: new LengthBucketBatcher(train.lengths, { ...options, seed: seed + i }) };
  });
}

/** Batches in one epoch of every stream (the unit of `training.epochs`). */
export function batchesPerEpoch(streams: readonly TrainStream[]): number {
  return streams.reduce((n, s) => n + s.batcher.epochBatches(0).length, 0);
}
