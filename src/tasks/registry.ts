/**
 * The task types by kind: the twelve built in, and any a user adds with `registerTaskType` (one call,
 * no other change: config validation, data reading, training, evaluation, prediction, checkpoints and
 * export all ask the registry). `taskSpec` checks a task's fields once and fills in its type's option
 * defaults. The config layer (src/io/config, below this one) gets the registry passed in
 * (`loadTrainingConfig(file, { taskTypes })`), never through a global.
 */
import { ConfigError } from '../errors.js';
import type { ConfigTaskKind, TaskConfig, TaskKinds, TaskOptionsProblem } from '../io/config/index.js';
import type { TaskReading } from '../data/task-reading.js';
import { OptionError } from './options.js';
import { sequenceClassification } from './sequence-classification.js';
import { tokenClassification } from './token-classification.js';
import { maskedLm } from './masked-lm.js';
import { linkPrediction } from './link-prediction.js';
import { regression } from './regression.js';
import { relationClassification } from './relation-classification.js';
import { extractiveQa } from './extractive-qa.js';
import { causalLm } from './causal-lm.js';
import { seq2seq } from './seq2seq.js';
import { spanCorruptionTask } from './span-corruption.js';
import { replacedTokenDetection } from './replaced-token-detection.js';
import { chat } from './chat.js';
import { labelIndex } from './features.js';
import type { CollatingTask, MainMetric, Task, TaskHead, TaskSpec, TaskType } from './types.js';

/** A task type of any kind (its example, prediction and option types erased). */
export type AnyTaskType = TaskType<unknown, { readonly exampleIndex: number }, unknown, unknown>;

/** Task types by kind. The process has one (`taskTypes`); tests may make their own. */
export class TaskTypeRegistry implements TaskKinds {
  readonly #types = new Map<string, AnyTaskType>();

  /**
   * Adds `type` under its `kind`.
   * @throws ConfigError when a type of that kind is registered already, or the type declares no input, format or kind.
   */
  register(type: AnyTaskType): void {
    if (typeof type.kind !== 'string' || !/^[a-z][a-z0-9-]*$/.test(type.kind))
      throw new ConfigError(`a task type's kind must be lower-case letters, digits and '-', got ${JSON.stringify(type.kind)}`);
    if (this.#types.has(type.kind)) throw new ConfigError(`task type '${type.kind}' is registered already`);
    if (type.inputs.length === 0) throw new ConfigError(`task type '${type.kind}' lists no input kind it reads (inputs)`);
    if (type.formats.length === 0) throw new ConfigError(`task type '${type.kind}' lists no data format it reads (formats)`);
    this.#types.set(type.kind, type);
  }

  /** Removes the type of `kind` (a test's own type, once it is done); true when there was one. */
  unregister(kind: string): boolean {
    return this.#types.delete(kind);
  }

  has(kind: string): boolean {
    return this.#types.has(kind);
  }

  /** Every kind, in registration order. */
  get kinds(): string[] {
    return [...this.#types.keys()];
  }

  /** Every type, in registration order. */
  get all(): AnyTaskType[] {
    return [...this.#types.values()];
  }

  /** The type of `kind`; ConfigError listing the known kinds otherwise. */
  get(kind: string): AnyTaskType {
    const type = this.#types.get(kind);
    if (type === undefined) throw new ConfigError(`unknown task kind '${kind}'; known kinds: ${this.kinds.join(', ')}`);
    return type;
  }

  /** What the config layer checks a task section of `kind` against (see src/io/config/task-kinds.ts). */
  configKind(kind: string): ConfigTaskKind | undefined {
    const type = this.#types.get(kind);
    return type === undefined ? undefined : configKind(type);
  }

  /** What reading a task's data needs of its type (src/data's `readTaskData`). */
  readonly reading = (task: TaskConfig): TaskReading => this.get(task.type);
}

/** The task types of this process: the built-in ones, and those added with `registerTaskType`. */
export const taskTypes = new TaskTypeRegistry();
for (const type of [
  sequenceClassification,
  tokenClassification,
  maskedLm,
  linkPrediction,
  regression,
  relationClassification,
  extractiveQa,
  causalLm,
  seq2seq,
  spanCorruptionTask,
  replacedTokenDetection,
  chat,
])
  taskTypes.register(type);

/**
 * Makes a new task type known everywhere: configs may name its kind, and runs, checkpoints, `mtl
 * eval`, `mtl predict` and `mtl serve` use it.
 * @throws ConfigError when its kind is taken.
 * @example
 *   registerTaskType(lengthBucket); // then `type: length-bucket` in a config trains it
 */
export function registerTaskType(type: AnyTaskType): void {
  taskTypes.register(type);
}

/** The registered task type of `kind`; ConfigError listing the known kinds otherwise. */
export function taskType(kind: string): AnyTaskType {
  return taskTypes.get(kind);
}

/** What `collate` needs of a task of `spec` before any model exists: the spec and a fresh state of its type. */
export function collatingTask(spec: TaskSpec): CollatingTask {
  return { spec, state: taskType(spec.kind).createState?.(spec) };
}

/**
 * The task of `spec` on `head` (the model's head for it): its registered type and `state`, a fresh one
 * when not given (pass a run's state to keep drawing from its generator).
 * @example
 *   const task = makeTask(spec, model.heads.get(spec.name));
 *   const loss = task.type.loss(task, logits, batch);
 */
export function makeTask(spec: TaskSpec, head: TaskHead, state?: unknown): Task {
  const type = taskType(spec.kind);
  return { type, spec, head, state: state ?? type.createState?.(spec) };
}

/** The metric `type` selects models by under `options` (its own or, when it has none, `mainMetric`). */
export function mainMetricOf(type: AnyTaskType, options: unknown): MainMetric {
  return type.mainMetricFor?.(options) ?? type.mainMetric;
}

/**
 * Whether `type` is a self-supervised objective: it reads no label from the data, and its input is a plain
 * text it makes its own targets of (input kind 'masked-text': masked LM, replaced-token detection, span
 * corruption, causal LM). Chat (messages) and link prediction (a graph's triples) read no label field
 * either, but learn from annotated structure, so they are not.
 */
export function isSelfSupervised(type: AnyTaskType): boolean {
  return !type.readsLabel && type.inputs.includes('masked-text');
}

/** What a task spec is made from (options as written; defaults are filled in). */
export interface TaskSpecFields {
  readonly name: string;
  readonly kind: string;
  readonly labels: readonly string[];
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * A checked task spec with complete options.
 * @throws ConfigError for a name that is empty or has a '.', an unknown kind, a bad label list or bad options.
 * @example
 *   const intent = taskSpec({ name: 'intent', kind: 'sequence-classification', labels: ['AddToPlaylist', 'PlayMusic'] });
 */
export function taskSpec(fields: TaskSpecFields): TaskSpec {
  const { name, kind, labels } = fields;
  if (typeof name !== 'string' || !/^[^.\s]+$/.test(name)) {
    throw new ConfigError(
      `a task name must be non-empty, without '.' or spaces (heads are saved under heads.<name>.…), got '${String(name)}'`,
    );
  }
  const type = taskType(kind);
  labelIndex({ name, labels });
  return { name, kind, labels: [...labels], options: type.resolveOptions(fields.options ?? {}) };
}

/** The options of a task's type from its config section: `options`, plus what the type's `configKeys` read (`crf`, the `label` section). */
export function taskConfigOptions(task: TaskConfig): Record<string, unknown> {
  return taskType(task.type).configOptions?.(task) ?? { ...(task.options ?? {}) };
}

/** The config layer's view of `type`. */
function configKind(type: AnyTaskType): ConfigTaskKind {
  const options = (task: TaskConfig): unknown => type.resolveOptions(type.configOptions?.(task) ?? task.options ?? {});
  return {
    kind: type.kind,
    formats: type.formats,
    readsLabel: type.readsLabel,
    labelSpace: type.labelSpace,
    configKeys: type.configKeys ?? [],
    optionsProblem(task): TaskOptionsProblem | undefined {
      try {
        options(task);
        return undefined;
      } catch (e) {
        if (e instanceof OptionError) return { option: e.option, name: e.optionName, problem: e.problem };
        if (e instanceof ConfigError) return { name: 'options', problem: e.message };
        throw e;
      }
    },
    tokenInputs(task) {
      if (type.tokenInputs === undefined) return true;
      try {
        return type.tokenInputs(options(task));
      } catch (e) {
        if (e instanceof ConfigError) return true; // bad options: optionsProblem reports them
        throw e;
      }
    },
  };
}
