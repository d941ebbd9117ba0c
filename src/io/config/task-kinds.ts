/**
 * What the config layer knows of task types: only what a caller passes in. Task types live in
 * src/tasks, a layer above this one; the caller (src/run, src/cli, …) passes their registry as
 * `ParseOptions.taskTypes`, and the config's task sections are checked against it with the rest of
 * the file: the kind is a registered one, the data format is one it reads, the keys that only some
 * kinds take, and the options by the kind's own schema, each problem with its line, before any data
 * is read.
 */
import type { ConfigPath } from './yaml-source.js';
import { camelKey } from './case.js';
import { describeValue, nearest } from './issues.js';
import type { TaskConfig } from './types.js';

/** A problem of a task's options. */
export interface TaskOptionsProblem {
  /** The option's key as the task type reads it (camelCase); undefined for a combination of options. */
  readonly option?: string | undefined;
  /** How to name the option(s) in a message ("rank_all", "mask_token_probability + random_token_probability"). */
  readonly name: string;
  /** Read after the option's name: the rule and the value ("must be one of 'cls', 'mean', got \"max\""). */
  readonly problem: string;
}

/** What the config checks need of one task kind. */
export interface ConfigTaskKind {
  readonly kind: string;
  /** The data formats it reads. */
  readonly formats: readonly string[];
  /** Whether it reads a label from the data (csv/tsv/jsonl: `label.field`). */
  readonly readsLabel: boolean;
  /** What its labels are: 'classes', 'vocabulary', 'scalar' or 'none' (src/tasks' LabelSpace). */
  readonly labelSpace: string;
  /** The keys beyond the common ones it takes: 'crf', 'label.multi_label', 'data.relations'. */
  readonly configKeys: readonly string[];
  /** The first problem of the task's options (camelCase, as the program uses them), by the kind's schema; undefined when valid. */
  optionsProblem(task: TaskConfig): TaskOptionsProblem | undefined;
  /** False when the task's input ids are not tokens (entity ids), so word dropout must not replace them. */
  tokenInputs(task: TaskConfig): boolean;
}

/** The task kinds a config may name (src/tasks' registry, `taskTypes`, is one). */
export interface TaskKinds {
  /** Every registered kind, in registration order. */
  readonly kinds: readonly string[];
  /** What the checks need of `kind`; undefined for a kind not registered. */
  configKind(kind: string): ConfigTaskKind | undefined;
}

type Issue = { path: ConfigPath; message: string };

/** The issue of a task whose `type` is not a registered kind: the kinds there are and the nearest. */
export function unknownKind(type: string, at: ConfigPath, kinds: TaskKinds): Issue {
  const near = nearest(type, kinds.kinds);
  const hint = near === undefined ? '' : `; did you mean '${near}'?`;
  return {
    path: [...at, 'type'],
    message: `expected one of ${kinds.kinds.map((k) => `'${k}'`).join(', ')}, got ${describeValue(type)}${hint}`,
  };
}

/**
 * The option problems of the tasks, each at the path of the option as written (`tasks[1].options.scoring`),
 * or of the task's `options` when the problem names no single written option. Tasks of unknown kinds are skipped
 * (reported by the cross-key checks).
 * @param written the tasks as in the file (snake_case keys); `tasks` the same in camelCase.
 */
export function checkTaskOptions(
  written: readonly { readonly options?: Readonly<Record<string, unknown>> | undefined }[],
  tasks: readonly TaskConfig[],
  kinds: TaskKinds,
): Issue[] {
  const issues: Issue[] = [];
  tasks.forEach((task, i) => {
    const p = kinds.configKind(task.type)?.optionsProblem(task);
    if (p === undefined) return;
    const key = p.option === undefined ? undefined : Object.keys(written[i]?.options ?? {}).find((k) => camelKey(k) === p.option);
    if (key !== undefined) issues.push({ path: ['tasks', i, 'options', key], message: p.problem });
    else issues.push({ path: ['tasks', i, 'options'], message: `${p.name} ${p.problem}` });
  });
  return issues;
}

/** Word dropout replaces input tokens: a task whose input ids are entity ids (free entity embeddings) cannot take it. */
export function checkWordDropout(wordDropout: number, tasks: readonly TaskConfig[], kinds: TaskKinds): Issue[] {
  if (wordDropout === 0) return [];
  const free = tasks.find((t) => kinds.configKind(t.type)?.tokenInputs(t) === false);
  if (free === undefined) return [];
  return [
    {
      path: ['training', 'word_dropout'],
      message: `word dropout replaces input tokens, but task '${free.name}' (${free.type}) reads entity ids; set word_dropout to 0`,
    },
  ];
}
