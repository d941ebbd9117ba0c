/**
 * The checkpoint folder: everything needed to predict with, evaluate, export or resume a multi-task
 * model, in files other tools read (Hugging Face names and formats where they exist):
 *
 * ```
 * <output_dir>/
 *   metrics.jsonl            the run's metrics, appended as training goes (appendMetrics)
 *   last/                    the latest checkpoint, replaced at each save
 *   best/                    the checkpoint with the best dev metric so far
 *     config.json            the encoder's config, Hugging Face field names
 *     model.safetensors      encoder tensors under Hugging Face BERT names (embeddings.…, encoder.layer.0.…),
 *                            each task's head under heads.<task>.…, except the head of a run's one masked-LM
 *                            task, saved under Hugging Face's BertForMaskedLM names (cls.predictions.…)
 *     tokenizer.json         Hugging Face tokenizers format
 *     tasks.json             task specs and label maps
 *     trainer_state.json     step, epoch, best metric, sampler/batcher/RNG/scheduler state, the optimizer's JSON part
 *     optimizer.safetensors  the optimizer's tensors (state.<index>.<name>), when trainer_state.json has an optimizer
 *     training_config.yaml   the resolved training config
 *     metrics.jsonl          a copy of the run's metrics.jsonl at the time of the save
 * ```
 *
 * `best/` and `last/` are sibling folders, each a complete checkpoint (so `mtl predict runs/x/best`
 * works, and deleting one never breaks the other). Every save writes the whole folder atomically
 * (./checkpoint-atomic.ts: temporary sibling, fsync, rename; the previous checkpoint stays until the
 * rename succeeds). metrics.jsonl lives in the run folder because it is appended to, which an
 * atomically replaced folder cannot be; each checkpoint keeps a snapshot.
 *
 * This layer knows no training: it takes already-built pieces (state-dict Maps, something that saves
 * a tokenizer.json, JSON) and gives them back, checked for presence and consistency.
 */
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { CheckpointError, ConfigError } from '../errors.js';
import { Tensor } from '../tensor/index.js';
import { readableFolder, writeFolderAtomically, writeJson } from './checkpoint-atomic.js';
import {
  CHECKPOINT_FILES,
  ENCODER_ROOTS,
  HEADS_PREFIX,
  inspectCheckpoint,
  MLM_HEAD_PREFIX,
  mlmTaskOf,
  mlmHeadOf,
  ownerOf,
  type CheckpointInfo,
} from './checkpoint-inspect.js';
import {
  TASK_NAME,
  assertJson,
  tasksToJson,
  trainerStateToJson,
  type JsonObject,
  type TaskRecord,
  type TrainerState,
} from './checkpoint-state.js';
import { loadSafetensors } from './safetensors-read.js';
import { checkFinite } from './checkpoint-finite.js';
import { saveSafetensors, type NamedTensors } from './safetensors-write.js';

export { CHECKPOINT_FILES, inspectCheckpoint, type CheckpointInfo } from './checkpoint-inspect.js';
export { readableFolder, recoverFolder } from './checkpoint-atomic.js';
export { CHECKPOINT_FORMAT_VERSION, type JsonObject, type JsonValue, type TaskRecord, type TrainerState } from './checkpoint-state.js';

/** The folders and files of a run's output folder (see the file comment). */
export function checkpointPaths(outputDir: string): { last: string; best: string; metrics: string } {
  return { last: path.join(outputDir, 'last'), best: path.join(outputDir, 'best'), metrics: path.join(outputDir, 'metrics.jsonl') };
}

/** What a checkpoint holds, as the caller built it. The caller keeps ownership of every tensor. */
export interface CheckpointContents {
  /** config.json: the encoder's Hugging Face config (e.g. `bertConfigToHf(config)`); needs vocab_size, hidden_size, num_hidden_layers. */
  readonly encoderConfig: Readonly<Record<string, unknown>>;
  /** The encoder's state dict under BertModel's names, which are Hugging Face's (`embeddings.word_embeddings.weight`, …). */
  readonly encoder: ReadonlyMap<string, Tensor>;
  /** Each task's head state dict under the head module's own names; saved as `heads.<task>.<name>`. */
  readonly heads: ReadonlyMap<string, ReadonlyMap<string, Tensor>>;
  /** Writes tokenizer.json (the Tokenizer class's `save`). */
  readonly tokenizer: { save(file: string): void };
  /** tasks.json: one record per task (in task order), each with a head in `heads`. */
  readonly tasks: readonly TaskRecord[];
  /** trainer_state.json, for resuming; leave out for a model exported for inference. */
  readonly trainerState?: TrainerState;
  /** optimizer.safetensors: `Optimizer.stateDict().tensors`; required when `trainerState.optimizer` is not null. */
  readonly optimizerTensors?: NamedTensors;
  /** training_config.yaml: the resolved config text (`trainingConfigToYaml`). */
  readonly trainingConfig?: string;
  /** The run's metrics.jsonl, copied into the folder when it exists. */
  readonly metricsFile?: string;
}

/**
 * Writes a checkpoint folder atomically: into a temporary sibling, checked (as `inspectCheckpoint`
 * checks), fsynced, then renamed over `dir`. On any failure the previous checkpoint at `dir` is unchanged.
 * @throws ConfigError for contents that cannot make a checkpoint (a head for an unlisted task, a task
 *   without a head, an encoder key outside embeddings./encoder./pooler.); CheckpointError when writing fails.
 * @example
 *   saveCheckpoint(checkpointPaths(outputDir).last, {
 *     encoderConfig: bertConfigToHf(bert.config), encoder: bert.stateDict(), heads: new Map([['intent', head.stateDict()]]),
 *     tokenizer, tasks: [{ name: 'intent', type: 'sequence-classification', labels }], trainerState, optimizerTensors,
 *   });
 */
export function saveCheckpoint(dir: string, contents: CheckpointContents): void {
  // a head without tensors of its own (an LM head tied to the backbone's) is said in tasks.json, so a task without head tensors is otherwise damage
  const tasks = tasksToJson(contents.tasks.map((t) => (contents.heads.get(t.name)?.size === 0 ? { ...t, head_tensors: false } : t)));
  const model = modelTensors(contents);
  const trainerState = contents.trainerState === undefined ? undefined : trainerStateToJson(contents.trainerState);
  assertJson(contents.encoderConfig, CHECKPOINT_FILES.config);
  const hasOptimizer = trainerState !== undefined && trainerState.optimizer !== null;
  if (hasOptimizer !== (contents.optimizerTensors !== undefined)) {
    throw new ConfigError(
      hasOptimizer
        ? 'trainerState.optimizer is set but optimizerTensors is missing: pass both parts of Optimizer.stateDict()'
        : 'optimizerTensors were given without trainerState.optimizer: pass both parts of Optimizer.stateDict()',
    );
  }
  writeFolderAtomically(
    dir,
    (tmp) => {
      const file = (name: string) => path.join(tmp, name);
      writeJson(file(CHECKPOINT_FILES.config), contents.encoderConfig);
      saveSafetensors(file(CHECKPOINT_FILES.model), model, { format: 'pt' });
      contents.tokenizer.save(file(CHECKPOINT_FILES.tokenizer));
      writeJson(file(CHECKPOINT_FILES.tasks), tasks);
      if (trainerState !== undefined) writeJson(file(CHECKPOINT_FILES.trainerState), trainerState);
      if (contents.optimizerTensors !== undefined)
        saveSafetensors(file(CHECKPOINT_FILES.optimizer), contents.optimizerTensors, { format: 'pt' });
      if (contents.trainingConfig !== undefined) writeFileSync(file(CHECKPOINT_FILES.trainingConfig), contents.trainingConfig);
      if (contents.metricsFile !== undefined && existsSync(contents.metricsFile))
        copyFileSync(contents.metricsFile, file(CHECKPOINT_FILES.metrics));
    },
    (tmp) => void inspectCheckpoint(tmp),
  );
}

/** The tensors of model.safetensors: the encoder's under their own names, each head's under `heads.<task>.`. */
function modelTensors(contents: CheckpointContents): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, t] of contents.encoder) {
    if (ownerOf(name) !== '')
      throw new ConfigError(`encoder tensor '${name}' is not a backbone parameter name (${ENCODER_ROOTS.map((r) => `${r}…`).join(', ')})`);
    out.set(name, t);
  }
  const names = new Set(contents.tasks.map((t) => t.name));
  for (const [task, head] of contents.heads) {
    if (!TASK_NAME.test(task))
      throw new ConfigError(`head '${task}': a task name holds only letters, digits, '_' and '-', starting with a letter`);
    if (!names.has(task)) throw new ConfigError(`there is a head for task '${task}', but the tasks are ${[...names].join(', ')}`);
    const mlm = task === mlmHeadOf(contents.heads);
    for (const [name, t] of head) out.set(mlm && name.startsWith(MLM_HEAD_PREFIX) ? name : `${HEADS_PREFIX}${task}.${name}`, t);
  }
  const headless = [...names].filter((n) => !contents.heads.has(n));
  if (headless.length > 0)
    throw new ConfigError(
      `task${headless.length > 1 ? 's' : ''} ${headless.join(', ')} ha${headless.length > 1 ? 've' : 's'} no head in 'heads'`,
    );
  return out;
}

/** A loaded checkpoint. Its tensors belong to the caller: `dispose()` frees them (after loading them into modules). */
export interface LoadedCheckpoint extends Disposable {
  /** The folder read: the one asked for, or its `.previous` sibling while a save was replacing it. */
  readonly dir: string;
  /** config.json (Hugging Face names; `bertConfigFromHf` makes a BertConfig of it). */
  readonly encoderConfig: JsonObject;
  /** The encoder's state dict under BertModel's names, for `BertModel.loadStateDict`. */
  readonly encoder: Map<string, Tensor>;
  /** Each task's head state dict under the head module's names (the `heads.<task>.` prefix removed). */
  readonly heads: Map<string, Map<string, Tensor>>;
  /** The path of tokenizer.json (`Tokenizer.fromFile`). */
  readonly tokenizerFile: string;
  readonly tasks: TaskRecord[];
  /** null for a checkpoint without trainer_state.json. */
  readonly trainerState: TrainerState | null;
  /** optimizer.safetensors, for `Optimizer.loadStateDict({ json: trainerState.optimizer, tensors })`; null when absent or not asked for. */
  readonly optimizerTensors: Record<string, Tensor> | null;
  /** training_config.yaml's text, or null. */
  readonly trainingConfig: string | null;
  /** metrics.jsonl's records, or [] when absent. */
  readonly metrics: JsonObject[];
  /** Frees every tensor above. Idempotent. */
  dispose(): void;
}

export interface LoadCheckpointOptions {
  /** Where the tensors go: 'cpu' (default), 'cuda', … */
  device?: string;
  /** Read optimizer.safetensors (default true; false for inference). */
  optimizer?: boolean;
}

/**
 * Reads a checkpoint folder after checking it (`inspectCheckpoint`). While a save is replacing it (or
 * after a crash interrupted one), the previous checkpoint is read from its `.previous` sibling
 * (`readableFolder`); nothing on disk is changed, so loading is safe beside a training run.
 * @throws CheckpointError naming the file and the problem: a missing file, invalid JSON, a truncated
 *   tensor file, tensors that disagree with config.json or tasks.json, a tokenizer larger than the embeddings,
 *   weights or optimizer moments that hold NaN or Inf (naming the tensors).
 * @example
 *   using ckpt = loadCheckpoint('runs/snips/best', { optimizer: false });
 *   const bert = new BertModel(bertConfigFromHf(ckpt.encoderConfig));
 *   bert.loadStateDict(ckpt.encoder);
 */
export function loadCheckpoint(folder: string, options: LoadCheckpointOptions = {}): LoadedCheckpoint {
  const dir = readableFolder(folder);
  const info = inspectCheckpoint(dir);
  const file = (name: string) => path.join(dir, name);
  const device = options.device ?? 'cpu';
  const { tensors } = loadSafetensors(file(CHECKPOINT_FILES.model), { device });
  let optimizerTensors: Record<string, Tensor> | null = null;
  try {
    checkFinite(tensors, file(CHECKPOINT_FILES.model));
    if ((options.optimizer ?? true) && info.trainerState?.optimizer) {
      optimizerTensors = Object.fromEntries(loadSafetensors(file(CHECKPOINT_FILES.optimizer), { device }).tensors);
      checkFinite(Object.entries(optimizerTensors), file(CHECKPOINT_FILES.optimizer));
    }
    const trainingConfig = existsSync(file(CHECKPOINT_FILES.trainingConfig))
      ? readFileSync(file(CHECKPOINT_FILES.trainingConfig), 'utf8')
      : null;
    const metrics = existsSync(file(CHECKPOINT_FILES.metrics)) ? readMetrics(file(CHECKPOINT_FILES.metrics)) : [];
    return assemble(info, tensors, optimizerTensors, trainingConfig, metrics);
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    for (const t of Object.values(optimizerTensors ?? {})) t.dispose();
    throw e;
  }
}

function assemble(
  info: CheckpointInfo,
  tensors: Map<string, Tensor>,
  optimizerTensors: Record<string, Tensor> | null,
  trainingConfig: string | null,
  metrics: JsonObject[],
): LoadedCheckpoint {
  const encoder = new Map<string, Tensor>();
  const heads = new Map<string, Map<string, Tensor>>(info.tasks.map((t) => [t.name, new Map()]));
  const mlm = mlmTaskOf(info.tasks, tensors.keys());
  for (const [name, t] of tensors) {
    const owner = ownerOf(name, mlm) as string; // inspectCheckpoint checked every name
    if (owner === '') encoder.set(name, t);
    else if (owner === mlm && name.startsWith(MLM_HEAD_PREFIX)) heads.get(owner)!.set(name, t);
    else heads.get(owner)!.set(name.slice(HEADS_PREFIX.length + owner.length + 1), t);
  }
  const dispose = () => {
    for (const t of tensors.values()) t.dispose();
    for (const t of Object.values(optimizerTensors ?? {})) t.dispose();
  };
  return {
    dir: info.dir,
    encoderConfig: info.encoderConfig,
    encoder,
    heads,
    tokenizerFile: path.join(info.dir, CHECKPOINT_FILES.tokenizer),
    tasks: info.tasks,
    trainerState: info.trainerState,
    optimizerTensors,
    trainingConfig,
    metrics,
    dispose,
    [Symbol.dispose]: dispose,
  };
}

/**
 * Copies a checkpoint folder to `to` atomically (as `saveCheckpoint` writes), e.g. `last/` to `best/`
 * after an evaluation that improved the metric. The source is checked first.
 * @throws CheckpointError when the source is not a valid checkpoint or the copy fails (`to` is then unchanged).
 */
export function copyCheckpoint(source: string, to: string): void {
  const from = readableFolder(source);
  inspectCheckpoint(from);
  writeFolderAtomically(
    to,
    (tmp) => {
      for (const name of readdirSync(from)) copyFileSync(path.join(from, name), path.join(tmp, name));
    },
    (tmp) => void inspectCheckpoint(tmp),
  );
}

/**
 * Appends one record (a JSON object: step, task metrics, losses, …) as a line of a metrics.jsonl
 * file, flushed to disk.
 * @throws ConfigError when `record` is not plain JSON.
 */
export function appendMetrics(file: string, record: Readonly<Record<string, unknown>>): void {
  try {
    assertJson(record, 'metrics record');
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  appendFileSync(file, `${JSON.stringify(record)}\n`);
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The records of a metrics.jsonl file. A last line without its newline that does not parse is a
 * write that a crash cut short, and is left out.
 * @throws CheckpointError naming file and line for any other line that is not a JSON object.
 */
export function readMetrics(file: string): JsonObject[] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const torn = !text.endsWith('\n') ? lines.length - 1 : -1;
  const records: JsonObject[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      if (i === torn) return;
      throw new CheckpointError(`${file}:${i + 1}: not a JSON line (${(e as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new CheckpointError(`${file}:${i + 1}: expected a JSON object`);
    records.push(value as JsonObject);
  });
  return records;
}
