/**
 * A Hugging Face Transformers task-model folder — `<Family>ForSequenceClassification`,
 * `…ForTokenClassification` or `…ForQuestionAnswering`, as `mtl export --task` writes it or as the Hub
 * serves it — read as a one-task MultiTaskModel, so `mtl predict` and `mtl serve` answer with it as
 * with a checkpoint of ours. The inverse of src/export/hf.ts: config.json's `architectures` names the
 * class, its `model_type` the family, `id2label` the labels in id order; the task type is the one whose
 * `importHf` takes the class and `problem_type`; the head's tensors are the names the type exports
 * (RoBERTa's `classifier.dense` is the pooler's dense layer, `classifier.out_proj` the classifier).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError } from '../errors.js';
import type { TaskRecord } from '../io/checkpoint.js';
import { loadHfWeights } from '../io/hf-weights.js';
import { MultiTaskModel } from '../mtl/multitask-model.js';
import { taskSpec, taskTypes, type AnyTaskType, type HfExport, type TaskSpec } from '../tasks/index.js';
import type { Tensor } from '../tensor/index.js';
import { Tokenizer, tokenizerFromFolder } from '../tokenization/index.js';
import { backboneOf, readConfigJson } from './load-model.js';

/** The heads of Transformers task classes read here, and the pipeline each task is named after. */
const TASK_NAMES: Readonly<Partial<Record<HfExport['head'], string>>> = {
  SequenceClassification: 'text-classification',
  TokenClassification: 'token-classification',
  QuestionAnswering: 'question-answering',
};

/** A Transformers task-model folder, loaded. The caller owns `model` (dispose it). */
export interface HfTaskModel {
  readonly model: MultiTaskModel;
  readonly tokenizer: Tokenizer;
  readonly spec: TaskSpec;
  /** tasks.json's record of the task, as a checkpoint of ours would hold it. */
  readonly record: TaskRecord;
  /** The longest input the model reads, in tokens (config.json's `max_position_embeddings`). */
  readonly maxLength: number;
}

/**
 * Whether `dir` is a Transformers task-model folder rather than a checkpoint of ours: config.json without
 * tasks.json, and none of the files only our checkpoints write (training_config.yaml, optimizer.safetensors),
 * so that a checkpoint of ours that lost tasks.json is reported as such by the checkpoint loader.
 */
export function isHfTaskFolder(dir: string): boolean {
  const has = (file: string) => existsSync(path.join(dir, file));
  return has('config.json') && !has('tasks.json') && !has('training_config.yaml') && !has('optimizer.safetensors');
}

/** config.json's `id2label` as a list in id order ([] when absent). */
function labelsOf(config: Readonly<Record<string, unknown>>, file: string): string[] {
  const map = config.id2label;
  if (map === undefined || map === null) return [];
  if (typeof map !== 'object' || Array.isArray(map)) throw new CheckpointError(`${file}: id2label must be an object of id → label`);
  const entries = Object.entries(map as Record<string, unknown>);
  const labels: string[] = [];
  for (const [id, label] of entries) {
    const i = Number(id);
    if (!Number.isInteger(i) || i < 0 || i >= entries.length || typeof label !== 'string')
      throw new CheckpointError(
        `${file}: id2label must map the ids 0…${entries.length - 1} to label strings, got ${JSON.stringify(id)}: ${JSON.stringify(label)}`,
      );
    labels[i] = label;
  }
  return labels;
}

/**
 * The head `architectures` names for the family's class stem, with what is wrong otherwise (a language
 * model of a family that generates, `generates`, is pointed to `mtl generate`).
 */
function headOf(config: Readonly<Record<string, unknown>>, classPrefix: string, file: string, generates: boolean): HfExport['head'] {
  const classes = Array.isArray(config.architectures) ? config.architectures : [];
  const known = Object.keys(TASK_NAMES).map((h) => `${classPrefix}For${h}`);
  const head = (Object.keys(TASK_NAMES) as HfExport['head'][]).find((h) => classes.includes(`${classPrefix}For${h}`));
  if (head === undefined) {
    const dir = path.dirname(file);
    const generate = generates
      ? `. A language model generates text: mtl generate ${dir} "a prompt" (or POST /generate of mtl serve ${dir})`
      : '';
    throw new CheckpointError(
      `${file}: architectures is ${JSON.stringify(config.architectures ?? null)}; a model folder without tasks.json must be a ` +
        `Transformers task model (${known.join(', ')}) to predict with. A base model or a checkpoint of another kind ` +
        `has no head: fine-tune it first (encoder.from in a training config)${generate}`,
    );
  }
  return head;
}

/** The task type that reads the folder, and what it makes of it. */
function importOf(head: HfExport['head'], config: Readonly<Record<string, unknown>>, labels: readonly string[], file: string) {
  for (const type of taskTypes.all as readonly AnyTaskType[]) {
    const made = type.importHf?.(head, config, labels);
    if (made !== undefined) return { type, made };
  }
  throw new CheckpointError(
    `${file}: no task type reads a …For${head} with problem_type ${JSON.stringify(config.problem_type ?? null)} and ` +
      `${labels.length} label${labels.length === 1 ? '' : 's'} in id2label`,
  );
}

/**
 * Loads a Transformers task-model folder (config.json, model.safetensors / pytorch_model.bin, and
 * tokenizer.json or vocab.txt or vocab.json + merges.txt) as a one-task model in eval mode.
 * @throws CheckpointError when config.json names no task class this library reads, when `id2label`
 *   is malformed, when the family's class computes its head differently (DistilBERT's and ELECTRA's
 *   classification heads), or when tensors are missing, unexpected or of the wrong shape;
 *   ConfigError for an unsupported model_type.
 */
export function loadHfTaskFolder(dir: string): HfTaskModel {
  const file = path.join(dir, 'config.json');
  const config = readConfigJson(dir);
  const backbone = backboneOf(config);
  let model: MultiTaskModel | undefined;
  try {
    const names = backbone.hfNames;
    const head = headOf(config, names.classPrefix, file, backbone.kind !== 'encoder');
    const { type, made } = importOf(head, config, labelsOf(config, file), file);
    const layout = head === 'SequenceClassification' ? names.sequenceClassification : 'token';
    if (typeof layout === 'object' || layout === undefined)
      throw new CheckpointError(
        `${file}: ${names.classPrefix}For${head} computes its head in a way this library's heads do not` +
          (layout === undefined ? '' : ` (${layout.refused})`),
      );
    const name = TASK_NAMES[head] ?? head; // headOf returns only heads listed there
    const spec = taskSpec({ name, kind: type.kind, labels: made.labels, options: made.options });
    model = MultiTaskModel.fromSpecs(backbone, [spec]);
    loadWeights(model, dir, name, layout);
    model.eval();
    const record: TaskRecord = { name, type: type.kind, labels: [...spec.labels], input: type.inputs[0]! };
    return { model, tokenizer: tokenizerFromFolder(dir), spec, record, maxLength: backbone.config.maxPositionEmbeddings };
  } catch (e) {
    if (model === undefined) backbone.dispose();
    else model.dispose();
    throw e;
  }
}

/**
 * Copies the folder's weights into `model`: the backbone's (a missing pooler is left as initialised:
 * token and span heads never read it), and the head's, strictly.
 */
function loadWeights(model: MultiTaskModel, dir: string, task: string, layout: 'pooler' | 'classification-head' | 'token'): void {
  const { tensors } = loadHfWeights(dir);
  try {
    const { backbone, rest } = model.backbone.hfNames.splitStateDict(tensors);
    const head = new Map<string, Tensor>();
    for (const [name, t] of rest) {
      if (layout === 'classification-head' && name.startsWith('classifier.dense.'))
        backbone.set(name.replace('classifier.dense.', 'pooler.dense.'), t);
      else if (layout === 'classification-head' && name.startsWith('classifier.out_proj.')) head.set(name.replace('out_proj.', ''), t);
      else head.set(name, t);
    }
    const { missingKeys, unexpectedKeys } = model.backbone.loadStateDict(backbone, { strict: false });
    const missing = missingKeys.filter((k) => layout !== 'token' || !k.startsWith('pooler.'));
    if (missing.length > 0 || unexpectedKeys.length > 0)
      throw new CheckpointError(
        `${dir}: the weights do not fit ${model.backbone.hfNames.classPrefix}Model` +
          (missing.length > 0 ? `; missing ${missing.slice(0, 5).join(', ')}` : '') +
          (unexpectedKeys.length > 0 ? `; unexpected ${unexpectedKeys.slice(0, 5).join(', ')}` : ''),
      );
    model.heads.get(task).loadStateDict(head);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
