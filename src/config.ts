/**
 * The training config for a program that uses this package (the `multitask-lm` and
 * `multitask-lm/config` entries): src/io/config's loaders with this process's task types (`taskTypes`,
 * src/tasks, including any added with `registerTaskType`) passed in, unless the caller passes its own.
 * src/io/config sits below src/tasks and takes the registry as an argument; this file, above both,
 * only supplies it.
 */
import * as io from './io/config/index.js';
import { familyConfigKeys, supportedModelTypes } from './models/registry.js';
import { taskTypes } from './tasks/registry.js';

export * from './io/config/index.js';

/** `ParseOptions` with the task types optional (default: the process's registry); the model types default to the registered families. */
export type ConfigOptions = Omit<io.ParseOptions, 'taskTypes'> & { taskTypes?: io.TaskKinds };

/**
 * Reads and validates a YAML training config (see src/io/config `loadTrainingConfig`) against the
 * registered task types.
 * @example const config = loadTrainingConfig('examples/snips.yaml');
 */
export function loadTrainingConfig(file: string, options: Omit<ConfigOptions, 'source'> = {}): io.TrainingConfig {
  return io.loadTrainingConfig(file, { taskTypes, modelTypes: supportedModelTypes(), familyKeys: familyConfigKeys, ...options });
}

/** Validates the text of a YAML (or JSON) training config against the registered task types. */
export function parseTrainingConfig(text: string, options: ConfigOptions = {}): io.TrainingConfig {
  return io.parseTrainingConfig(text, { taskTypes, modelTypes: supportedModelTypes(), familyKeys: familyConfigKeys, ...options });
}

/**
 * Reads and validates a training config file against the registered task types: YAML (errors with
 * their lines, as `loadTrainingConfig`), or a module whose default export is the config
 * (`config.ts`, .mts, .js, .mjs: `export default defineConfig({ … })`; see `readConfigValue`).
 * Relative paths are relative to the file's folder. What `mtl train CONFIG` reads.
 * @throws ConfigError when the file cannot be read or imported; ConfigFileError for every problem of the config itself.
 * @example const config = await loadConfigFile('examples/snips.config.ts');
 */
export async function loadConfigFile(file: string, options: Omit<ConfigOptions, 'source'> = {}): Promise<io.TrainingConfig> {
  if (!io.CONFIG_MODULE.test(file)) return loadTrainingConfig(file, options);
  return validateTrainingConfig(await io.readConfigValue(file), { ...options, source: file });
}

/** Validates a config given as a plain object in the file's spelling against the registered task types. */
export function validateTrainingConfig(value: unknown, options: ConfigOptions = {}): io.TrainingConfig {
  return io.validateTrainingConfig(value, { taskTypes, modelTypes: supportedModelTypes(), familyKeys: familyConfigKeys, ...options });
}
