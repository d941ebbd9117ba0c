/**
 * `mtl compare CONFIG`: trains one task mixture under several strategies with the same budget, seeds
 * and vocabulary (./compare-config.ts), and the single-task baselines, each arm once per seed (seed
 * by seed: every arm of the first seed, then of the next), then writes the table (./compare-table.ts)
 * as `<output_dir>/compare.md` and `compare.json`. A vocabulary to be learned is learned once, from
 * the base config's training texts, so every run reads the same token ids. With `seeds` each run's
 * folder is `<arm folder>/seed-<s>`.
 *
 * Each finished run leaves `compare_run.json` (its record and resolved config) in its folder, and a
 * later `mtl compare` reuses it instead of training again when the run's config is unchanged, so an
 * interrupted comparison continues where it stopped.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { trainingConfigToJson, type TrainingConfig } from '../io/config/index.js';
import { mainMetricOf, taskType } from '../tasks/index.js';
import { sharedTokenizer } from './shared-tokenizer.js';
import { loadCompareConfig } from './compare-config.js';
import { compareMarkdown, compareTable, type CompareRun, type CompareTable } from './compare-table.js';
import { singleTaskConfig } from './single-task.js';
import { train } from '../train/trainer.js';
import { prefixed, silentLogger, type Logger } from '../logger.js';

export interface CompareOptions {
  /** Where progress lines go (each run's lines prefixed with its name); default none. */
  readonly logger?: Logger;
  /** Train each arm with these seeds, in place of the compare config's `seeds`. */
  readonly seeds?: readonly number[];
}

export interface CompareResult {
  readonly table: CompareTable;
  readonly runs: readonly CompareRun[];
  /** The files written. */
  readonly markdownFile: string;
  readonly jsonFile: string;
}

/** Trains `config` (or reads its earlier compare_run.json) and returns its record. */
async function runOne(name: string, description: string, config: TrainingConfig, logger: Logger, label = name): Promise<CompareRun> {
  const file = path.join(config.outputDir, 'compare_run.json');
  const settings = trainingConfigToJson(config);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { run: Partial<CompareRun>; config: unknown };
    if (isDeepStrictEqual(saved.config, settings) && saved.run.examplesPerTask !== undefined) {
      logger.info(`compare: ${label}: reusing ${file}`);
      return saved.run as CompareRun;
    }
    logger.info(`compare: ${label}: ${file} was trained with another config (or recorded less); training again`);
  }
  logger.info(`compare: ${label}: training (${config.outputDir})`);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = await train(config, { logger: prefixed(logger, `[${label}] `), overwrite: true }); // a run of another config: trained again
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted); // µs of this process's threads (libtorch's included), the runs being sequential
  const tasks: CompareRun['tasks'] = {};
  for (const task of config.tasks) {
    const main = mainMetricOf(taskType(task.type), task.options ?? {});
    const value = result.test?.metrics[task.name]?.[main.name];
    if (value !== undefined) tasks[task.name] = { metric: main.name, value, greaterIsBetter: main.greaterIsBetter };
  }
  const run: CompareRun = {
    name,
    description,
    seed: config.seed,
    tasks,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    trainSeconds: result.trainSeconds,
    steps: result.step,
    bestStep: result.bestStep,
    status: result.status,
    examplesPerTask: { ...result.examplesPerTask },
    parameters: result.parameters,
    trainableParameters: result.trainableParameters,
    encoderPasses: encoderPassesPerRequest(config),
  };
  writeFileSync(file, `${JSON.stringify({ run, config: settings }, null, 2)}\n`);
  return run;
}

/**
 * Encoder passes to answer every task of `config` for one input: 1, or one per task when each task
 * has its own adapters (`peft.per_task`), which the encoder runs with one task's adapters at a time.
 */
export function encoderPassesPerRequest(config: TrainingConfig): number {
  return config.peft?.perTask === true ? config.tasks.length : 1;
}

/**
 * Runs the comparison that the compare config `file` describes (see ./compare-config.ts).
 * @throws ConfigError for an invalid compare config or strategy, before anything trains; whatever a run throws.
 */
export async function compare(file: string, options: CompareOptions = {}): Promise<CompareResult> {
  const logger = options.logger ?? silentLogger;
  const c = await loadCompareConfig(file, options.seeds === undefined ? {} : { seeds: options.seeds });
  mkdirSync(c.outputDir, { recursive: true });
  const tokenizerFile = await sharedTokenizer(c.base, c.outputDir, prefixed(logger, 'compare: '), 'every run');
  /** The arm's config for one seed: the shared tokenizer, the seed, and with several seeds its own folder. */
  const forSeed = (config: TrainingConfig, seed: number | undefined): TrainingConfig => ({
    ...config,
    ...(tokenizerFile === undefined ? {} : { tokenizer: { path: tokenizerFile } }),
    ...(seed === undefined ? {} : { seed, outputDir: path.join(config.outputDir, `seed-${seed}`) }),
  });
  const singles: CompareRun[] = [];
  const strategies: CompareRun[] = [];
  for (const seed of c.seeds ?? [undefined]) {
    const tag = seed === undefined ? '' : ` (seed ${seed})`;
    for (const task of c.singleTask) {
      const config = forSeed(singleTaskConfig(c.base, task), seed);
      singles.push(await runOne(`single-${task}`, `${task} alone`, config, logger, `single-${task}${tag}`));
    }
    for (const s of c.strategies) strategies.push(await runOne(s.name, s.description, forSeed(s.config, seed), logger, `${s.name}${tag}`));
  }
  const table = compareTable(
    c.base.tasks.map((t) => t.name),
    singles,
    strategies,
  );
  const markdownFile = path.join(c.outputDir, 'compare.md');
  const jsonFile = path.join(c.outputDir, 'compare.json');
  writeFileSync(markdownFile, compareMarkdown(table));
  const record = {
    config: path.resolve(file),
    budget: c.budget ?? null,
    table,
    runs: [...singles, ...strategies],
  };
  writeFileSync(jsonFile, `${JSON.stringify(record, null, 2)}\n`);
  return { table, runs: [...singles, ...strategies], markdownFile, jsonFile };
}
