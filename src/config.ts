/**
 * The training config for a program that uses this package (the `multitask-lm` and
 * `multitask-lm/config` entries): src/io/config's loaders with this process's task types (`taskTypes`,
 * src/tasks, including any added with `registerTaskType`) passed in, unless the caller passes its own.
 * src/io/config sits below src/tasks and takes the registry as an argument; this file, above both,
 * only supplies it.
 */
import * as io from './io/config/index.js';
import { taskTypes } from './tasks/registry.js';

export * from './io/config/index.js';

/** `ParseOptions` with the task types optional (default: the process's registry). */
export type ConfigOptions = Omit<io.ParseOptions, 'taskTypes'> & { taskTypes?: io.TaskKinds };

/**
 * Reads and validates a YAML training config (see src/io/config `loadTrainingConfig`) against the
 * registered task types.
 * @example const config = loadTrainingConfig('examples/snips.yaml');
 */
export function loadTrainingConfig(file: string, options: Omit<ConfigOptions, 'source'> = {}): io.TrainingConfig {
  return io.loadTrainingConfig(file, { taskTypes, ...options });
}

/** Validates the text of a YAML (or JSON) training config against the registered task types. */
export function parseTrainingConfig(text: string, options: ConfigOptions = {}): io.TrainingConfig {
  return io.parseTrainingConfig(text, { taskTypes, ...options });
}

/** Validates a config given as a plain object in the file's spelling against the registered task types. */
export function validateTrainingConfig(value: unknown, options: ConfigOptions = {}): io.TrainingConfig {
  return io.validateTrainingConfig(value, { taskTypes, ...options });
}
