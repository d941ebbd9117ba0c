/**
 * From a config to data ready for the model: every task's examples read, the tokenizer built (or
 * given), task specs made (or taken from a checkpoint's tasks.json), every split featurized with the
 * number of truncated examples counted, and the tasks grouped into streams. Shared by training and by
 * evaluating a checkpoint, so both see exactly the same features.
 */
import path from 'node:path';
import type { TrainingConfig } from '../io/config/index.js';
import type { TaskRecord } from '../io/checkpoint.js';
import type { BackboneKind } from '../models/backbone.js';
import type { Tokenizer } from '../tokenization/index.js';
import { silentLogger, type Logger } from '../logger.js';
import {
  buildTaskRuns,
  buildTokenizer,
  checkBackboneFamily,
  featurizeSplit,
  taskRunsFromRecords,
  type SplitFeatures,
  type TaskRun,
} from './build.js';
import { buildStreams, type Stream } from './streams.js';
import { describeAugmented, describeSkippedLines, skippedCounts, splitCounts } from '../data/task-data-report.js';
import { readTaskData, type TaskData } from '../data/task-data.js';
import { extendTaskRuns } from './continual-heads.js';
import { checkpointRoundTrips } from './back-translation.js';
import { SPLITS, type Split } from '../data/index.js';
import { taskSpec, taskTypes } from '../tasks/index.js';

export interface PreparedRun {
  readonly data: readonly TaskData[];
  readonly tokenizer: Tokenizer;
  readonly runs: readonly TaskRun[];
  readonly streams: readonly Stream[];
  /** Truncated examples per task and split. */
  readonly truncated: Record<string, Partial<Record<Split, number>>>;
  /** Skipped bad lines per task and split. */
  readonly skipped: Record<string, Partial<Record<Split, number>>>;
}

export interface PrepareOptions {
  /** The splits to read and featurize (default all). */
  readonly splits?: readonly Split[];
  /** Use this tokenizer (a checkpoint's) instead of building one from the config. */
  readonly tokenizer?: Tokenizer;
  /** Take task specs from these records (a checkpoint's tasks.json) instead of the training data. */
  readonly records?: readonly TaskRecord[];
  /**
   * Continual training: the tasks of the checkpoint continued (its tasks.json, and its folder for
   * messages); a task among them keeps its labels and options, new labels appended (./continual-heads.ts).
   */
  readonly earlier?: { readonly records: readonly TaskRecord[]; readonly from: string };
  /** Where data lines go (counts, skipped lines, truncation, streams); default none. */
  readonly logger?: Logger;
}

/**
 * Counts of examples per task and split, e.g. 'intent: 13084 train, 700 dev, 700 test' ('(streamed)' after a corpus);
 * a task with none of the `splits` read says so ('de_en: no test split', `mtl eval` of a task without test data).
 */
function describeCounts(data: readonly TaskData[], splits: readonly Split[]): string[] {
  return data.map((d) => {
    const counts = Object.entries(splitCounts(d)).map(
      ([s, n]) => `${n} ${s}${s === 'train' && d.corpus !== undefined ? ` (streamed in windows of ${d.corpus.windowLines} lines)` : ''}`,
    );
    const none = `no ${splits.join(' or ')} split`;
    return `${d.task.name}: ${counts.length === 0 ? none : counts.join(', ')}`;
  });
}

/** `run` with its options completed by its type's `completeWithTokenizer` (the chat template of the tokenizer's folder); `run` itself when the type has none. */
function withTokenizerOptions(run: TaskRun, tokenizer: Tokenizer): TaskRun {
  const complete = run.type.completeWithTokenizer;
  if (complete === undefined) return run;
  const spec = taskSpec({ ...run.spec, options: complete(run.spec.options, tokenizer) as Record<string, unknown> });
  return { ...run, spec, state: run.type.createState?.(spec) };
}

/** `run` with its options completed by its type's `completeWithBackbone` (seq2seq's layout on a decoder); `run` itself when the type has none. */
function withBackboneOptions(run: TaskRun, kind: BackboneKind): TaskRun {
  const complete = run.type.completeWithBackbone;
  if (complete === undefined) return run;
  const spec = taskSpec({ ...run.spec, options: complete(run.spec.options, kind) as Record<string, unknown> });
  return { ...run, spec, state: run.type.createState?.(spec) };
}

/**
 * Reads, tokenizes and featurizes what `config` names.
 * @throws DataError (file:line) for bad data, ConfigError for settings that do not fit the data.
 */
export async function prepareRun(config: TrainingConfig, options: PrepareOptions = {}): Promise<PreparedRun> {
  const logger = options.logger ?? silentLogger;
  const splits = options.splits ?? SPLITS;
  // a new run: refuse an unsupported model type before reading data (a checkpoint's tasks.json holds options completed with its kind)
  const kind = options.records === undefined ? checkBackboneFamily(config) : undefined;
  const data = await readTaskData(config.tasks, config.seed, taskTypes.reading, splits, {
    augmentCache: path.join(config.outputDir, 'augmented'),
    roundTrips: checkpointRoundTrips,
  });
  logger.info(`data: ${describeCounts(data, splits).join('; ')}`);
  for (const line of [...describeSkippedLines(data), ...describeAugmented(data)]) logger.info(line);
  const tokenizer = options.tokenizer ?? buildTokenizer(config, data, logger);
  if (options.tokenizer === undefined) logger.info(`tokenizer: ${tokenizer.vocabSize} tokens`);
  const built =
    options.records !== undefined
      ? taskRunsFromRecords(options.records, data)
      : options.earlier !== undefined
        ? extendTaskRuns(buildTaskRuns(data), options.earlier.records, options.earlier.from)
        : buildTaskRuns(data);
  const runs = built.map((r) => {
    const completed = withTokenizerOptions(r, tokenizer);
    return kind === undefined ? completed : withBackboneOptions(completed, kind);
  });
  const needed = runs.flatMap((r) => r.type.addedTokens?.(r.spec.options) ?? []);
  const added = tokenizer.addSpecialTokens(needed);
  if (added > 0)
    logger.info(
      `tokenizer: ${added} special tokens added for the tasks (${[...new Set(needed)].join(' ')}): ${tokenizer.vocabSize} tokens`,
    );
  const table = new Map<string, Partial<Record<Split, SplitFeatures>>>();
  const truncated: Record<string, Partial<Record<Split, number>>> = {};
  for (const run of runs) {
    const row: Partial<Record<Split, SplitFeatures>> = {};
    truncated[run.spec.name] = {};
    for (const split of splits) {
      const f = await featurizeSplit(run, split, tokenizer, config.maxLength);
      if (f === undefined) continue;
      row[split] = f;
      truncated[run.spec.name]![split] = f.truncated;
      if (f.truncated > 0)
        logger.info(
          `task ${run.spec.name} (${split}): truncated ${f.truncated} of ${f.features.length} examples to max_length ${config.maxLength} tokens`,
        );
      if ((f.truncatedTargets ?? 0) > 0)
        logger.info(
          `task ${run.spec.name} (${split}): truncated ${f.truncatedTargets} of ${f.features.length} targets to the task's max_target_length`,
        );
    }
    table.set(run.spec.name, row);
  }
  const streams = buildStreams(runs, table);
  if (streams.length < runs.length)
    logger.info(`streams (tasks sharing one input and one encoder pass): ${streams.map((s) => s.name).join(', ')}`);
  return { data, tokenizer, runs, streams, truncated, skipped: skippedCounts(data) };
}
