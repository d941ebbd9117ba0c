/**
 * The one route from a folder to a model. Every user of saved weights comes through here: predict
 * and serve, `mtl eval`, resuming a run and testing its best checkpoint, fine-tuning from
 * `encoder.from`, and `mtl export`. config.json's `model_type` chooses the family (src/models/registry.ts);
 * the family's `HfNaming` converts Hugging Face names, in its own folder and nowhere else.
 *
 * Two kinds of folder:
 * - a checkpoint of ours (src/io/checkpoint.ts): backbone, heads, tasks, optional training config;
 *   `modelFromCheckpoint` rebuilds the whole MultiTaskModel (heads and the run's adapters included);
 * - a pre-trained model (`encoder.from`: a checkpoint of ours or a Hugging Face folder with config.json
 *   and model.safetensors); `modelFromPretrained` puts its backbone (and a masked-LM head it has)
 *   under new task heads.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError, ConfigError } from '../errors.js';
import { parseTrainingConfig, type TrainingConfig } from '../io/config/index.js';
import type { LoadedCheckpoint, TaskRecord } from '../io/checkpoint.js';
import { CHECKPOINT_FILES, runFolderHint } from '../io/checkpoint-inspect.js';
import { loadHfWeights } from '../io/hf-weights.js';
import type { Backbone, BackboneConfig } from '../models/backbone.js';
import { familyOfHfConfig } from '../models/registry.js';
import { applyArchitecture } from '../mtl/architecture.js';
import { MultiTaskModel } from '../mtl/multitask-model.js';
import { taskSpec, taskTypes, type TaskSpec } from '../tasks/index.js';
import { cat, noGrad, tidy, type Tensor } from '../tensor/index.js';
import { normalInit } from '../nn/init.js';
import { reinitTopLayers } from '../models/reinit.js';

/**
 * The backbone config a config.json object describes (its family chosen by `model_type`), with
 * `overrides` (the family's camelCase fields, e.g. dropout from a training config) over it.
 * @throws ConfigError for an unsupported model_type (naming the supported ones) or an invalid value.
 */
export function backboneConfigOf(
  json: Readonly<Record<string, unknown>>,
  overrides: Readonly<Record<string, unknown>> = {},
): BackboneConfig {
  const family = familyOfHfConfig(json);
  const config = family.configFromHf(json);
  return Object.keys(overrides).length === 0 ? config : family.config({ ...config, ...overrides });
}

/** A backbone with fresh weights for a config.json object (see `backboneConfigOf`). */
export function backboneOf(json: Readonly<Record<string, unknown>>, overrides: Readonly<Record<string, unknown>> = {}): Backbone {
  const config = backboneConfigOf(json, overrides);
  return familyOfHfConfig(json).create(config);
}

/**
 * A backbone with fresh weights for a loaded checkpoint's config.json (the family's base model).
 * @throws ConfigError naming the checkpoint's config.json for an unsupported model_type.
 */
export function checkpointBackbone(ckpt: LoadedCheckpoint): Backbone {
  familyOfHfConfig(ckpt.encoderConfig, path.join(ckpt.dir, CHECKPOINT_FILES.config));
  return backboneOf(ckpt.encoderConfig);
}

/** The task specs of a checkpoint's tasks.json records (labels and options as trained). */
export function specsOfRecords(records: readonly TaskRecord[]): TaskSpec[] {
  return records.map((r) =>
    taskSpec({ name: r.name, kind: r.type, labels: r.labels ?? [], options: (r.options ?? {}) as Record<string, unknown> }),
  );
}

/** The checkpoint's training_config.yaml, parsed with the task types of `registry` (default the process's); undefined when it has none. */
export function trainingConfigOf(ckpt: LoadedCheckpoint, registry: typeof taskTypes = taskTypes): TrainingConfig | undefined {
  if (ckpt.trainingConfig === null) return undefined;
  return parseTrainingConfig(ckpt.trainingConfig, { source: `${ckpt.dir}/training_config.yaml`, checkFiles: false, taskTypes: registry });
}

/**
 * Copies a loaded checkpoint's weights into `model`, strictly: every backbone and head tensor, right
 * shapes (resuming a run, testing its best checkpoint, and `modelFromCheckpoint`).
 * @throws CheckpointError when the checkpoint lacks a head of the model or tensors do not fit.
 */
export function loadModelWeights(model: MultiTaskModel, ckpt: LoadedCheckpoint): void {
  model.backbone.loadStateDict(ckpt.encoder);
  for (const name of model.taskNames) {
    const head = ckpt.heads.get(name);
    if (head === undefined)
      throw new CheckpointError(`${ckpt.dir}: no head for task '${name}' (it has ${[...ckpt.heads.keys()].join(', ')})`);
    model.heads.get(name).loadStateDict(head);
  }
}

/** What `modelFromCheckpoint` builds. */
export interface CheckpointModelOptions {
  /** The heads to build (default: every task of tasks.json). */
  readonly specs?: readonly TaskSpec[];
  /**
   * The run's config, whose `peft` and `mmoe` sections are applied before loading (so saved adapter
   * tensors load). Default: the checkpoint's training_config.yaml; null: none (the plain model).
   */
  readonly config?: TrainingConfig | null;
}

/**
 * The MultiTaskModel a checkpoint holds: the backbone its config.json names, a head per spec, the
 * run's architecture (adapters, MMoE), and every saved weight (strictly). In training mode, as built.
 * @throws CheckpointError when tensors are missing, unexpected or of the wrong shape; ConfigError for
 *   an unsupported model_type or a bad config.
 * @example
 *   using ckpt = loadCheckpoint('runs/snips/best', { optimizer: false });
 *   using model = modelFromCheckpoint(ckpt).eval();
 */
export function modelFromCheckpoint(ckpt: LoadedCheckpoint, options: CheckpointModelOptions = {}): MultiTaskModel {
  const specs = options.specs ?? specsOfRecords(ckpt.tasks);
  const config = options.config === undefined ? trainingConfigOf(ckpt) : options.config;
  const model = MultiTaskModel.fromSpecs(checkpointBackbone(ckpt), specs);
  try {
    if (config !== undefined && config !== null) applyArchitecture(model, config);
    loadModelWeights(model, ckpt);
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** What `modelFromPretrained` builds. */
export interface PretrainedOptions {
  /** The family's camelCase config fields that replace the folder's (dropout probabilities). */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Keep the pooler (`pooler.…`) freshly initialised instead of loading it. */
  readonly reinitPooler?: boolean;
  /** Draw the top N transformer layers afresh after loading (`reinitTopLayers`); default 0. */
  readonly reinitLayers?: number;
  /**
   * The model's vocabulary (`overrides.vocabSize`) is larger than the folder's: its word embeddings
   * keep the folder's rows and give the new ids (special tokens the tasks added) rows drawn from
   * N(0, initializerRange²), as Transformers' `resize_token_embeddings` initialises them.
   */
  readonly growEmbeddings?: boolean;
}

/**
 * Replaces the word-embedding table in `kept` (V₀, H) by one of the model's V rows: the saved rows,
 * then new ones drawn from N(0, initializerRange²); the same for an untied LM head (`lm_head.weight`,
 * V₀ × H), as Transformers' `resize_token_embeddings` resizes both. The new tensors are added to `made`
 * to be freed with the loaded ones.
 */
function growWordEmbeddings(model: MultiTaskModel, kept: Map<string, Tensor>, made: Map<string, Tensor>): void {
  const input = model.backbone.inputEmbeddings().weight; // (V, H)
  const output = model.backbone.outputEmbeddings?.(); // (V, H), untied heads only
  for (const own of output === undefined ? [input] : [input, output]) growRows(model, own, kept, made);
}

/** Grows the saved tensor of the model's `own` (V, H) in `kept` to V rows (see growWordEmbeddings). */
function growRows(model: MultiTaskModel, own: Tensor, kept: Map<string, Tensor>, made: Map<string, Tensor>): void {
  const named = [...model.savedStateDict()].find(([, t]) => t === own)?.[0] ?? '';
  const prefix = model.backbone.hfNames.basePrefix; // a folder may save the base model's names with or without it
  const key = [named, named.startsWith(prefix) ? named.slice(prefix.length) : named].find((k) => kept.has(k));
  const saved = key === undefined ? undefined : kept.get(key);
  if (key === undefined || saved === undefined) throw new CheckpointError(`cannot grow the word embeddings: the folder has no '${named}'`);
  const [V, H] = own.shape as [number, number];
  const rows = V - (saved.shape[0] as number);
  if (rows <= 0) return;
  const grown = tidy(() => noGrad(() => cat([saved, normalInit([rows, H], model.backbone.config.initializerRange)], 0))); // (V, H)
  made.set(`${key} (grown)`, grown);
  kept.set(key, grown);
}

/**
 * A checkpoint's model for inference (prediction, translation): every task of `specs` (default all of the
 * checkpoint's, so the run's adapters find their saved tensors), with the run's architecture, in eval mode;
 * and its max_length (the run's, else the backbone's positions).
 * @throws CheckpointError as `modelFromCheckpoint`.
 */
export function inferenceModelOf(
  ckpt: LoadedCheckpoint,
  specs: readonly TaskSpec[] = specsOfRecords(ckpt.tasks),
): { model: MultiTaskModel; maxLength: number } {
  const config = trainingConfigOf(ckpt);
  const model = modelFromCheckpoint(ckpt, { specs, config: config ?? null }).eval();
  return { model, maxLength: config?.maxLength ?? model.backbone.config.maxPositionEmbeddings };
}

/**
 * A MultiTaskModel on a pre-trained backbone (`encoder.from`): config.json and the weights of `dir`
 * (model.safetensors, sharded, or pytorch_model.bin: src/io/hf-weights.ts) — a checkpoint of ours or a
 * Hugging Face folder; names converted by the family's `HfNaming`;
 * a fresh head per spec (a masked-LM head takes the folder's `cls.predictions.…` when it has them).
 * Heads saved in the folder (`heads.…`) are not loaded.
 * @throws ConfigError for an unsupported model_type; CheckpointError when the folder lacks backbone tensors.
 */
export function modelFromPretrained(dir: string, specs: readonly TaskSpec[], options: PretrainedOptions = {}): MultiTaskModel {
  const model = MultiTaskModel.fromSpecs(backboneOf(readConfigJson(dir), options.overrides), specs);
  const { tensors } = loadHfWeights(dir); // model.safetensors, sharded, or pytorch_model.bin through the restricted reader
  try {
    const prefix = model.backbone.hfNames.basePrefix;
    const unprefixed = (k: string) => (k.startsWith(prefix) ? k.slice(prefix.length) : k);
    const fresh = (k: string) => k.startsWith('heads.') || (options.reinitPooler === true && unprefixed(k).startsWith('pooler.'));
    const kept = new Map<string, Tensor>([...tensors].filter(([k]) => !fresh(k)));
    if (options.growEmbeddings === true) growWordEmbeddings(model, kept, tensors);
    const { missingKeys } = model.loadSavedStateDict(kept, { strict: false });
    const missing = missingKeys.filter((k) => !fresh(k));
    if (missing.length > 0) throw new CheckpointError(`the weights of ${dir} lack encoder tensors: ${missing.slice(0, 5).join(', ')}`);
    if ((options.reinitLayers ?? 0) > 0) reinitTopLayers(model.backbone, options.reinitLayers!);
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

/**
 * config.json of a model folder, as an object.
 * @throws ConfigError when it is missing, not JSON, or not an object.
 */
export function readConfigJson(dir: string): Record<string, unknown> {
  const file = path.join(dir, 'config.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: cannot read it as JSON (${(e as Error).message})${runFolderHint(dir)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ConfigError(`${file}: expected a JSON object of Hugging Face config fields`);
  familyOfHfConfig(json as Record<string, unknown>, file); // its model_type, checked where the file is known
  return json as Record<string, unknown>;
}
