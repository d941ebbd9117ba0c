/**
 * A training run's checkpoints: what `last/` and `best/` hold (src/io/checkpoint.ts writes the
 * folder) and the check that a resumed run uses the config it was started with. Weights go back into
 * a model through the one loader (./load-model.ts).
 *
 * What `--resume` restores (trainer_state.json unless noted):
 * - model weights (model.safetensors) and the optimizer's state (AdamW's moments and step counts, SGD's momentum buffers) (optimizer.safetensors and
 *   the optimizer's JSON part), learning rates included;
 * - the optimizer step (`global_step`), from which the learning-rate schedule, a pure function of the
 *   step, continues; the schedule's settings are saved for reference;
 * - the task sampler's generator state (`sampler_state`) and each stream's batcher position
 *   (`batcher_state`: epoch and batch; an epoch's batch order is a pure function of seed and epoch);
 * - model selection and early stopping (best metric, its step, evaluations without improvement);
 * - dropout randomness: libtorch 1.13's dispatcher has no operator to read or set the CPU generator's
 *   state (`aten::get_rng_state` is not registered; torch.get_rng_state is Python-side), so instead
 *   the generator is reseeded at the start of every micro-batch with a hash of (seed, micro-batch
 *   number). Every micro-batch's dropout masks are then a function of the seed and its position in
 *   the run, and a resumed run draws the same masks as an uninterrupted one by construction;
 *   `rng_state` records the method and the seed.
 * - metrics.jsonl is reset to the checkpoint's snapshot, so records of steps after it are not doubled.
 */
import { CheckpointError } from '../errors.js';
import { parseTrainingConfig, trainingConfigToJson, type TrainingConfig } from '../io/config/index.js';
import { saveCheckpoint, type LoadedCheckpoint, type TaskRecord, type TrainerState } from '../io/checkpoint.js';
import { backboneConfigToHf } from '../models/registry.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import type { Tokenizer } from '../tokenization/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { taskTypes } from '../tasks/index.js';

/** What a checkpoint of a run is made of. */
export interface RunCheckpointParts {
  readonly model: MultiTaskModel;
  readonly tokenizer: Tokenizer;
  readonly tasks: readonly TaskRecord[];
  readonly config: string;
  readonly metricsFile: string;
  readonly state?: TrainerState;
  readonly optimizer?: Optimizer;
}

/** Writes a checkpoint folder of the run (atomically; see saveCheckpoint). */
export function saveRunCheckpoint(dir: string, parts: RunCheckpointParts): void {
  const { model } = parts;
  const optimizerState = parts.optimizer?.stateDict();
  try {
    const state = parts.state === undefined ? undefined : { ...parts.state, optimizer: optimizerState?.json ?? null };
    saveCheckpoint(dir, {
      encoderConfig: backboneConfigToHf(model.backbone.config),
      encoder: model.backbone.stateDict(),
      heads: new Map(model.taskNames.map((name) => [name, model.heads.get(name).stateDict()])),
      tokenizer: parts.tokenizer,
      tasks: parts.tasks,
      ...(state === undefined ? {} : { trainerState: state as TrainerState }),
      ...(optimizerState === undefined || state === undefined ? {} : { optimizerTensors: optimizerState.tensors }),
      trainingConfig: parts.config,
      metricsFile: parts.metricsFile,
    });
  } finally {
    for (const t of Object.values(optimizerState?.tensors ?? {})) t.dispose();
  }
}

/** Putting a checkpoint's weights into a model is the one loader's job (./load-model.ts); resuming uses it from here. */
export { loadModelWeights } from './load-model.js';

/** Settings a resumed run may change: where it writes, how long it runs, how often it reports. */
const MAY_CHANGE = [
  'output_dir',
  'training.max_steps',
  'training.epochs',
  'training.eval_every',
  'training.log_every',
  'training.early_stopping.patience',
  'training.report_to',
  'training.save_steps',
  'training.save_total_limit',
  'training.gradient_conflict_every',
];

function flatten(value: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/**
 * Checks that `config` is the config a checkpoint was trained with, except for the settings a resumed
 * run may change (output_dir, max_steps/epochs, eval_every, log_every, early-stopping patience, report_to,
 * save_steps, save_total_limit, gradient_conflict_every).
 * @throws CheckpointError listing every other difference, or when the checkpoint has no training_config.yaml.
 */
export function checkResumeConfig(config: TrainingConfig, ckpt: LoadedCheckpoint): void {
  if (ckpt.trainingConfig === null) throw new CheckpointError(`${ckpt.dir} has no training_config.yaml; it cannot be resumed`);
  const saved = parseTrainingConfig(ckpt.trainingConfig, { source: `${ckpt.dir}/training_config.yaml`, checkFiles: false, taskTypes });
  const a = flatten(trainingConfigToJson(saved), '', new Map());
  const b = flatten(trainingConfigToJson(config), '', new Map());
  const keys = [...new Set([...a.keys(), ...b.keys()])].filter((k) => !MAY_CHANGE.some((m) => k === m || k.startsWith(`${m}.`)));
  const differ = keys.filter((k) => a.get(k) !== b.get(k));
  if (differ.length > 0) {
    const shown = differ.slice(0, 8).map((k) => `${k}: ${a.get(k) ?? '(unset)'} in the checkpoint, ${b.get(k) ?? '(unset)'} now`);
    throw new CheckpointError(
      `cannot resume ${ckpt.dir} with a different config (${shown.join('; ')}${differ.length > 8 ? '; …' : ''}); ` +
        `only ${MAY_CHANGE.join(', ')} may change. Start a new run (another output_dir) instead`,
    );
  }
}
