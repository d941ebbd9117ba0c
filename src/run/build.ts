/**
 * Building a run's pieces from its config: the tokenizer (loaded, learned from the training texts,
 * or taken from `encoder.from`), each task's spec (label list from its training data), features of
 * every split (truncation counted), and the multi-task model (a new BERT encoder, or one loaded from
 * a checkpoint, plus a head per task).
 */
import { statSync } from 'node:fs';
import { CheckpointError, ConfigError, DataError } from '../errors.js';
import type { TrainingConfig } from '../io/config/index.js';
import { snakeKey } from '../io/config/case.js';
import { silentLogger, type Logger } from '../logger.js';
import type { TaskRecord } from '../io/checkpoint.js';
import type { BackboneConfig, BackboneKind } from '../models/backbone.js';
import { backboneFamily, createBackbone, familyOfHfConfig } from '../models/registry.js';
import { MultiTaskModel } from '../mtl/multitask-model.js';
import { taskConfigOptions, taskSpec, taskType, type AnyTaskType, type Features, type Task, type TaskSpec } from '../tasks/index.js';
import { manualSeed } from '../tensor/index.js';
import { Tokenizer, tokenizerFromFolder, trainWordPiece } from '../tokenization/index.js';
import type { TaskData } from '../data/task-data.js';
import type { InputKind } from '../data/task-reading.js';
import type { Split } from '../data/index.js';
import { corpusSample } from '../data/text-corpus.js';
import { backboneConfigOf, modelFromPretrained, readConfigJson } from './load-model.js';
import { tokenizerTokenIds } from './special-token-ids.js';

/**
 * One task of a run: its spec, type, state and data. With the model's head for it, it is the run's
 * `Task` (`taskOfRun`).
 */
export interface TaskRun {
  readonly spec: TaskSpec;
  readonly type: AnyTaskType;
  /** The task's state (its type's `createState`: masked-LM's masking generator), for the whole run. */
  readonly state: unknown;
  readonly data: TaskData;
}

/** The run's task `run` on `model`: its spec, type and state, and the model's head for it. */
export function taskOfRun(run: TaskRun, model: MultiTaskModel): Task {
  return { type: run.type, spec: run.spec, head: model.heads.get(run.spec.name), state: run.state };
}

/** One task's features of one split, with the examples they were made from. */
export interface SplitFeatures {
  readonly examples: readonly unknown[];
  readonly features: Features[];
  /** Examples cut to max_length. */
  readonly truncated: number;
  /** Examples whose target was cut to the task's own limit (seq2seq's max_target_length); absent: none. */
  readonly truncatedTargets?: number;
  /** `featurize`'s `evalInputs`, when it made any. */
  readonly evalInputs?: readonly Features[];
}

/** The input texts a task's examples hold, for learning a vocabulary. */
function textsOf(examples: readonly unknown[], input: InputKind): string[] {
  const out: string[] = [];
  for (const e of examples as Record<string, unknown>[]) {
    if (input === 'words') out.push((e.tokens as string[]).join(' '));
    else if (input === 'pair') out.push(e.textA as string, e.textB as string);
    else if (input === 'triple') out.push(e.headText as string, e.tailText as string);
    else if (input === 'messages') for (const m of e.messages as { content: string }[]) out.push(m.content);
    else out.push(e.text as string);
  }
  return out;
}

/**
 * The training texts a learned vocabulary must cover: every data source's inputs (each source read
 * once), and what each task's type adds of its examples (`vocabularyTexts`: a seq2seq task's targets).
 */
function vocabularyTexts(data: readonly TaskData[], sampleLines: number): string[] {
  const texts: string[] = [];
  const add = (chunk: readonly string[]) => {
    for (const text of chunk) texts.push(text); // not push(...): WN18RR's 173,670 entity texts overflow the stack
  };
  const seenInputs = new Set<unknown>();
  const seenTargets = new Set<string>(); // tasks of one type reading the same examples add them once
  for (const d of data) {
    const train = d.corpus ?? d.splits.train;
    if (train === undefined) continue;
    if (!seenInputs.has(train)) {
      seenInputs.add(train);
      add(d.corpus === undefined ? textsOf(d.splits.train!, d.input) : corpusSample(d.corpus, sampleLines));
    }
    const extra = taskType(d.task.type).vocabularyTexts;
    const key = JSON.stringify([d.task.type, d.task.data, d.task.input, d.task.label]);
    if (extra === undefined || d.corpus !== undefined || seenTargets.has(key)) continue;
    seenTargets.add(key);
    add(d.splits.train!.flatMap((e) => extra(e as never)));
  }
  return texts;
}

/**
 * The run's tokenizer: `tokenizer.path`, or a WordPiece vocabulary learned from the training texts of
 * every data source and the seq2seq targets (each read once; of a streamed text corpus, its first `tokenizer.train.sample_lines`
 * training lines), or the tokenizer of `encoder.from` (tokenizer.json, else vocab.txt or vocab.json + merges.txt).
 * `tokenizer.path` may name a tokenizer.json or a Hugging Face folder. `logger` hears how many training texts
 * have a word over WordPiece's 100 characters (learned from for the alphabet only; encoded as `[UNK]`).
 */
export function buildTokenizer(config: TrainingConfig, data: readonly TaskData[], logger: Logger = silentLogger): Tokenizer {
  const t = config.tokenizer;
  if (t?.path !== undefined) return statSync(t.path).isDirectory() ? tokenizerFromFolder(t.path) : Tokenizer.fromFile(t.path);
  if (t?.train !== undefined) {
    const { vocabSize, minFrequency, lowercase, limitAlphabet, sampleLines } = t.train;
    const texts = vocabularyTexts(data, sampleLines);
    const options = { vocabSize, minFrequency, lowercase, ...(limitAlphabet === undefined ? {} : { limitAlphabet }) };
    return trainWordPiece(texts, options, (o) =>
      logger.info(
        `tokenizer: ${o.texts} training text${o.texts === 1 ? ' has a word' : 's have words'} over ${o.limit} characters ` +
          `(the longest ${o.longest.toLocaleString('en-US')}); WordPiece encodes such a word as [UNK], so it adds only its characters to the vocabulary`,
      ),
    );
  }
  const from = config.encoder.from;
  if (from === undefined) throw new ConfigError("no tokenizer: give 'tokenizer.path', 'tokenizer.train' or 'encoder.from'");
  try {
    return tokenizerFromFolder(from);
  } catch (e) {
    if (e instanceof CheckpointError && e.message.includes('has no tokenizer'))
      throw new ConfigError(`encoder.from: ${e.message}; or give 'tokenizer.path'`);
    throw e;
  }
}

/** Each task's spec, its label list collected from its training examples. */
export function buildTaskRuns(data: readonly TaskData[]): TaskRun[] {
  return data.map((d) => {
    const type: AnyTaskType = taskType(d.task.type as string);
    let options: unknown;
    try {
      options = type.resolveOptions(taskConfigOptions(d.task));
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(`task '${d.task.name}' options: ${e.message}`);
      throw e;
    }
    const train = d.splits.train ?? [];
    if (type.completeOptions !== undefined) options = type.completeOptions(options, Object.values(d.splits).flat(), train);
    const labels = type.collectLabels(d.labelExamples ?? train, options); // train_subset: labels of the whole training file
    if (labels.length === 0) throw new DataError(`task '${d.task.name}': its training data hold no labels`);
    const spec = taskSpec({ name: d.task.name, kind: d.task.type, labels, options: options as Readonly<Record<string, unknown>> });
    return { spec, type, state: type.createState?.(spec), data: d };
  });
}

/** The task runs of a checkpoint's tasks.json records (same labels and options as when it was trained). */
export function taskRunsFromRecords(records: readonly TaskRecord[], data: readonly TaskData[]): TaskRun[] {
  return data.map((d) => {
    const record = records.find((r) => r.name === d.task.name);
    if (record === undefined || record.type !== d.task.type) {
      throw new CheckpointError(
        `the checkpoint has no ${d.task.type} task '${d.task.name}' (it has ${records.map((r) => `${r.name} (${r.type})`).join(', ')}); the config does not match it`,
      );
    }
    const spec = taskSpec({
      name: record.name,
      kind: record.type,
      labels: record.labels ?? [],
      options: (record.options ?? {}) as Record<string, unknown>,
    });
    const type = taskType(spec.kind);
    return { spec, type, state: type.createState?.(spec), data: d };
  });
}

/** tasks.json's record of a task: spec (labels, options) and the input it reads. */
export function taskRecord(run: TaskRun): TaskRecord {
  return {
    name: run.spec.name,
    type: run.spec.kind,
    labels: [...run.spec.labels],
    options: run.spec.options as TaskRecord['options'],
    input: run.data.input,
  };
}

/**
 * A task's features of one split (undefined when the split has no data). Dev and test examples whose
 * label was never seen in training stop with file:line under `label.unknown: error`, and are kept
 * (scored as errors) under `keep`.
 */
export async function featurizeSplit(
  run: TaskRun,
  split: Split,
  tokenizer: Tokenizer,
  maxLength: number,
): Promise<SplitFeatures | undefined> {
  const examples = run.data.splits[split];
  if (examples === undefined) return undefined;
  const training = split === 'train' || run.data.task.label.unknown === 'error';
  try {
    const { features, truncated, truncatedTargets, evalInputs } = await run.type.featurize(examples, tokenizer, run.spec, {
      maxLength,
      training,
      split,
    });
    return {
      examples,
      features,
      truncated,
      ...(truncatedTargets ? { truncatedTargets } : {}),
      ...(evalInputs === undefined ? {} : { evalInputs }),
    };
  } catch (e) {
    if (split !== 'train' && e instanceof DataError && e.message.includes('not in its label list')) {
      throw new DataError(
        `${e.message}; it is a ${split} label never seen in training: set label.unknown: keep to score such examples as errors`,
      );
    }
    throw e;
  }
}

/**
 * Checks the family of the run's backbone: `encoder.model_type` (default bert), or that of `encoder.from`'s
 * config.json. Called before any data is read, so an unsupported model type stops a run at once.
 * @returns the backbone's kind (encoder, decoder, encoder-decoder), which `completeWithBackbone` completes task options with.
 * @throws ConfigError naming the supported model types.
 */
export function checkBackboneFamily(config: TrainingConfig): BackboneKind {
  const from = config.encoder.from;
  if (from === undefined) {
    const { modelType, fields } = newEncoderFields(config);
    familyConfig(modelType, fields); // the family's own keys checked before any data is read
    return backboneFamily(modelType).kind;
  }
  const json = readConfigJson(from);
  backboneConfigOf(json);
  return familyOfHfConfig(json).kind;
}

/** A new encoder's family (`model_type`, default bert) and its fields (camelCase, the family's own keys included), without `vocabSize`. */
function newEncoderFields(config: TrainingConfig): { modelType: string; fields: Record<string, unknown>; vocabSize?: number } {
  const {
    from: _from,
    reinitPooler: _freshPooler,
    reinitLayers: _freshLayers,
    vocabSize,
    modelType,
    ...fields
  } = config.encoder as Record<string, unknown>;
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return {
    modelType: typeof modelType === 'string' ? modelType : 'bert',
    fields: defined,
    ...(typeof vocabSize === 'number' ? { vocabSize } : {}),
  };
}

/**
 * The config of a new backbone of the family `modelType`: `fields` (the config file's encoder keys,
 * camelCased: the common ones and the family's own, T5's numDecoderLayers and dKv, Llama's
 * numKeyValueHeads, …) over the family's defaults.
 * @throws ConfigError for an unknown key or an invalid value, naming the key as the config file spells it (num_decoder_layers).
 */
function familyConfig(modelType: string, fields: Readonly<Record<string, unknown>>): BackboneConfig {
  const family = backboneFamily(modelType);
  try {
    return family.config(fields);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const message = e.message.replace(/\b[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+\b/g, snakeKey); // the family's field names, as the file spells them
    throw new ConfigError(`encoder (model_type ${modelType}): ${message}`);
  }
}

/**
 * The config of a new backbone: the config's `encoder` fields over its family's defaults (family by
 * `model_type`, default bert); vocabulary size and the padding, end and decoder-start token ids from
 * the tokenizer unless given (./special-token-ids.ts).
 */
function newBackboneConfig(config: TrainingConfig, tokenizer: Tokenizer): BackboneConfig {
  const { modelType, fields, vocabSize } = newEncoderFields(config);
  const size = vocabSize ?? tokenizer.vocabSize;
  if (size < tokenizer.vocabSize) {
    throw new ConfigError(
      `encoder.vocab_size (${size}) is smaller than the tokenizer's vocabulary (${tokenizer.vocabSize} tokens); raise it or leave it out`,
    );
  }
  const defaults = familyConfig(modelType, { ...fields, vocabSize: size });
  const ids = tokenizerTokenIds(tokenizer, defaults as unknown as Record<string, unknown>, fields);
  return Object.keys(ids).length === 0 ? defaults : familyConfig(modelType, { ...fields, ...ids, vocabSize: size });
}

/**
 * The multi-task model: a backbone (new, of the family `encoder.model_type` names, initialised after
 * manualSeed(config.seed); or loaded from `encoder.from` by the one loader, ./load-model.ts, with the
 * config's dropout overrides, its pooler kept fresh with `encoder.reinit_pooler` and its top layers with
 * `encoder.reinit_layers`) and a new head per task.
 */
export function buildModel(config: TrainingConfig, tokenizer: Tokenizer, specs: readonly TaskSpec[]): MultiTaskModel {
  manualSeed(config.seed);
  const from = config.encoder.from;
  if (from === undefined) return MultiTaskModel.fromSpecs(createBackbone(newBackboneConfig(config, tokenizer)), specs);
  const overrides = Object.fromEntries(
    Object.entries(config.encoder).filter(([k, v]) => !['from', 'reinitPooler', 'reinitLayers'].includes(k) && v !== undefined),
  );
  const backboneConfig = backboneConfigOf(readConfigJson(from), overrides);
  const grow = tasksAddedTokens(tokenizer, backboneConfig.vocabSize, specs, from);
  return modelFromPretrained(from, specs, {
    overrides: grow ? { ...overrides, vocabSize: tokenizer.vocabSize } : overrides,
    reinitPooler: config.encoder.reinitPooler === true,
    reinitLayers: config.encoder.reinitLayers ?? 0,
    growEmbeddings: grow,
  });
}

/**
 * Whether the tokenizer's ids beyond the `embedded` rows of a pre-trained encoder are all special
 * tokens its tasks added (`TaskType.addedTokens`: relation classification's entity markers), so the
 * word embeddings grow to hold them; false when the tokenizer fits.
 * @throws ConfigError when some id beyond the table is another token (a tokenizer that is not the encoder's).
 */
function tasksAddedTokens(tokenizer: Tokenizer, embedded: number, specs: readonly TaskSpec[], from: string): boolean {
  if (tokenizer.vocabSize <= embedded) return false;
  const added = new Set(specs.flatMap((s) => taskType(s.kind).addedTokens?.(s.options) ?? []).map((t) => tokenizer.tokenToId(t)));
  for (let id = embedded; id < tokenizer.vocabSize; id++)
    if (!added.has(id))
      throw new ConfigError(`the tokenizer has ${tokenizer.vocabSize} tokens but the encoder of ${from} embeds only ${embedded}`);
  return true;
}
