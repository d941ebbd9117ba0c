/**
 * The JSON files of a checkpoint folder other than config.json: tasks.json (task specs and label
 * maps) and trainer_state.json (where training stands, for `--resume`). Each has a TypeScript form
 * (camelCase) and a file form (snake_case, Hugging Face's Trainer names where it has them:
 * `global_step`, `epoch`, `best_metric`); the conversion is here, checked in both directions.
 * The states of other components (sampler, batcher, RNG, scheduler, optimizer) are opaque JSON
 * stored unchanged: their owners define and check them.
 */
import { CheckpointError } from '../errors.js';

export type JsonValue = number | boolean | string | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The version of the files' layout; loading refuses other versions. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** One task of tasks.json: its spec as the task type wrote it. `name` and `type` are required; `labels`, when given, is the label map (id = index). */
export interface TaskRecord {
  readonly name: string;
  readonly type: string;
  readonly labels?: string[];
  readonly [key: string]: JsonValue | undefined;
}

/** What trainer_state.json holds, in TypeScript's spelling. */
export interface TrainerState {
  /** Optimizer steps done (file: `global_step`). */
  readonly step: number;
  /** Passes over the training data done, fractional (file: `epoch`). */
  readonly epoch: number;
  /** The run's seed. */
  readonly seed: number;
  /** The best dev metric so far and the step that reached it; null before the first evaluation. */
  readonly bestMetric: number | null;
  readonly bestStep: number | null;
  /** `TaskSampler.state()`. */
  readonly sampler: JsonValue;
  /** The batcher's position in each task's data (order, offsets). */
  readonly batcher: JsonValue;
  /** Random generators' states (data shuffling, dropout) or seeds. */
  readonly rng: JsonValue;
  /** The learning-rate schedule's state. */
  readonly scheduler: JsonValue;
  /** Early stopping's counters. */
  readonly earlyStopping: JsonValue;
  /** The multi-task strategy's state: loss weighting and gradient surgery (null in checkpoints without one). */
  readonly strategy?: JsonValue;
  /** The dynamic loss scaler's state (torch's GradScaler.state_dict() keys); null or absent without one. */
  readonly gradScaler?: JsonValue;
  /** The JSON part of `Optimizer.stateDict()` (PyTorch's spelling, unchanged); its tensors are in optimizer.safetensors. null: none saved. */
  readonly optimizer: JsonObject | null;
}

/** trainer_state.json's key for each TrainerState field. */
const STATE_KEYS: Readonly<Record<keyof TrainerState, string>> = {
  step: 'global_step',
  epoch: 'epoch',
  seed: 'seed',
  bestMetric: 'best_metric',
  bestStep: 'best_global_step',
  sampler: 'sampler_state',
  batcher: 'batcher_state',
  rng: 'rng_state',
  scheduler: 'scheduler_state',
  earlyStopping: 'early_stopping_state',
  strategy: 'strategy_state',
  gradScaler: 'grad_scaler_state',
  optimizer: 'optimizer',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Throws unless `value` is plain JSON (no undefined, functions, NaN or Infinity, class instances). */
export function assertJson(value: unknown, where: string): asserts value is JsonValue {
  const visit = (v: unknown, at: string): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new CheckpointError(`${where}: ${at} is ${v}, which JSON cannot hold`);
      return;
    }
    if (Array.isArray(v)) return v.forEach((x, i) => visit(x, `${at}[${i}]`));
    if (isObject(v) && Object.getPrototypeOf(v) === Object.prototype) {
      for (const [k, x] of Object.entries(v)) visit(x, `${at}.${k}`);
      return;
    }
    throw new CheckpointError(
      `${where}: ${at} is ${v === undefined ? 'undefined' : typeof v === 'object' ? `a ${v.constructor.name}` : `a ${typeof v}`}, which is not JSON`,
    );
  };
  visit(value, '(value)');
}

/** trainer_state.json's content for `state`. @throws CheckpointError for an invalid field. */
export function trainerStateToJson(state: TrainerState): JsonObject {
  const out: JsonObject = { format_version: CHECKPOINT_FORMAT_VERSION };
  for (const [field, key] of Object.entries(STATE_KEYS) as [keyof TrainerState, string][]) {
    const v = state[field] ?? null;
    assertJson(v, `trainer state field '${field}'`);
    out[key] = v;
  }
  checkStateJson(out, 'trainer state');
  return out;
}

/** The TrainerState of trainer_state.json's content. @throws CheckpointError naming `file` and the bad key. */
export function trainerStateFromJson(json: unknown, file: string): TrainerState {
  if (!isObject(json)) throw new CheckpointError(`${file}: expected a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}`);
  checkVersion(json, file);
  checkStateJson(json, file);
  const state: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(STATE_KEYS)) state[field] = json[key] ?? null;
  return state as unknown as TrainerState;
}

function checkStateJson(json: Record<string, unknown>, where: string): void {
  const bad = (key: string, want: string) => new CheckpointError(`${where}: '${key}' must be ${want}, got ${JSON.stringify(json[key])}`);
  if (!isCount(json.global_step)) throw bad('global_step', 'a non-negative integer (optimizer steps)');
  if (typeof json.epoch !== 'number' || !(json.epoch >= 0)) throw bad('epoch', 'a number ≥ 0');
  if (typeof json.seed !== 'number' || !Number.isSafeInteger(json.seed)) throw bad('seed', 'an integer');
  if (json.best_metric !== null && json.best_metric !== undefined && typeof json.best_metric !== 'number')
    throw bad('best_metric', 'a number or null');
  if (json.best_global_step !== null && json.best_global_step !== undefined && !isCount(json.best_global_step))
    throw bad('best_global_step', 'a step or null');
  const opt = json.optimizer;
  if (opt !== null && opt !== undefined && !(isObject(opt) && isObject(opt.state) && Array.isArray(opt.param_groups))) {
    throw bad('optimizer', "null or an optimizer state dict's JSON part ({ optimizer, state, param_groups })");
  }
}

function checkVersion(json: Record<string, unknown>, file: string): void {
  if (json.format_version !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(
      `${file}: format_version is ${JSON.stringify(json.format_version)}, this version of multitask-lm reads ${CHECKPOINT_FORMAT_VERSION}`,
    );
  }
}

/** tasks.json's content. @throws CheckpointError for a task without a name or type, duplicate names, or a bad label list. */
export function tasksToJson(tasks: readonly TaskRecord[]): JsonObject {
  checkTasks(tasks, 'tasks');
  const list = tasks.map((t) => ({ ...t }));
  assertJson(list, 'tasks');
  return { format_version: CHECKPOINT_FORMAT_VERSION, tasks: list };
}

/** The task records of tasks.json's content. @throws CheckpointError naming `file` and the problem. */
export function tasksFromJson(json: unknown, file: string): TaskRecord[] {
  if (!isObject(json) || !Array.isArray(json.tasks))
    throw new CheckpointError(`${file}: expected an object { format_version, tasks: [...] }`);
  checkVersion(json, file);
  checkTasks(json.tasks, file);
  return json.tasks as TaskRecord[];
}

/** A task name, as it appears in `heads.<name>.…`: letters, digits, '_' and '-', starting with a letter. */
export const TASK_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

function checkTasks(tasks: readonly unknown[], where: string): void {
  const seen = new Set<string>();
  tasks.forEach((t, i) => {
    if (!isObject(t)) throw new CheckpointError(`${where}: task ${i} is not an object`);
    if (typeof t.name !== 'string' || !TASK_NAME.test(t.name)) {
      throw new CheckpointError(
        `${where}: task ${i} has name ${JSON.stringify(t.name)}; expected letters, digits, '_' and '-', starting with a letter`,
      );
    }
    if (seen.has(t.name)) throw new CheckpointError(`${where}: task name '${t.name}' appears twice`);
    seen.add(t.name);
    if (typeof t.type !== 'string' || t.type === '')
      throw new CheckpointError(`${where}: task '${t.name}' has no type (e.g. 'sequence-classification')`);
    const labels = t.labels;
    if (labels === undefined) return;
    if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) {
      throw new CheckpointError(`${where}: task '${t.name}': labels must be a list of strings (the label of each id)`);
    }
    const duplicate = labels.find((l, k) => labels.indexOf(l) !== k);
    if (duplicate !== undefined) throw new CheckpointError(`${where}: task '${t.name}': label '${duplicate}' appears twice in labels`);
  });
}
