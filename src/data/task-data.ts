/**
 * Reading every task's examples as its config says: the reader of `data.format`, the named input
 * columns or fields, `skip_bad_lines` (skipped lines counted and described), and `dev_fraction` (a
 * seeded hold-out of the training data when there is no dev file). Tasks that read the same data
 * (SNIPS intent and slots) read it once and share the example arrays, so they form one stream.
 * `data.augment` adds EDA copies or back-translations of the training examples (./augment), after any subset is drawn.
 * Plain-text corpora are not read whole: their training lines become a `TextCorpus` that training
 * streams window by window (./text-corpus.ts).
 */
import { ConfigError } from '../errors.js';
import { readTripleExamples, wordnetDir, type SkippedLine } from './index.js';
import type { TaskConfig } from '../io/config/index.js';
import { SPLITS, type Split } from './example.js';
import { readTextTask, type TextCorpus } from './text-corpus.js';
import { augmentExamples, backTranslateExamples, type RoundTrips } from './augment/index.js';
import { articleOf, holdOut, subset, subsetPerClass } from './subsets.js';
import { readTaskFile } from './task-file.js';
import { inputKindOf, type InputKind, type TaskReading, type TaskReadingOf } from './task-reading.js';

/** One task's examples by split (a split is absent when the config gives no data for it). */
export interface TaskData {
  readonly task: TaskConfig;
  /** The key of the data the task reads its input from: tasks with the same key share batches and encoder passes. */
  readonly source: string;
  readonly input: InputKind;
  readonly splits: Partial<Record<Split, readonly unknown[]>>;
  /** A text task's training lines, streamed during training instead of held in `splits.train`. */
  readonly corpus?: TextCorpus;
  /** Lines left out under `skip_bad_lines`, by split. */
  readonly skipped: Partial<Record<Split, readonly SkippedLine[]>>;
  /**
   * With `data.train_subset` or `data.train_per_class`: every training example read (before the subset is drawn), from which
   * the task's label list is collected, so a label the subset happens to miss is still known when
   * dev and test are read. Absent otherwise (the label list comes from `splits.train`).
   */
  readonly labelExamples?: readonly unknown[];
  /** With `data.augment`: the augmented examples added to `splits.train` (after the originals), and where they are cached. */
  readonly augmented?: AugmentReport;
}

/** What `data.augment` added to a task's training split. */
export interface AugmentReport {
  readonly method: 'eda' | 'back-translation';
  readonly original: number;
  readonly added: number;
  readonly cacheFile: string | undefined;
  /** True when every augmented example was read from `cacheFile`. */
  readonly fromCache: boolean;
  /** Back-translation: texts (times copies) translated now, read from the cache, and copies left out as equal to their source. */
  readonly translated?: number;
  readonly cached?: number;
  readonly unchanged?: number;
}

/** Options of `readTaskData`. */
export interface ReadOptions {
  /** Where `data.augment` caches its augmented examples (the run's output folder's `augmented/`); default: no cache. */
  readonly augmentCache?: string;
  /** The translation models of back-translation (src/run/back-translation.ts); without them, back-translation is refused. */
  readonly roundTrips?: RoundTrips;
}

/** The key of what a task reads as input (format, files, columns, hold-out); the label is not part of it. */
function sourceKey(task: TaskConfig, reading: TaskReading): string {
  const d = task.data;
  return JSON.stringify([
    d.format,
    d.path,
    d.train,
    d.dev,
    d.test,
    d.devFraction,
    d.skipBadLines,
    d.delimiter,
    d.columns,
    d.testColumns,
    d.extraFields,
    d.tokenColumn,
    d.maxLines,
    d.windowLines,
    d.devLines,
    d.trainSubset,
    d.trainPerClass,
    d.trainPerClass === undefined ? null : task.label.field, // the sample depends on the classes
    d.augment,
    d.relations,
    task.input,
    // WordNet gives each task type other examples; self-collating types share no encoder pass
    d.format === 'wordnet' || !reading.sharesEncoderPass ? [task.type, task.name] : null,
  ]);
}

/** The key of what a task reads, label included (tasks with equal keys get the very same examples). */
const readKey = (task: TaskConfig, reading: TaskReading): string =>
  JSON.stringify([sourceKey(task, reading), task.data.tagColumn, task.label.field, reading.readsReferences === true]);

/** The splits of a triples folder (train.txt, valid.txt as dev, test.txt), all read: each example carries the whole graph. */
function readTriplesTask(task: TaskConfig, seed: number, wanted: readonly Split[]): Pick<TaskData, 'splits' | 'skipped' | 'labelExamples'> {
  const d = task.data;
  const read = readTripleExamples(d.path as string, { onBadLine: d.skipBadLines ? 'skip' : 'error' });
  const train = d.trainSubset === undefined ? read.train : subset(read.train, d.trainSubset, seed + 1);
  const all = { train, dev: read.dev, test: read.test };
  return {
    splits: Object.fromEntries(wanted.map((s) => [s, all[s]])),
    skipped: { train: read.skipped },
    ...(d.trainSubset === undefined ? {} : { labelExamples: read.train }),
  };
}

/**
 * The training examples with `data.augment`'s copies after them (EDA or back-translation, seeded by
 * `seed`), and what was added.
 * @throws ConfigError for back-translation without `options.roundTrips` (only a run prepares them).
 */
async function augmentTrain(
  task: TaskConfig,
  train: readonly unknown[],
  seed: number,
  options: ReadOptions,
): Promise<{ examples: readonly unknown[]; report: AugmentReport }> {
  const augment = task.data.augment!;
  const original = train.length;
  if (augment.method === 'eda') {
    const a = augmentExamples(train, augment, seed, options.augmentCache);
    return { examples: a.examples, report: { method: 'eda', original, added: a.added, cacheFile: a.cacheFile, fromCache: a.fromCache } };
  }
  if (options.roundTrips === undefined)
    throw new ConfigError(
      `task '${task.name}': data.augment back-translation needs translation models, which only a run prepares (src/run/prepare.ts); read the data through prepareRun`,
    );
  const a = await backTranslateExamples(train, augment, seed, options.roundTrips, options.augmentCache);
  const { added, cacheFile, translated, cached, unchanged } = a;
  return {
    examples: a.examples,
    report: { method: 'back-translation', original, added, cacheFile, fromCache: translated === 0, translated, cached, unchanged },
  };
}

/** The splits of one task, reading only what `wanted` needs (dev_fraction needs the training file). */
async function readTask(
  task: TaskConfig,
  reading: TaskReading,
  input: InputKind,
  seed: number,
  wanted: readonly Split[],
  options: ReadOptions,
): Promise<Pick<TaskData, 'splits' | 'skipped' | 'corpus' | 'labelExamples' | 'augmented'>> {
  const d = task.data;
  const references = reading.readsReferences === true;
  if (d.format === 'text') return { ...(await readTextTask(task, wanted)), skipped: {} };
  const splits: Partial<Record<Split, readonly unknown[]>> = {};
  const skipped: Partial<Record<Split, readonly SkippedLine[]>> = {};
  let labelExamples: readonly unknown[] | undefined;
  let augmented: AugmentReport | undefined;
  if (d.format === 'triples') return readTriplesTask(task, seed, wanted);
  const trainFile = d.train ?? d.path ?? (d.format === 'wordnet' ? wordnetDir() : undefined);
  const needTrain = wanted.includes('train') || (wanted.includes('dev') && d.devFraction !== undefined);
  if (needTrain && trainFile !== undefined) {
    const result = await readTaskFile(task, input, references, trainFile, 'train');
    skipped.train = result.skipped;
    if (d.devFraction !== undefined) {
      const parts = holdOut(result.examples, d.devFraction, seed, articleOf(result.examples));
      splits.train = parts.train;
      splits.dev = parts.dev;
    } else {
      splits.train = result.examples;
    }
    if (d.trainSubset !== undefined) {
      labelExamples = splits.train;
      splits.train = subset(splits.train, d.trainSubset, seed + 1);
    }
    if (d.trainPerClass !== undefined) {
      const classOf = reading.classOf;
      if (classOf === undefined)
        throw new ConfigError(`task '${task.name}': data.train_per_class needs a task type with one class per example, not ${task.type}`);
      labelExamples = splits.train;
      splits.train = subsetPerClass(splits.train, d.trainPerClass, seed + 1, (e) => classOf(e));
    }
    if (d.augment !== undefined && wanted.includes('train')) {
      const a = await augmentTrain(task, splits.train, seed + 2, options);
      augmented = a.report;
      splits.train = a.examples;
    }
  }
  for (const split of ['dev', 'test'] as const) {
    const file = d[split];
    if (file === undefined || !wanted.includes(split)) continue;
    const result = await readTaskFile(task, input, references, file, split);
    splits[split] = result.examples;
    skipped[split] = result.skipped;
  }
  return {
    splits: Object.fromEntries(Object.entries(splits).filter(([s]) => wanted.includes(s as Split))),
    skipped,
    ...(labelExamples === undefined ? {} : { labelExamples }),
    ...(augmented === undefined ? {} : { augmented }),
  };
}

/**
 * Every task's examples for the `wanted` splits (plain text streamed; WordNet parsed once); data read
 * by several tasks is read once.
 * @param seed the run's seed (the `dev_fraction` hold-out depends on it).
 * @param readingOf what each task's type reads (src/tasks' `taskReading`).
 * @throws DataError from the readers (file:line of the first bad record, unless skip_bad_lines).
 */
export async function readTaskData(
  tasks: readonly TaskConfig[],
  seed: number,
  readingOf: TaskReadingOf,
  wanted: readonly Split[] = SPLITS,
  options: ReadOptions = {},
): Promise<TaskData[]> {
  const cache = new Map<string, Pick<TaskData, 'splits' | 'skipped' | 'corpus' | 'labelExamples' | 'augmented'>>();
  const out: TaskData[] = [];
  for (const task of tasks) {
    const reading = readingOf(task);
    const input = inputKindOf(task, reading);
    const key = readKey(task, reading);
    let read = cache.get(key);
    if (read === undefined) {
      read = await readTask(task, reading, input, seed, wanted, options);
      cache.set(key, read);
    }
    out.push({ task, source: sourceKey(task, reading), input, ...read });
  }
  return out;
}
