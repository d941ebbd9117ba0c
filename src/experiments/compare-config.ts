/**
 * The config of `mtl compare`: one base training config and the strategies to train it under, each
 * a set of overrides of the base (in the training config's own spelling, merged key by key), plus
 * the single-task baselines. Validated once, every strategy's resulting training config included,
 * before anything trains.
 *
 * ```yaml
 * base: support-bot-tiny.yaml        # a training config (YAML, or a module: config.ts); relative to this file
 * output_dir: ../runs/compare        # one folder per strategy inside, and compare.md / compare.json
 * single_task: true                  # also train each task alone (the baselines of Δ); or a list of task names
 * seeds: [1, 2, 3]                   # each arm once per seed (default: the base's seed); `--seeds` overrides
 * budget: { examples_per_task: 20000 } # or { steps: 500 }: the same training length for every arm (default: the base's)
 * strategies:
 *   - name: equal
 *     set: { training: { task_schedule: joint } }
 *   - name: pcgrad
 *     set: { training: { task_schedule: joint, surgery: { method: pcgrad } } }
 * ```
 */
import { familyConfigKeys, supportedModelTypes } from '../models/registry.js';
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
  /** Train each task of the base (true) or the tasks named alone with the same budget (the baselines of Δ). */
  single_task: z.union([z.boolean(), z.array(z.string().min(1)).min(1)]).default(true),
  /** Train each arm once per seed (distinct); default the base's seed alone. */
  seeds: z
    .array(
      z
        .int()
        .min(0)
        .max(2 ** 31 - 1),
    )
    .min(1)
    .refine((s) => new Set(s).size === s.length, 'the seeds must be distinct')
    .optional(),
  /** The training length of every arm, replacing the base's and the strategies' own. */
  budget: z.union([z.strictObject({ steps: z.int().min(1) }), z.strictObject({ examples_per_task: z.int().min(1) })]).optional(),
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

/** The training length of every arm: optimizer steps, or training examples seen per task. */
export type CompareBudget = { readonly steps: number } | { readonly examplesPerTask: number };

/** A validated comparison. */
export interface CompareConfig {
  readonly source: string;
  readonly outputDir: string;
  /** The tasks trained alone as baselines (none: no single-task row). */
  readonly singleTask: readonly string[];
  /** The seeds each arm is trained with; undefined: once, with the base's seed, in the arm's folder itself (no seed-<s> folder). */
  readonly seeds: readonly number[] | undefined;
  readonly budget: CompareBudget | undefined;
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

/** `training` of a raw config with its length replaced by `budget` (max_steps, epochs and max_examples_per_task dropped first). */
function withBudget(raw: Record<string, unknown>, budget: z.output<typeof compareSchema>['budget']): Record<string, unknown> {
  if (budget === undefined) return raw;
  const training = { ...(isMapping(raw.training) ? raw.training : {}) };
  for (const k of ['max_steps', 'epochs', 'max_examples_per_task']) delete training[k];
  return {
    ...raw,
    training: { ...training, ...('steps' in budget ? { max_steps: budget.steps } : { max_examples_per_task: budget.examples_per_task }) },
  };
}

/** What the command line may set over the compare file. */
export interface CompareOverrides {
  /** Replaces the file's `seeds`. */
  readonly seeds?: readonly number[];
}

/**
 * Reads a compare config and validates the base with every strategy's overrides (and the budget).
 * @throws ConfigError (a ConfigFileError listing each problem with its line) for the compare file,
 *   the base, a strategy whose merged config is invalid (naming the strategy) or that sets its own
 *   `seed`, repeated seeds, or a single_task list naming a task the base lacks or one task twice.
 */
export async function loadCompareConfig(file: string, overrides: CompareOverrides = {}): Promise<CompareConfig> {
  const data = readYamlFile(file, compareSchema, 'compare config');
  const seeds = overrides.seeds ?? data.seeds;
  if (seeds !== undefined && new Set(seeds).size !== seeds.length)
    throw new ConfigError(`${file}: seeds ${seeds.join(', ')}: each seed once, please (a seed repeated would train the same run twice)`);
  const dir = path.dirname(path.resolve(file));
  const baseFile = path.resolve(dir, data.base);
  let base: unknown;
  try {
    base = await readConfigValue(baseFile);
  } catch (e) {
    throw new ConfigError(`${file}: base: ${(e as Error).message}`);
  }
  const outputDir = path.resolve(dir, data.output_dir);
  const raw = withBudget({ ...(base as Record<string, unknown>), output_dir: outputDir }, data.budget);
  const options = { baseDir: path.dirname(baseFile), taskTypes, modelTypes: supportedModelTypes(), familyKeys: familyConfigKeys };
  const resolved = validateTrainingConfig(raw, { ...options, source: baseFile });
  const names = new Set<string>();
  const strategies = data.strategies.map((s, i) => {
    if (names.has(s.name)) throw new ConfigError(`${file}: strategies[${i}]: the name '${s.name}' is used twice`);
    names.add(s.name);
    if ('seed' in s.set)
      throw new ConfigError(
        `${file}: strategies[${i}] '${s.name}': set.seed: every arm trains with the comparison's seeds (so that Δ pairs runs of one seed); ` +
          `give them with the compare config's 'seeds' (or --seeds), not in a strategy`,
      );
    const merged = withBudget(
      mergeConfig(raw, { ...s.set, output_dir: path.join(outputDir, s.name) }) as Record<string, unknown>,
      data.budget,
    );
    const config = validateTrainingConfig(merged, {
      ...options,
      source: `${file}: strategies[${i}] '${s.name}' (${baseFile} with its 'set')`,
    });
    return { name: s.name, description: s.description ?? '', config };
  });
  const taskNames = resolved.tasks.map((t) => t.name);
  const singleTask = data.single_task === true ? taskNames : data.single_task === false ? [] : data.single_task;
  const repeated = singleTask.filter((t, i) => singleTask.indexOf(t) !== i);
  if (repeated.length > 0)
    throw new ConfigError(`${file}: single_task names ${[...new Set(repeated)].join(', ')} more than once; each task once, please`);
  const unknown = singleTask.filter((t) => !taskNames.includes(t));
  if (unknown.length > 0)
    throw new ConfigError(`${file}: single_task names ${unknown.join(', ')}, which the base lacks; its tasks: ${taskNames.join(', ')}`);
  const budget =
    data.budget === undefined
      ? undefined
      : 'steps' in data.budget
        ? { steps: data.budget.steps }
        : { examplesPerTask: data.budget.examples_per_task };
  return { source: file, outputDir, singleTask, seeds, budget, base: resolved, strategies };
}
