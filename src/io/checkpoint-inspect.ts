/**
 * Reading a checkpoint folder's small files and tensor headers (no tensor data) and checking that
 * they are present and agree with each other. Used before loading, and on every freshly written
 * folder before it replaces the previous checkpoint.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError } from '../errors.js';
import { readableFolder } from './checkpoint-atomic.js';
import { tasksFromJson, trainerStateFromJson, type JsonObject, type TaskRecord, type TrainerState } from './checkpoint-state.js';
import { openSafetensors } from './safetensors-read.js';

/** The file names of a checkpoint folder. */
export const CHECKPOINT_FILES = {
  /** The encoder's Hugging Face config (`hidden_size`, …). */
  config: 'config.json',
  /** Encoder tensors under Hugging Face BERT names, heads under `heads.<task>.…`. */
  model: 'model.safetensors',
  tokenizer: 'tokenizer.json',
  /** Task specs and label maps. */
  tasks: 'tasks.json',
  /** Step, epoch, best metric, sampler/batcher/RNG/scheduler state, the optimizer's JSON part. */
  trainerState: 'trainer_state.json',
  /** The optimizer's state tensors (`state.<index>.<name>`). */
  optimizer: 'optimizer.safetensors',
  /** The resolved training config. */
  trainingConfig: 'training_config.yaml',
  /** One JSON object per line: the run's logged metrics up to this checkpoint. */
  metrics: 'metrics.jsonl',
} as const;

/** The files every checkpoint folder holds (resuming needs trainer_state.json as well). */
export const REQUIRED_CHECKPOINT_FILES = [
  CHECKPOINT_FILES.config,
  CHECKPOINT_FILES.model,
  CHECKPOINT_FILES.tokenizer,
  CHECKPOINT_FILES.tasks,
];

/**
 * Top-level children of the backbones (BERT, RoBERTa, ELECTRA: embeddings, embeddings_project, encoder,
 * pooler; DistilBERT: transformer; GPT-2: wte, wpe, h, ln_f; Llama: embed_tokens, layers, norm): a tensor under one of these belongs to the encoder.
 */
export const ENCODER_ROOTS = [
  'embeddings.',
  'embeddings_project.',
  'encoder.',
  'pooler.',
  'transformer.',
  'wte.',
  'wpe.',
  'h.',
  'ln_f.',
  'embed_tokens.',
  'layers.',
  'norm.',
  // encoder-decoders: T5's shared, decoder and (v1.1) lm_head; BART's and Marian's model.… and final_logits_bias
  'shared.',
  'decoder.',
  'lm_head.',
  'model.',
  'final_logits_bias',
];

/**
 * config.json's names of the common fields, with the aliases families use for them (Transformers'
 * `attribute_map`: DistilBERT's `dim`, `n_layers`; GPT-2's `n_embd`, `n_layer`), and the width of the word embeddings (ELECTRA's
 * `embedding_size` where it has one).
 */
const configInt = (json: JsonObject, ...keys: string[]): unknown => json[keys.find((k) => k in json) ?? (keys[0] as string)];
const HIDDEN_SIZE = ['hidden_size', 'dim', 'n_embd', 'd_model'];
const NUM_LAYERS = ['num_hidden_layers', 'n_layers', 'n_layer', 'num_layers', 'encoder_layers'];
/**
 * A transformer layer's tensors: `encoder.layer.<i>.…` (BERT, RoBERTa, ELECTRA), `transformer.layer.<i>.…`
 * (DistilBERT), `h.<i>.…` (GPT-2), `layers.<i>.…` (Llama); of an encoder-decoder, its encoder's:
 * `encoder.block.<i>.…` (T5), `(model.)encoder.layers.<i>.…` (BART, Marian).
 */
const LAYER = /^(?:(?:encoder|transformer)\.layer|h|layers|encoder\.block|(?:model\.)?encoder\.layers)\.(\d+)\./;
/** The word embeddings (V, E): BERT's and its kin's, GPT-2's `wte`, Llama's `embed_tokens`, T5's `shared`, BART's and Marian's `model.shared`. */
const WORD_EMBEDDINGS = ['embeddings.word_embeddings.weight', 'wte.weight', 'embed_tokens.weight', 'shared.weight', 'model.shared.weight'];
/** The prefix of every head tensor: `heads.<task>.<name in the head module>`. */
export const HEADS_PREFIX = 'heads.';

/**
 * '; runs/bot is a training run's output folder: give runs/bot/best (or runs/bot/last)' when `dir` holds a
 * run's checkpoints (`best/`, `last/`) rather than being one (what `mtl train` prints is the run folder), else ''.
 */
export function runFolderHint(dir: string): string {
  const held = ['best', 'last'].filter((c) => existsSync(path.join(dir, c, CHECKPOINT_FILES.tasks)));
  if (held.length === 0) return '';
  return `; ${dir} is a training run's output folder: give ${held.map((c) => path.join(dir, c)).join(' (or ')}${held.length > 1 ? ')' : ''}`;
}

/** What a checkpoint folder holds, read and checked, without tensor data. */
export interface CheckpointInfo {
  readonly dir: string;
  /** config.json as written (Hugging Face names). */
  readonly encoderConfig: JsonObject;
  readonly tasks: TaskRecord[];
  /** null when the folder has no trainer_state.json (an export for inference). */
  readonly trainerState: TrainerState | null;
  /** Shape of each tensor of model.safetensors, by name. */
  readonly tensorShapes: Map<string, number[]>;
  /** Tokens in tokenizer.json (largest id + 1), when its model lists them. */
  readonly tokenizerVocabSize: number | undefined;
}

/** Parses a JSON file of the checkpoint; CheckpointError naming the file otherwise. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CheckpointError(`${file}: cannot read it (${(e as Error).message})`, e);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`${file}: not valid JSON (${(e as Error).message}); the file is damaged`, e);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/**
 * The folder to read for `folder` (its `.previous` sibling while a save is replacing it), checked to
 * exist: what a command given a model folder checks before anything else.
 * @param what what the folder should hold, named in the error ('checkpoint', 'model folder').
 * @throws CheckpointError `no checkpoint at DIR: the folder does not exist` when neither exists.
 */
export function existingFolder(folder: string, what = 'checkpoint'): string {
  const dir = readableFolder(folder);
  if (!existsSync(dir)) throw new CheckpointError(`no ${what} at ${dir}: the folder does not exist`);
  return dir;
}

/**
 * Reads and checks a checkpoint folder (see CHECKPOINT_FILES): the required files are present and
 * parse; model.safetensors has the word embeddings of config.json's vocab_size × hidden_size and
 * num_hidden_layers layers; every tensor is an encoder tensor or `heads.<task>.…` of a task in
 * tasks.json, and every task has a head; the tokenizer's vocabulary fits the embeddings; optimizer
 * tensors are present exactly when trainer_state.json has an optimizer state, and match it. Reads
 * the `.previous` sibling while a save is replacing the folder (see ./checkpoint-atomic.ts).
 * @throws CheckpointError naming the file and the problem.
 */
export function inspectCheckpoint(folder: string): CheckpointInfo {
  const dir = existingFolder(folder);
  const present = new Set(readdirSync(dir));
  const missing = REQUIRED_CHECKPOINT_FILES.filter((f) => !present.has(f));
  if (missing.length > 0) {
    throw new CheckpointError(
      `the checkpoint ${dir} lacks ${missing.join(', ')}; a checkpoint folder holds ${REQUIRED_CHECKPOINT_FILES.join(', ')} (and for resuming ${CHECKPOINT_FILES.trainerState})${runFolderHint(dir)}`,
    );
  }
  const file = (name: string) => path.join(dir, name);
  const encoderConfig = readEncoderConfig(file(CHECKPOINT_FILES.config));
  const tasks = tasksFromJson(readJsonFile(file(CHECKPOINT_FILES.tasks)), file(CHECKPOINT_FILES.tasks));
  const trainerState = present.has(CHECKPOINT_FILES.trainerState)
    ? trainerStateFromJson(readJsonFile(file(CHECKPOINT_FILES.trainerState)), file(CHECKPOINT_FILES.trainerState))
    : null;
  const tensorShapes = tensorShapesOf(file(CHECKPOINT_FILES.model));
  checkModelTensors(file(CHECKPOINT_FILES.model), tensorShapes, encoderConfig, tasks);
  const tokenizerVocabSize = tokenizerSize(file(CHECKPOINT_FILES.tokenizer));
  const vocab = encoderConfig.vocab_size as number;
  if (tokenizerVocabSize !== undefined && tokenizerVocabSize > vocab) {
    throw new CheckpointError(
      `${file(CHECKPOINT_FILES.tokenizer)}: the tokenizer has ${tokenizerVocabSize} tokens but config.json's vocab_size is ${vocab}; the tokenizer does not belong to this model`,
    );
  }
  checkOptimizer(dir, present, trainerState);
  return { dir, encoderConfig, tasks, trainerState, tensorShapes, tokenizerVocabSize };
}

function readEncoderConfig(file: string): JsonObject {
  const json = readJsonFile(file);
  if (!isObject(json)) throw new CheckpointError(`${file}: expected a JSON object of Hugging Face config fields`);
  for (const keys of [['vocab_size'], HIDDEN_SIZE, NUM_LAYERS]) {
    const key = keys.find((k) => k in json) ?? (keys[0] as string);
    if (!isPositiveInt(json[key]))
      throw new CheckpointError(`${file}: '${key}' must be a positive integer, got ${JSON.stringify(json[key])}`);
  }
  return json as JsonObject;
}

function tensorShapesOf(file: string): Map<string, number[]> {
  const reader = openSafetensors(file);
  try {
    return new Map(reader.names.map((n) => [n, reader.info(n).shape]));
  } finally {
    reader.close();
  }
}

/**
 * The prefix under which the head of a checkpoint's one masked-LM task is saved: Hugging Face's
 * BertForMaskedLM names (`cls.predictions.transform.dense.weight`, …), not `heads.<task>.cls.predictions.…`.
 */
export const MLM_HEAD_PREFIX = 'cls.predictions.';

/**
 * The task whose head a model.safetensors holds under `MLM_HEAD_PREFIX`, from its tensor `names`: when
 * some name has that prefix, the one task of `tasks` with no `heads.<task>.…` tensor (every task has a
 * head, and a head is saved under one of the two), if there is exactly one. The file alone tells; the
 * task's kind is not needed.
 */
export function mlmTaskOf(tasks: readonly { readonly name: string }[], names: Iterable<string>): string | undefined {
  const all = [...names];
  if (!all.some((n) => n.startsWith(MLM_HEAD_PREFIX))) return undefined;
  const headless = tasks.filter((t) => !all.some((n) => n.startsWith(`${HEADS_PREFIX}${t.name}.`)));
  return headless.length === 1 ? headless[0]!.name : undefined;
}

/** The task whose head (tensors by task, under their own names) is saved under `MLM_HEAD_PREFIX`: the only head holding such tensors. */
export function mlmHeadOf(heads: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string | undefined {
  const holders = [...heads].filter(([, head]) => [...head.keys()].some((n) => n.startsWith(MLM_HEAD_PREFIX))).map(([task]) => task);
  return holders.length === 1 ? holders[0] : undefined;
}

/**
 * The task a tensor name belongs to (`heads.<task>.…`, or `cls.predictions.…` for `mlmTask`), '' for an
 * encoder tensor, undefined for neither.
 */
export function ownerOf(name: string, mlmTask?: string): string | undefined {
  if (ENCODER_ROOTS.some((r) => name.startsWith(r))) return '';
  if (mlmTask !== undefined && name.startsWith(MLM_HEAD_PREFIX)) return mlmTask;
  if (!name.startsWith(HEADS_PREFIX)) return undefined;
  const rest = name.slice(HEADS_PREFIX.length);
  const dot = rest.indexOf('.');
  return dot > 0 && dot < rest.length - 1 ? rest.slice(0, dot) : undefined;
}

function checkModelTensors(file: string, shapes: Map<string, number[]>, config: JsonObject, tasks: TaskRecord[]): void {
  const names = new Set(tasks.map((t) => t.name));
  const withHead = new Set<string>();
  let layers = 0;
  const mlm = mlmTaskOf(tasks, shapes.keys());
  for (const name of shapes.keys()) {
    const owner = ownerOf(name, mlm);
    if (owner === undefined) {
      throw new CheckpointError(
        `${file}: tensor '${name}' is neither an encoder tensor (${ENCODER_ROOTS.map((r) => `${r}…`).join(', ')}) nor a head tensor (heads.<task>.…)`,
      );
    }
    if (owner !== '' && !names.has(owner))
      throw new CheckpointError(`${file}: tensor '${name}' is a head of task '${owner}', which tasks.json does not list`);
    if (owner !== '') withHead.add(owner);
    const layer = LAYER.exec(name);
    if (layer) layers = Math.max(layers, Number(layer[1]) + 1);
  }
  const tied = tasks.filter((t) => t.head_tensors === false && withHead.has(t.name)).map((t) => t.name);
  if (tied.length > 0)
    throw new CheckpointError(
      `${file}: tasks.json says the head of ${tied.join(', ')} has no tensors (head_tensors: false), but there are heads.${tied[0]}.… tensors`,
    );
  const headless = tasks.filter((t) => !withHead.has(t.name) && t.head_tensors !== false).map((t) => t.name);
  if (headless.length > 0)
    throw new CheckpointError(
      `${file}: no head tensors (heads.<task>.…) for task${headless.length > 1 ? 's' : ''} ${headless.join(', ')} of tasks.json`,
    );
  const wordName = WORD_EMBEDDINGS.find((n) => shapes.has(n)) ?? (WORD_EMBEDDINGS[0] as string);
  const word = shapes.get(wordName);
  const width = 'embedding_size' in config ? 'embedding_size' : (HIDDEN_SIZE.find((k) => k in config) ?? 'hidden_size');
  const want = [config.vocab_size as number, config[width] as number];
  if (word === undefined) throw new CheckpointError(`${file}: the encoder's '${wordName}' is missing`);
  if (word.length !== 2 || word[0] !== want[0] || word[1] !== want[1]) {
    throw new CheckpointError(
      `${file}: '${wordName}' is [${word.join(', ')}], but config.json says vocab_size × ${width} = [${want.join(', ')}]`,
    );
  }
  const numLayers = configInt(config, ...NUM_LAYERS);
  if (layers !== numLayers) {
    const key = NUM_LAYERS.find((k) => k in config) ?? 'num_hidden_layers';
    throw new CheckpointError(
      `${file}: the encoder has ${layers} layers (encoder.layer.0 … ), but config.json says ${key} = ${String(numLayers)}`,
    );
  }
}

/** Largest token id + 1 in a tokenizer.json (model vocabulary and added tokens), or undefined when its model does not list them. */
function tokenizerSize(file: string): number | undefined {
  const json = readJsonFile(file);
  if (!isObject(json) || !isObject(json.model)) throw new CheckpointError(`${file}: not a tokenizer.json (no "model" object)`);
  const vocab = json.model.vocab;
  let size: number | undefined;
  if (isObject(vocab)) {
    size = 0; // a loop, not Math.max(...ids): a spread of 130,000+ ids overflows the stack
    for (const id of Object.values(vocab)) if (typeof id === 'number') size = Math.max(size, id + 1);
  } else if (Array.isArray(vocab)) size = vocab.length; // Unigram: [token, score] pairs
  if (size === undefined) return undefined;
  if (Array.isArray(json.added_tokens))
    for (const t of json.added_tokens) if (isObject(t) && typeof t.id === 'number') size = Math.max(size, t.id + 1);
  return size;
}

function checkOptimizer(dir: string, present: ReadonlySet<string>, state: TrainerState | null): void {
  const file = path.join(dir, CHECKPOINT_FILES.optimizer);
  const hasFile = present.has(CHECKPOINT_FILES.optimizer);
  const optimizer = state?.optimizer ?? null;
  if (optimizer === null) {
    if (!hasFile) return;
    if (!present.has(CHECKPOINT_FILES.trainerState)) {
      throw new CheckpointError(
        `${file} is present, but ${CHECKPOINT_FILES.trainerState} is missing; restore it to resume, or delete ${CHECKPOINT_FILES.optimizer} to keep the folder for inference only`,
      );
    }
    throw new CheckpointError(`${file} is present, but ${CHECKPOINT_FILES.trainerState} has no optimizer state to go with it`);
  }
  if (!hasFile)
    throw new CheckpointError(
      `the checkpoint ${dir} lacks ${CHECKPOINT_FILES.optimizer}, which ${CHECKPOINT_FILES.trainerState}'s optimizer state needs`,
    );
  const indices = new Set(Object.keys(optimizer.state as JsonObject));
  for (const name of tensorShapesOf(file).keys()) {
    const m = /^state\.(\d+)\.[^.]+$/.exec(name);
    if (!m) throw new CheckpointError(`${file}: tensor '${name}' is not named state.<parameter index>.<name>`);
    if (!indices.has(m[1]!))
      throw new CheckpointError(
        `${file}: tensor '${name}' is for parameter ${m[1]}, which the optimizer state in ${CHECKPOINT_FILES.trainerState} does not list`,
      );
  }
}
