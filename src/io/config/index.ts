/**
 * The training config: one YAML file, validated once at start (see ./load.ts), in Hugging Face's
 * snake_case on disk and camelCase in TypeScript (./case.ts is the one place that converts).
 */
export {
  loadTrainingConfig,
  parseTrainingConfig,
  validateTrainingConfig,
  trainingConfigToJson,
  trainingConfigToYaml,
  type ParseOptions,
} from './load.js';
export type { TrainingConfig, EncoderSettings, TokenizerSettings, TaskConfig, TrainingSettings, ResolvedSnakeConfig } from './types.js';
export { ConfigFileError, editDistance, nearest, type ConfigIssue } from './issues.js';
export { formatPath, type ConfigPath } from './yaml-source.js';
export type { ConfigTaskKind, TaskKinds, TaskOptionsProblem } from './task-kinds.js';
export { NAMED_FIELD_FORMATS } from './checks.js';
export { metaRefusals } from './strategy-checks.js';
export { CONFIG_MODULE, readConfigValue } from './config-value.js';
export { camelize, camelKey, snakeKey, snakeize, type Camelize, type CamelCase } from './case.js';
export {
  trainingConfigSchema,
  ENCODER_DEFAULTS,
  HIDDEN_ACTS,
  DATA_FORMATS,
  SCHEDULES,
  SAMPLER_KINDS,
  type SnakeTrainingConfig,
} from './schema.js';
export { trainingConfigJsonSchema, defineConfig, type TrainingConfigInput } from './json-schema.js';
