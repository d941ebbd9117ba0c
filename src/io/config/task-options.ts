/**
 * The check of `tasks[i].options`. What a task type's options are is defined by the type itself
 * (src/tasks, a layer this one cannot import); src/tasks registers its check here when it is loaded,
 * so that option problems are reported with the other problems of the file, with their line, before
 * any data is read. Without a registered check, the options are checked when the run starts.
 */
import type { ConfigPath } from './yaml-source.js';
import { camelKey } from './case.js';
import type { TaskConfig } from './load.js';

/** A problem of a task's options. */
export interface TaskOptionsProblem {
  /** The option's key as the task type reads it (camelCase); undefined for a combination of options. */
  readonly option?: string | undefined;
  /** How to name the option(s) in a message ("rank_all", "mask_token_probability + random_token_probability"). */
  readonly name: string;
  /** Read after the option's name: the rule and the value ("must be one of 'cls', 'mean', got \"max\""). */
  readonly problem: string;
}

/** The first problem of one task's options (the task in camelCase, as the program uses it), or undefined. */
export type TaskOptionsCheck = (task: TaskConfig) => TaskOptionsProblem | undefined;

let registered: TaskOptionsCheck | undefined;

/** Makes `check` the check of every config validated from now on (src/tasks/registry.ts calls it when loaded). */
export function registerTaskOptionsCheck(check: TaskOptionsCheck): void {
  registered = check;
}

/**
 * The option problems of the tasks, each at the path of the option as written (`tasks[1].options.scoring`),
 * or of the task's `options` when the problem names no single written option.
 * @param written the tasks as in the file (snake_case keys); `tasks` the same in camelCase.
 */
export function checkTaskOptions(
  written: readonly { readonly options?: Readonly<Record<string, unknown>> | undefined }[],
  tasks: readonly TaskConfig[],
): { path: ConfigPath; message: string }[] {
  const check = registered;
  if (check === undefined) return [];
  const issues: { path: ConfigPath; message: string }[] = [];
  tasks.forEach((task, i) => {
    const p = check(task);
    if (p === undefined) return;
    const key = p.option === undefined ? undefined : Object.keys(written[i]?.options ?? {}).find((k) => camelKey(k) === p.option);
    if (key !== undefined) issues.push({ path: ['tasks', i, 'options', key], message: p.problem });
    else issues.push({ path: ['tasks', i, 'options'], message: `${p.name} ${p.problem}` });
  });
  return issues;
}
