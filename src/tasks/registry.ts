/**
 * The task types by kind, and `taskSpec`, which checks a task's fields once and fills in its type's
 * option defaults. Adding a task type adds one line here. Loading this file also registers the check
 * of a training config's task options (`taskOptionsProblem`) with src/io/config, so that a config's
 * option problems are reported with its other problems, with their lines, before any data is read.
 */
import { ConfigError } from '../errors.js';
import { registerTaskOptionsCheck, type TaskConfig, type TaskOptionsProblem } from '../io/config/index.js';
import { OptionError } from './options.js';
import { sequenceClassification, SEQUENCE_CLASSIFICATION } from './sequence-classification.js';
import { tokenClassification, TOKEN_CLASSIFICATION } from './token-classification.js';
import { maskedLm, MASKED_LM } from './masked-lm.js';
import { linkPrediction, LINK_PREDICTION } from './link-prediction.js';
import { labelIndex } from './features.js';
import type { MainMetric, TaskSpec, TaskType } from './types.js';

/** A task type of any kind (its example, prediction and option types erased). */
export type AnyTaskType = TaskType<unknown, { readonly exampleIndex: number }, unknown>;

export const taskTypes = {
  [SEQUENCE_CLASSIFICATION]: sequenceClassification,
  [TOKEN_CLASSIFICATION]: tokenClassification,
  [MASKED_LM]: maskedLm,
  [LINK_PREDICTION]: linkPrediction,
} as const;

export type TaskKind = keyof typeof taskTypes;

const KINDS = Object.keys(taskTypes) as TaskKind[];

const isKind = (kind: string): kind is TaskKind => (KINDS as string[]).includes(kind);

/** The task type of `kind`; ConfigError listing the known kinds otherwise. */
export function taskType<K extends TaskKind>(kind: K): (typeof taskTypes)[K];
export function taskType(kind: string): AnyTaskType;
export function taskType(kind: string): AnyTaskType {
  if (!isKind(kind)) throw new ConfigError(`unknown task kind '${kind}'; known kinds: ${KINDS.join(', ')}`);
  const type: AnyTaskType = taskTypes[kind];
  return type;
}

/** The metric `type` selects models by under `options` (its own or, when it has none, `mainMetric`). */
export function mainMetricOf(type: AnyTaskType, options: unknown): MainMetric {
  return type.mainMetricFor?.(options) ?? type.mainMetric;
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

/** The options of a task's type from its config: `options`, plus `crf` (token classification) or the `label` section's reading rules (sequence classification). */
export function taskConfigOptions(task: TaskConfig): Record<string, unknown> {
  const own = task.options ?? {};
  if (task.type === 'token-classification') return { ...own, crf: task.crf };
  if (task.type !== 'sequence-classification') return own;
  return { ...own, multiLabel: task.label.multiLabel, labelSeparator: task.label.separator, threshold: task.label.threshold };
}

/** The first problem of a configured task's options, by its type's own `resolveOptions`; undefined when they are valid. */
export function taskOptionsProblem(task: TaskConfig): TaskOptionsProblem | undefined {
  try {
    taskType(task.type).resolveOptions(taskConfigOptions(task));
    return undefined;
  } catch (e) {
    if (e instanceof OptionError) return { option: e.option, name: e.optionName, problem: e.problem };
    throw e;
  }
}

registerTaskOptionsCheck(taskOptionsProblem);
