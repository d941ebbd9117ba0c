/**
 * The space file of `mtl sweep CONFIG SPACE.yaml` and the trial configs made from it. The training
 * config is the base; each trial sets the space's parameters (dotted paths, ./space.ts) in it and is
 * validated as a whole before anything trains.
 *
 * ```yaml
 * output_dir: ../runs/sweep     # the sweep folder (relative to this file): state, trials/, results
 * sampler: tpe                  # grid | random | tpe
 * trials: 12                    # configurations tried (grid: at most this many of its points; default all)
 * seed: 0                       # seeds the sampler (each trial's run keeps the config's seed)
 * metric: intent.accuracy       # optional: the dev metric to optimise (default the config's selection metric)
 * mode: max
 * asha: { min_steps: 20, reduction_factor: 3 }   # optional: successive halving from 20 steps (rungs 20, 60, …, max_steps)
 * parameters:
 *   training.learning_rate: { type: log_uniform, low: 1.0e-4, high: 3.0e-3 }
 *   training.warmup_ratio: { type: choice, values: [0, 0.1] }
 *   tasks.sentiment.weight: { type: uniform, low: 0.25, high: 1 }
 * ```
 */
import { familyConfigKeys, supportedModelTypes } from '../../models/registry.js';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { ConfigFileError, readConfigValue, validateTrainingConfig, type TrainingConfig } from '../../io/config/index.js';
import { readYamlFile } from '../../io/config/yaml-file.js';
import { taskTypes } from '../../tasks/index.js';
import { rungBudgets } from './asha.js';
import { checkSpace, gridPoints, parameterSchema, randomPoint, setPath, type Point, type Space } from './space.js';
import { mulberry32 } from '../../random.js';
import { TPE_DEFAULTS, type TpeOptions } from './tpe.js';

export const SAMPLERS = ['grid', 'random', 'tpe'] as const;

const spaceFileSchema = z.strictObject({
  output_dir: z.string().min(1),
  sampler: z.enum(SAMPLERS).default('random'),
  trials: z.number().int().min(1).optional(),
  seed: z.number().int().default(0),
  metric: z.string().min(1).optional(),
  mode: z.enum(['max', 'min']).optional(),
  tpe: z
    .strictObject({
      startup_trials: z.number().int().min(0).default(TPE_DEFAULTS.startupTrials),
      candidates: z.number().int().min(1).default(TPE_DEFAULTS.candidates),
      gamma: z.number().gt(0).lt(1).default(TPE_DEFAULTS.gamma),
    })
    .prefault({}),
  asha: z
    .strictObject({
      min_steps: z.number().int().min(1),
      reduction_factor: z.number().min(2).default(3),
      max_steps: z.number().int().min(1).optional(),
    })
    .nullable()
    .default(null),
  parameters: z.record(
    z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a dotted path such as training.learning_rate'),
    parameterSchema,
  ),
});

/** A validated sweep: the space, how to search it, and the base config to put its points into. */
export interface SweepConfig {
  readonly spaceFile: string;
  readonly configFile: string;
  readonly outputDir: string;
  readonly sampler: (typeof SAMPLERS)[number];
  /** Trials to run (grid: its points, capped by `trials`). */
  readonly trials: number;
  readonly seed: number;
  readonly space: Space;
  readonly tpe: TpeOptions;
  /** The selection metric of every trial and its direction. */
  readonly metric: string;
  readonly mode: 'max' | 'min';
  /** Rung budgets in optimizer steps (ASHA), or one: every trial's full run. */
  readonly budgets: readonly number[];
  readonly reductionFactor: number;
  /** The base config as written (the file's spelling), and its folder (relative paths). */
  readonly base: Record<string, unknown>;
  readonly baseDir: string;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The training config of one trial: `point` set into the base, the sweep's metric as its selection
 * metric, its run in `outputDir`, and evaluations at every rung budget.
 * @throws ConfigError (ConfigFileError) when the point makes an invalid config, naming the trial.
 */
export function trialConfig(s: SweepConfig, point: Point, outputDir: string, name = 'trial'): TrainingConfig {
  let raw: unknown = s.base;
  for (const [key, value] of Object.entries(point)) raw = setPath(raw, key, value);
  const r = raw as Record<string, Record<string, unknown>>;
  const training = { ...r.training };
  const es = training.early_stopping as Record<string, unknown> | null | undefined;
  training.early_stopping = { patience: 100_000_000, ...(es ?? {}), metric: s.metric, mode: s.mode };
  training.max_steps = s.budgets[s.budgets.length - 1];
  delete training.epochs;
  const evalEvery = (training.eval_every as number | undefined) ?? 500;
  training.eval_every = s.budgets.reduce(gcd, evalEvery);
  return validateTrainingConfig(
    { ...r, training, output_dir: outputDir },
    {
      source: `${s.configFile} (${name}: ${JSON.stringify(point)})`,
      baseDir: s.baseDir,
      taskTypes,
      modelTypes: supportedModelTypes(),
      familyKeys: familyConfigKeys,
    },
  );
}

/** A trial config's problem at a parameter's own path (a mistyped key), as the space file's error; undefined otherwise. */
function spaceMistake(e: unknown, space: Space, spaceFile: string): ConfigError | undefined {
  if (!(e instanceof ConfigFileError)) return undefined;
  const keys = new Set(space.map(([k]) => k));
  const own = e.issues.filter((i) => keys.has(i.path.join('.')));
  if (own.length === 0) return undefined;
  const lines = own.map((i) => `${spaceFile}: parameters: ${i.path.join('.')}: ${i.message} (in the training config)`);
  return new ConfigError(lines.join('\n'));
}

/**
 * Reads the space file and the training config, and checks the space against the config (a random
 * point and, for grid search, every point make valid configs).
 * @throws ConfigError (ConfigFileError with lines) for either file, a bad range, a path the config
 *   cannot take, a grid over a real range without `grid`, ASHA without max_steps.
 */
export async function loadSweepConfig(configFile: string, spaceFile: string): Promise<SweepConfig> {
  const f = readYamlFile(spaceFile, spaceFileSchema, 'sweep space');
  const space: Space = Object.entries(f.parameters);
  if (space.length === 0) throw new ConfigError(`${spaceFile}: parameters: name at least one hyper-parameter to search`);
  checkSpace(space);
  const base = (await readConfigValue(configFile)) as Record<string, unknown>;
  const baseDir = path.dirname(path.resolve(configFile));
  const config = validateTrainingConfig(base, {
    source: configFile,
    baseDir,
    taskTypes,
    modelTypes: supportedModelTypes(),
    familyKeys: familyConfigKeys,
  });
  const es = config.training.earlyStopping;
  const maxSteps = f.asha?.max_steps ?? config.training.maxSteps;
  if (maxSteps === undefined)
    throw new ConfigError(
      `${configFile}: a sweep needs training.max_steps (trials are compared at equal steps), or asha.max_steps in ${spaceFile}`,
    );
  if (space.some(([k]) => k === 'training.max_steps' || k === 'training.epochs' || k === 'output_dir'))
    throw new ConfigError(`${spaceFile}: parameters: max_steps, epochs and output_dir are the sweep's to set, not parameters`);
  const budgets = f.asha === null ? [maxSteps] : rungBudgets(f.asha.min_steps, f.asha.reduction_factor, maxSteps);
  const outputDir = path.resolve(path.dirname(path.resolve(spaceFile)), f.output_dir);
  const sweep: SweepConfig = {
    spaceFile: path.resolve(spaceFile),
    configFile: path.resolve(configFile),
    outputDir,
    sampler: f.sampler,
    trials: f.trials ?? 0,
    seed: f.seed,
    space,
    tpe: { startupTrials: f.tpe.startup_trials, candidates: f.tpe.candidates, gamma: f.tpe.gamma },
    metric: f.metric ?? es?.metric ?? 'average',
    mode: f.mode ?? es?.mode ?? 'max',
    budgets,
    reductionFactor: f.asha?.reduction_factor ?? 3,
    base,
    baseDir,
  };
  if (f.sampler !== 'grid' && f.trials === undefined)
    throw new ConfigError(`${spaceFile}: trials: say how many trials to run (${f.sampler} sampling)`);
  const grid = f.sampler === 'grid' ? gridPoints(space) : undefined;
  const checked = { ...sweep, trials: grid === undefined ? sweep.trials : Math.min(grid.length, f.trials ?? grid.length) };
  try {
    trialConfig(checked, grid?.[0] ?? randomPoint(space, mulberry32(f.seed)), path.join(outputDir, 'check'), 'a first point');
  } catch (e) {
    throw spaceMistake(e, space, spaceFile) ?? e;
  }
  return checked;
}
