/**
 * Reading the training config: YAML → schema (./schema.ts) → cross-key rules (./checks.ts) → each
 * task's options, by its task type (./task-kinds.ts; the caller passes the registered types) → paths made absolute and checked (./files.ts)
 * → defaults filled → camelCase (./case.ts). All problems of the file are reported together, before
 * anything trains (and before any data is read). The result is the fully resolved config:
 * `trainingConfigToYaml` writes it (snake_case, absolute paths, every default) beside each
 * checkpoint, and reading that text back gives the same config.
 */
import path from 'node:path';
import { stringify } from 'yaml';
import { readConfigText } from './config-text.js';
import { camelize, snakeize, type NamePath } from './case.js';
import { crossCheck } from './checks.js';
import { checkFromKeys } from './encoder-keys.js';
import { checkPaths, resolvePaths } from './files.js';
import { ConfigFileError, fromZodIssue, type ConfigIssue } from './issues.js';
import { ENCODER_DEFAULTS, trainingConfigSchema, type SnakeTrainingConfig } from './schema.js';
import { checkTaskOptions, checkWordDropout, type TaskKinds } from './task-kinds.js';
import type { ResolvedSnakeConfig, ResolvedSnakeEncoder, SnakeEncoder, TaskConfig, TrainingConfig } from './types.js';
import { YamlSource, type ConfigPath } from './yaml-source.js';

export interface ParseOptions {
  /** Names the config in messages (a file path). Default 'training config'. */
  source?: string;
  /** Relative paths are relative to this folder. Default: the folder of `source` when given, else the working directory. */
  baseDir?: string;
  /** Check that every data file, tokenizer and checkpoint exists (default true). */
  checkFiles?: boolean;
  /**
   * The task kinds a config may name, with what they read and their options' schema: src/tasks'
   * registry, `taskTypes` (this layer cannot import it).
   */
  taskTypes: TaskKinds;
  /**
   * The `model_type`s a new encoder may name (src/models' registry, `supportedModelTypes()`; this layer
   * cannot import it), so an unknown one is reported with its line. Undefined: not checked here (the
   * run refuses it when it starts, without a line).
   */
  modelTypes?: readonly string[];
  /**
   * The keys a new encoder of a `model_type` other than bert may hold (src/models' registry,
   * `familyConfigKeys`), so an unknown one is reported with its line. Undefined: the run refuses it
   * when it starts, without a line.
   */
  familyKeys?: (modelType: string) => readonly string[];
}

/**
 * Reads and validates a YAML training config; relative paths in it are relative to its folder.
 * @throws ConfigError when the file cannot be read, is not UTF-8 or is not YAML; ConfigFileError (a ConfigError)
 *   listing every problem — unknown key (with the nearest valid one), wrong type or value, missing key,
 *   inconsistent keys, missing file — each with its key path and line.
 * @example
 *   const config = loadTrainingConfig('examples/snips.yaml');
 *   config.training.sampler.kind; // 'proportional'
 */
export function loadTrainingConfig(file: string, options: Omit<ParseOptions, 'source'>): TrainingConfig {
  return parseTrainingConfig(readConfigText(file, 'training config'), { ...options, source: file });
}

/** Validates the text of a YAML (or JSON) training config; see `loadTrainingConfig`. */
export function parseTrainingConfig(text: string, options: ParseOptions): TrainingConfig {
  const name = options.source ?? 'training config';
  const source = new YamlSource(text, name);
  return validate(source.value, source, name, options);
}

/** Validates a config given as a plain object in the file's spelling (e.g. a saved training_config.json). */
export function validateTrainingConfig(value: unknown, options: ParseOptions): TrainingConfig {
  return validate(value, undefined, options.source ?? 'training config', options);
}

function validate(value: unknown, source: YamlSource | undefined, name: string, options: ParseOptions): TrainingConfig {
  const located = (issues: { path: ConfigPath; message: string }[]): ConfigIssue[] =>
    issues.map((i) => ({ ...i, line: source?.lineOf(i.path) }));
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null || value === undefined ? 'an empty file' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    throw new ConfigFileError(name, [
      { path: [], message: `expected a mapping with the keys seed, output_dir, encoder, tokenizer, tasks, training…, got ${got}` },
    ]);
  }
  const parsed = trainingConfigSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigFileError(name, sortByLine(parsed.error.issues.flatMap((i) => fromZodIssue(i, trainingConfigSchema, source))));
  }
  const baseDir = options.baseDir ?? (options.source !== undefined ? path.dirname(path.resolve(options.source)) : process.cwd());
  const resolved = resolvePaths(parsed.data, baseDir);
  const unset = ['max_length'].filter((key) => !(key in value));
  const issues = crossCheck(parsed.data, options.taskTypes, options, unset);
  const tasks = camelize(parsed.data, USER_NAMES).tasks as TaskConfig[];
  issues.push(...checkTaskOptions(parsed.data.tasks, tasks, options.taskTypes));
  issues.push(...checkWordDropout(parsed.data.training.word_dropout, tasks, options.taskTypes));
  if (options.checkFiles ?? true) {
    const missing = checkPaths(resolved, parsed.data);
    issues.push(...missing);
    const { familyKeys, modelTypes } = options;
    if (familyKeys !== undefined && modelTypes !== undefined && !missing.some((i) => i.path.join('.') === 'encoder.from'))
      issues.push(...checkFromKeys(resolved.encoder, familyKeys, modelTypes));
  }
  if (issues.length > 0) throw new ConfigFileError(name, sortByLine(located(issues)));
  return camelize(fillDefaults(resolved), USER_NAMES);
}

/** The config's maps keyed by the user's names, whose keys keep their spelling: label → threshold, task → sampling probability. */
const USER_NAMES: readonly NamePath[] = [
  ['tasks', '*', 'options', 'thresholds'],
  ['training', 'sampler', 'probabilities'],
];

const sortByLine = (issues: ConfigIssue[]): ConfigIssue[] => [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

/**
 * Defaults that depend on other keys: the encoder's (unless it comes from a checkpoint; BERT's for a
 * BERT encoder, while another family's come from its own config in src/models/<family>/) and the warm-up.
 */
function fillDefaults(config: SnakeTrainingConfig): ResolvedSnakeConfig {
  const { from, ...fields } = config.encoder;
  const bert = fields.model_type === undefined || fields.model_type === 'bert';
  const encoder: ResolvedSnakeEncoder =
    from !== undefined
      ? { from, ...fields }
      : ({ ...(bert ? ENCODER_DEFAULTS : {}), ...withoutUndefined(fields) } as Required<
          Omit<SnakeEncoder, 'from' | 'vocab_size' | 'reinit_pooler' | 'reinit_layers'>
        >);
  const t = config.training;
  const training = t.warmup_ratio === undefined && t.warmup_steps === undefined ? { ...t, warmup_ratio: 0 } : t;
  return { ...config, encoder, training };
}

/** `value` without its undefined entries, recursively (YAML and JSON have no undefined). */
function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  ) as T;
}

/** The resolved config in the file's spelling (snake_case, absolute paths, defaults filled), as a plain object for JSON. */
export function trainingConfigToJson(config: TrainingConfig): Record<string, unknown> {
  return withoutUndefined(snakeize(config, USER_NAMES)) as Record<string, unknown>;
}

/** The resolved config as YAML text; `parseTrainingConfig` reads it back to an equal config. */
export function trainingConfigToYaml(config: TrainingConfig): string {
  return `# multitask-lm training config, resolved: every default filled in, paths absolute\n${stringify(trainingConfigToJson(config), { lineWidth: 0 })}`;
}
