/**
 * The training config as a JSON Schema (draft 2020-12), generated from the zod schema (./schema.ts)
 * that validates it, so that editors complete and check YAML configs (the YAML language server reads
 * `# yaml-language-server: $schema=…`). The package ships it as `schema/training-config.schema.json`
 * (written by `npm run schema`; a test keeps the file equal to this function's output). Task options
 * are open objects: each task type checks its own when the config is loaded.
 */
import { z } from 'zod';
import { trainingConfigSchema } from './schema.js';

/** The config as written in a file (snake_case keys; defaults not yet filled): what `defineConfig` takes. */
export type TrainingConfigInput = z.input<typeof trainingConfigSchema>;

/** The JSON Schema of a training config file, as the config is written (defaults optional). */
export function trainingConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(trainingConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'multitask-lm training config',
    description: 'A multi-task training config (mtl train CONFIG); keys in snake_case as Hugging Face writes them.',
  };
}

/**
 * A training config written in TypeScript, checked by the compiler as you type (keys, types, enums),
 * in the file's spelling. It returns the object unchanged: pass it to `validateTrainingConfig` (which
 * fills the defaults and applies every rule the file would meet) and then to `train`.
 * @example
 *   const config = validateTrainingConfig(defineConfig({ output_dir: 'runs/x', tasks: [...], training: { max_steps: 100 } }));
 */
export function defineConfig(config: TrainingConfigInput): TrainingConfigInput {
  return config;
}
