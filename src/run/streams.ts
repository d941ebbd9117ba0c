/**
 * Streams: the tasks of a run grouped by the data they read (`groupBySource`). A stream's batch holds
 * every task of the group (SNIPS intent and slots: one batch, one encoder pass, two losses); the task
 * sampler picks a stream per step. Each stream has its own length-bucketed batcher over its training
 * examples, held in memory — or, for a plain-text corpus, over one window of its lines at a time
 * (./corpus-stream.ts).
 */
import { DataError } from '../errors.js';
import { LengthBucketBatcher, type BatcherOptions } from '../data/index.js';
import { groupBySource } from '../tasks/index.js';
import type { SplitFeatures, TaskRun } from './build.js';
import { CorpusTrainStream } from './corpus-stream.js';
import type { FeatureTable, Stream, StreamContext, StreamSplit, TrainBatch, TrainStream, TrainStreamState } from './stream-types.js';

export type {
  FeatureTable,
  Stream,
  StreamContext,
  StreamSplit,
  StreamTaskSplit,
  TrainBatch,
  TrainStream,
  TrainStreamState,
} from './stream-types.js';
import { SPLITS, type Split } from '../data/index.js';

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
      members.forEach((r, i) =>
        checkSameRecords(split, members[0]!.spec.name, first.examples, r.spec.name, (parts[i] as SplitFeatures).examples),
      );
      splits[split] = {
        tasks: members.map((r, i) => {
          const { features, evalInputs, examples } = parts[i] as SplitFeatures;
          return { spec: r.spec, type: r.type, state: r.state, features, examples, ...(evalInputs === undefined ? {} : { evalInputs }) };
        }),
        examples: first.examples,
        lengths: first.features.map((f) => f.inputIds.length),
      };
    }
    return { name: names.join('+'), runs: members, splits };
  });
}

/** Where a record was read: `file:line`, and its line for ordering (its index when it carries no source). */
function recordAt(examples: readonly unknown[], i: number): { at: string; line: number } {
  const source = (examples[i] as { source?: { file: string; line: number } } | undefined)?.source;
  return source === undefined ? { at: `record ${i + 1}`, line: i } : { at: `${source.file}:${source.line}`, line: source.line };
}

/**
 * Tasks of one stream share batches and encoder passes by index, so they must read the same records:
 * `b`'s examples must come from the lines `a`'s came from (they differ when a bad line, e.g. one without
 * `b`'s label field, is skipped for one task only).
 * @throws DataError naming both tasks, the split and the first record one has and the other has not.
 */
function checkSameRecords(split: Split, a: string, aExamples: readonly unknown[], b: string, bExamples: readonly unknown[]): void {
  if (aExamples === bExamples) return;
  for (let i = 0; i < Math.max(aExamples.length, bExamples.length); i++) {
    const x = i < aExamples.length ? recordAt(aExamples, i) : undefined;
    const y = i < bExamples.length ? recordAt(bExamples, i) : undefined;
    if (x !== undefined && y !== undefined && x.at === y.at) continue;
    // The earlier of the two records is the one the other task does not have.
    const [has, missing] = y === undefined || (x !== undefined && x.line < y.line) ? [x!, b] : [y, a];
    throw new DataError(
      `tasks '${a}' and '${b}' read the same data, and so share batches and encoder passes, but not the same ${split} records ` +
        `(${aExamples.length} and ${bExamples.length}): ${has.at} is read for one of them and not for '${missing}' (a bad line ` +
        `skipped for '${missing}' only?); fix that line, or give '${missing}' its own copy of the file`,
    );
  }
}

/** A stream whose training examples are featurized and held in memory, batched by one LengthBucketBatcher. */
class MemoryTrainStream implements TrainStream {
  readonly #batcher: LengthBucketBatcher;

  constructor(
    readonly stream: Stream,
    readonly train: StreamSplit,
    options: BatcherOptions,
  ) {
    this.#batcher = new LengthBucketBatcher(train.lengths, options);
  }

  get size(): number {
    return this.train.examples.length;
  }

  get batchesPerEpoch(): number {
    return this.#batcher.epochBatches(0).length;
  }

  async next(): Promise<TrainBatch> {
    const { indices } = this.#batcher.next();
    const tokens = indices.reduce((n, i) => n + (this.train.lengths[i] as number), 0);
    return Promise.resolve({ tasks: this.train.tasks, indices, tokens });
  }

  get state(): TrainStreamState {
    return { ...this.#batcher.state };
  }

  async loadState(state: TrainStreamState): Promise<void> {
    this.#batcher.loadState({ epoch: state.epoch as number, position: state.position as number });
    return Promise.resolve();
  }
}

/**
 * Whether `stream`'s training batches group examples of similar length: `groupByLength` when given
 * (`training.group_by_length`), else unless a task type of the stream says batches of one length
 * hurt it (`groupsByLength: false`, seq2seq).
 */
export function streamGroupsByLength(stream: Stream, groupByLength: boolean | undefined): boolean {
  return groupByLength ?? stream.runs.every((r) => r.type.groupsByLength !== false);
}

/**
 * A training stream per stream: stream i shuffles with seed + i. A stream of a text corpus is read
 * window by window (`CorpusTrainStream`); any other holds its featurized training examples. A stream
 * that does not group by length (`streamGroupsByLength`) sorts pools of one batch only, so its batches
 * are random draws of its examples.
 * @param groupByLength `training.group_by_length`, or undefined for each stream's default.
 * @throws DataError when a stream has no training examples.
 */
export function trainStreams(
  streams: readonly Stream[],
  options: Omit<BatcherOptions, 'seed' | 'poolSize'>,
  seed: number,
  context: StreamContext,
  groupByLength: boolean | undefined = undefined,
): TrainStream[] {
  return streams.map((stream, i) => {
    const pool = streamGroupsByLength(stream, groupByLength) ? {} : { poolSize: options.batchSize };
    const streamOptions = { ...options, ...pool, seed: seed + i };
    const corpus = stream.runs[0]?.data.corpus;
    if (corpus !== undefined) return new CorpusTrainStream(stream, corpus, streamOptions, context);
    const train = stream.splits.train;
    if (train === undefined || train.examples.length === 0) throw new DataError(`tasks ${stream.name}: no training examples`);
    return new MemoryTrainStream(stream, train, streamOptions);
  });
}

/** Batches in one epoch of every stream (the unit of `training.epochs`). */
export function batchesPerEpoch(streams: readonly TrainStream[]): number {
  return streams.reduce((n, s) => n + s.batchesPerEpoch, 0);
}
