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
import {
  describeSkipped,
  mapJsonl,
  readTripleExamples,
  readWordNet,
  wordnetDir,
  wordnetGlosses,
  wordnetDomainExamples,
  wordnetSupersenseExamples,
  wordnetTriples,
  WORDNET_POINTERS,
  type WordNet,
  readCluener,
  readDailyDialog,
  readDailyDialogChats,
  readChatJsonl,
  readConll,
  readDelimitedText,
  readDelimitedTextPairs,
  readJointFolder,
  readJsonlText,
  readParallel,
  readRelationJsonl,
  readSemeval2010,
  readSquad,
  type ReadResult,
  type SkippedLine,
  type TextPairExample,
} from './index.js';
import type { TaskConfig } from '../io/config/index.js';
import { Rng } from '../tensor/rng.js';
import { SPLITS, type Split } from './example.js';
import { readTextTask, type TextCorpus } from './text-corpus.js';
import { augmentExamples, backTranslateExamples, type RoundTrips } from './augment/index.js';

/**
 * What a task reads as its input: pre-split words (joint-folder, conll), one text, a pair of texts,
 * a text to mask (masked-LM), two entity descriptions per triple (link prediction), or a dialogue's
 * messages (chat). Its task type lists the kinds it reads; the data format picks among them (`inputKindOf`).
 */
export type InputKind = 'words' | 'text' | 'pair' | 'masked-text' | 'triple' | 'messages';

/** What reading a task's data needs to know of its task type (src/tasks' TaskType has these fields). */
export interface TaskReading {
  /** The input kinds the type reads, in order of preference (see `inputKindOf`). */
  readonly inputs: readonly InputKind[];
  /** False when the type collates its own inputs, so its task never shares a batch or an encoder pass with another. */
  readonly sharesEncoderPass: boolean;
  /** The class of an example, for `data.train_per_class` (present on types with one label per example). */
  classOf?(example: unknown): string | undefined;
  /** True when a jsonl label field may list several references of one text (`TextExample.references`); default false. */
  readonly readsReferences?: boolean;
}

/** The task type's reading needs of a task (a lookup by `task.type` in the task-type registry). */
export type TaskReadingOf = (task: TaskConfig) => TaskReading;

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

/**
 * The input kind of a task: the one its data format gives ('words' for joint-folder, conll and cluener data,
 * 'pair' with `input.text_pair`, 'text' otherwise) when its type reads it, else the first its type reads.
 */
export function inputKindOf(task: TaskConfig, reading: TaskReading): InputKind {
  const given: InputKind =
    task.data.format === 'joint-folder' || task.data.format === 'conll' || task.data.format === 'cluener'
      ? 'words'
      : task.input?.textPair !== undefined
        ? 'pair'
        : 'text';
  if (reading.inputs.includes(given)) return given;
  const first = reading.inputs[0];
  if (first === undefined) throw new ConfigError(`task '${task.name}': its type ${task.type} lists no input kind it reads`);
  return first;
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

const wordnets = new Map<string, WordNet>();

/** WordNet from `dir`, parsed once per process (several tasks read it). */
function wordnetAt(dir: string): WordNet {
  let wn = wordnets.get(dir);
  if (wn === undefined) {
    wn = readWordNet(dir);
    wordnets.set(dir, wn);
  }
  return wn;
}

/**
 * A task's examples from WordNet, as its input kind reads it: glosses (a text to mask), gloss →
 * supersense or topic domain (a labelled text, `data.labels`), or described triples.
 */
function readWordNetTask(task: TaskConfig, input: InputKind): ReadResult<unknown> {
  const wn = wordnetAt(task.data.path ?? wordnetDir());
  if (input === 'masked-text') return { examples: wordnetGlosses(wn), skipped: [] };
  if (input !== 'triple')
    return { examples: task.data.labels === 'domain' ? wordnetDomainExamples(wn) : wordnetSupersenseExamples(wn), skipped: [] };
  const relations = task.data.relations;
  const known = Object.values(WORDNET_POINTERS);
  const unknown = (relations ?? []).filter((r) => !known.includes(r));
  if (unknown.length > 0) {
    throw new ConfigError(
      `task '${task.name}': data.relations: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a' : 'are not'} WordNet pointer name(s); known: ${known.join(', ')}`,
    );
  }
  const { triples, descriptions } = wordnetTriples(wn, relations === undefined ? {} : { relations });
  const graph: unknown[] = []; // every triple: the filter of ranks among all entities
  const examples = triples.map((t, i) => ({
    id: String(i),
    ...t,
    headText: descriptions.get(t.head) as string,
    tailText: descriptions.get(t.tail) as string,
    source: wn.byId.get(t.head)!.source,
    graph,
  }));
  for (const e of examples) graph.push(e); // not push(...examples): too many arguments for a large graph
  if (examples.length === 0) throw new ConfigError(`task '${task.name}': WordNet has no triples of the relations ${String(relations)}`);
  return { examples, skipped: [] };
}

/** The examples and skipped lines of one file of a task. */
async function readFile(task: TaskConfig, input: InputKind, references: boolean, file: string, split: Split): Promise<ReadResult<unknown>> {
  const d = task.data;
  const onBadLine = d.skipBadLines ? 'skip' : 'error';
  const label = task.label.field;
  switch (d.format) {
    case 'wordnet':
      return readWordNetTask(task, input);
    case 'joint-folder':
      return readJointFolder(file, { onBadLine });
    case 'conll':
      return readConll(file, { onBadLine, tokenColumn: d.tokenColumn, tagColumn: d.tagColumn });
    case 'csv':
    case 'tsv': {
      const header = (split === 'test' ? d.testColumns : undefined) ?? d.columns ?? true;
      const options = {
        onBadLine,
        delimiter: d.delimiter ?? (d.format === 'tsv' ? '\t' : ','),
        header,
        extraFields: d.extraFields,
      } as const;
      const input = task.input as NonNullable<TaskConfig['input']>;
      return input.textPair === undefined
        ? readDelimitedText(file, { text: input.text, label }, options)
        : readDelimitedTextPairs(file, { textA: input.text, textB: input.textPair, label }, options);
    }
    case 'squad':
      return readSquad(file, { onBadLine });
    case 'cluener':
      return readCluener(file, { onBadLine }); // a span nested in a longer one is dropped (BIO cannot hold both)
    case 'parallel':
      return readParallel(file, (task.input as NonNullable<TaskConfig['input']>).text, label as string, { onBadLine });
    case 'semeval2010':
      return readSemeval2010(file, { onBadLine });
    case 'messages':
      return readChatJsonl(file, { onBadLine });
    case 'dailydialog':
      if (input === 'messages') return readDailyDialogChats(file, { onBadLine }); // whole dialogues, alternating user / assistant
      return readDailyDialog(file, {
        onBadLine,
        contextTurns: d.contextTurns,
        turnSeparator: d.turnSeparator,
        detokenize: d.detokenize === true,
      });
    case 'jsonl': {
      const input = task.input as NonNullable<TaskConfig['input']>;
      if (input.e1Span !== undefined && input.e2Span !== undefined)
        return readRelationJsonl(file, { text: input.text, e1Span: input.e1Span, e2Span: input.e2Span, label }, { onBadLine });
      return input.textPair === undefined
        ? readJsonlText(file, { text: input.text, label, references }, { onBadLine })
        : readJsonlPairs(file, input.text, input.textPair, label, onBadLine);
    }
    default:
      throw new ConfigError(`task '${task.name}': unknown data format '${String(d.format)}'`);
  }
}

/** TextPairExamples from JSON Lines (the data layer reads single texts only). */
function readJsonlPairs(
  file: string,
  textA: string,
  textB: string,
  label: string | undefined,
  onBadLine: 'error' | 'skip',
): ReadResult<TextPairExample> {
  return mapJsonl(file, { onBadLine }, ({ value, source, index }) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `expected a JSON object, got ${JSON.stringify(value)}`;
    const o = value as Record<string, unknown>;
    for (const field of [textA, textB])
      if (typeof o[field] !== 'string') return `field "${field}" must be a string, got ${JSON.stringify(o[field])}`;
    const example = { id: String(index), textA: o[textA] as string, textB: o[textB] as string, source };
    if (label === undefined) return example;
    const v = o[label];
    if (typeof v !== 'string' && typeof v !== 'number')
      return `field "${label}" (label) must be a string or a number, got ${JSON.stringify(v)}`;
    return { ...example, label: String(v) };
  });
}

/**
 * Train and dev parts of `examples`: a seeded random `fraction` of them (at least one) is the dev
 * set; both parts keep file order. A pure function of (count, fraction, seed). With `groupOf`, whole
 * groups are held out instead (a seeded random `fraction` of the groups, at least one, not all):
 * SQuAD's questions by article, since questions about one paragraph in both parts would let dev
 * measure paragraphs seen in training.
 */
export function holdOut<E>(examples: readonly E[], fraction: number, seed: number, groupOf?: (e: E) => string): { train: E[]; dev: E[] } {
  const groups = groupOf === undefined ? examples.map((_, i) => i) : examples.map(groupOf);
  const distinct = [...new Set<string | number>(groups)];
  const n = distinct.length;
  const devCount = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const order = distinct.map((_, i) => i);
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const isDev = new Set(order.slice(0, devCount).map((i) => distinct[i]));
  return { train: examples.filter((_, i) => !isDev.has(groups[i]!)), dev: examples.filter((_, i) => isDev.has(groups[i]!)) };
}

/** The article of a SQuAD question (`QuestionAnswerExample.title`), for holding out whole articles; undefined for other examples. */
const articleOf = (examples: readonly unknown[]): ((e: unknown) => string) | undefined =>
  examples.length > 0 && examples.every((e) => typeof (e as { title?: unknown }).title === 'string')
    ? (e) => (e as { title: string }).title
    : undefined;

/**
 * A seeded random `n` of `examples` (all of them when there are no more), in their original order. A
 * pure function of (count, n, seed).
 */
export function subset<E>(examples: readonly E[], n: number, seed: number): E[] {
  if (n >= examples.length) return [...examples];
  return holdOut(examples, n / examples.length, seed).dev;
}

/**
 * A seeded random `n` of each class's examples (all of a class that has fewer; `classOf` undefined: no
 * class, left out), in their original order: `subset` of each class with the same seed. A pure function
 * of (the classes in order, n, seed).
 */
export function subsetPerClass<E>(examples: readonly E[], n: number, seed: number, classOf: (e: E) => string | undefined): E[] {
  const byClass = new Map<string, number[]>();
  examples.forEach((e, i) => {
    const c = classOf(e);
    if (c === undefined) return;
    const members = byClass.get(c);
    if (members === undefined) byClass.set(c, [i]);
    else members.push(i);
  });
  const kept = new Set<number>();
  for (const members of byClass.values()) for (const i of subset(members, n, seed)) kept.add(i);
  return examples.filter((_, i) => kept.has(i));
}

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
    const result = await readFile(task, input, references, trainFile, 'train');
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
      const original = splits.train.length;
      if (d.augment.method === 'eda') {
        const a = augmentExamples(splits.train, d.augment, seed + 2, options.augmentCache);
        augmented = { method: 'eda', original, added: a.added, cacheFile: a.cacheFile, fromCache: a.fromCache };
        splits.train = a.examples;
      } else {
        if (options.roundTrips === undefined)
          throw new ConfigError(
            `task '${task.name}': data.augment back-translation needs translation models, which only a run prepares (src/run/prepare.ts); read the data through prepareRun`,
          );
        const a = await backTranslateExamples(splits.train, d.augment, seed + 2, options.roundTrips, options.augmentCache);
        const { added, cacheFile, translated, cached, unchanged } = a;
        augmented = { method: 'back-translation', original, added, cacheFile, fromCache: translated === 0, translated, cached, unchanged };
        splits.train = a.examples;
      }
    }
  }
  for (const split of ['dev', 'test'] as const) {
    const file = d[split];
    if (file === undefined || !wanted.includes(split)) continue;
    const result = await readFile(task, input, references, file, split);
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

/** Examples per split of a task (a streamed corpus: its training lines). */
export function splitCounts(d: TaskData): Partial<Record<Split, number>> {
  const counts: Partial<Record<Split, number>> = Object.fromEntries(Object.entries(d.splits).map(([s, v]) => [s, v.length]));
  if (d.corpus !== undefined) counts.train = d.corpus.lines;
  return Object.fromEntries(SPLITS.filter((s) => counts[s] !== undefined).map((s) => [s, counts[s]]));
}

/** Log lines for the skipped records of each task (one per task and split that skipped any). */
export function describeSkippedLines(data: readonly TaskData[]): string[] {
  const lines: string[] = [];
  const seen = new Set<readonly SkippedLine[]>();
  for (const d of data) {
    for (const split of SPLITS) {
      const skipped = d.skipped[split];
      if (skipped === undefined || skipped.length === 0 || seen.has(skipped)) continue;
      seen.add(skipped);
      lines.push(`task ${d.task.name} (${split}): ${describeSkipped(skipped)}`);
    }
  }
  return lines;
}

/** Log lines for what `data.augment` added (one per data source augmented). */
export function describeAugmented(data: readonly TaskData[]): string[] {
  const lines: string[] = [];
  const seen = new Set<AugmentReport>();
  for (const d of data) {
    const a = d.augmented;
    if (a === undefined || seen.has(a)) continue;
    seen.add(a);
    const tasks = data.filter((o) => o.augmented === a).map((o) => o.task.name);
    const cache = a.cacheFile === undefined ? '' : a.fromCache ? ` (read from ${a.cacheFile})` : ` (cached in ${a.cacheFile})`;
    const method = a.method === 'eda' ? 'EDA' : 'back-translation';
    const counts =
      a.method === 'eda'
        ? ''
        : `; ${a.translated} translated, ${a.cached} from the cache, ${a.unchanged} left out as equal to their source`;
    lines.push(
      `data.augment (${tasks.join(', ')}): ${method} added ${a.added} training examples to ${a.original}, ${a.original + a.added} in all${counts}${cache}`,
    );
  }
  return lines;
}

/** Number of skipped records per task and split (for the run's summary). */
export function skippedCounts(data: readonly TaskData[]): Record<string, Partial<Record<Split, number>>> {
  return Object.fromEntries(
    data.map((d) => [
      d.task.name,
      Object.fromEntries(SPLITS.filter((s) => d.skipped[s] !== undefined).map((s) => [s, d.skipped[s]!.length])),
    ]),
  );
}
