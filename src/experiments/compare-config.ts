/**
 * The config of `mtl compare`: one base training config and the strategies to train it under, each
 * a set of overrides of the base (in the training config's own spelling, merged key by key), plus
 * the single-task baselines. Validated once, every strategy's resulting training config included,
 * before anything trains.
 *
 * ```yaml
 * base: support-bot-tiny.yaml        # a training config (YAML, or a module: config.ts); relative to this file
 * output_dir: ../runs/compare        # one folder per strategy inside, and compare.md / compare.json
 * single_task: true                  # also train each task alone (the baselines of Δ)
 * strategies:
 *   - name: equal
 *     set: { training: { task_schedule: joint } }
 *   - name: pcgrad
 *     set: { training: { task_schedule: joint, surgery: { method: pcgrad } } }
 * ```
 */
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { readConfigValue, validateTrainingConfig, type TrainingConfig } from '../io/config/index.js';
import { readYamlFile } from '../io/config/yaml-file.js';
import { taskTypes } from '../tasks/index.js';

const compareSchema = z.strictObject({
  /** The base training config (a file), relative to the compare config. */
  base: z.string().min(1),
  /** Where each strategy's run folder and the table go, relative to the compare config. */
  output_dir: z.string().min(1),
  /** Train each task of the base alone with the same budget (the baselines of Δ). */
  single_task: z.boolean().default(true),
  strategies: z
    .array(
      z.strictObject({
        /** Names the run's folder and the table row: letters, digits, '_' and '-'. */
        name: z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a strategy name starts with a letter and holds only letters, digits, '_' and '-'"),
        /** One line for the table. */
        description: z.string().optional(),
        /** Overrides of the base config, merged into it key by key (a mapping replaces nothing but the keys it names). */
        set: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .min(1),
});

/** One strategy of a comparison: its name and full training config. */
export interface CompareStrategy {
  readonly name: string;
  readonly description: string;
  readonly config: TrainingConfig;
}

/** A validated comparison. */
export interface CompareConfig {
  readonly source: string;
  readonly outputDir: string;
  readonly singleTask: boolean;
  /** The base config as resolved (its output_dir is the comparison's). */
  readonly base: TrainingConfig;
  readonly strategies: readonly CompareStrategy[];
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `base` with `over` merged in: mappings key by key (recursively), anything else replaced. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (!isMapping(base) || !isMapping(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeConfig(base[k], v) : v;
  return out;
}

/**
 * Reads a compare config and validates the base with every strategy's overrides.
 * @throws ConfigError (a ConfigFileError listing each problem with its line) for the compare file,
 *   the base, or a strategy whose merged config is invalid (naming the strategy).
 */
export async function loadCompareConfig(file: string): Promise<CompareConfig> {
  const data = readYamlFile(file, compareSchema, 'compare config');
  const dir = path.dirname(path.resolve(file));
  const baseFile = path.resolve(dir, data.base);
  let base: unknown;
  try {
    base = await readConfigValue(baseFile);
  } catch (e) {
    throw new ConfigError(`${file}: base: ${(e as Error).message}`);
  }
  const outputDir = path.resolve(dir, data.output_dir);
  const raw = { ...(base as Record<string, unknown>), output_dir: outputDir };
  const options = { baseDir: path.dirname(baseFile), taskTypes };
  const resolved = validateTrainingConfig(raw, { ...options, source: baseFile });
  const names = new Set<string>();
  const strategies = data.strategies.map((s, i) => {
    if (names.has(s.name)) throw new ConfigError(`${file}: strategies[${i}]: the name '${s.name}' is used twice`);
    names.add(s.name);
    const merged = mergeConfig(raw, { ...s.set, output_dir: path.join(outputDir, s.name) });
    const config = validateTrainingConfig(merged, {
      ...options,
      source: `${file}: strategies[${i}] '${s.name}' (${baseFile} with its 'set')`,
    });
    return { name: s.name, description: s.description ?? '', config };
  });
  return { source: file, outputDir, singleTask: data.single_task, base: resolved, strategies };
}
