/**
 * `mtl compare CONFIG`: trains one task mixture under several strategies with the same budget, seed
 * and vocabulary (./compare-config.ts), and the single-task baselines, then writes the table
 * (./compare-table.ts) as `<output_dir>/compare.md` and `compare.json`. A vocabulary to be learned is
 * learned once, from the base config's training texts, so every run reads the same token ids.
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
}

export interface CompareResult {
  readonly table: CompareTable;
  readonly runs: readonly CompareRun[];
  /** The files written. */
  readonly markdownFile: string;
  readonly jsonFile: string;
}

/** Trains `config` (or reads its earlier compare_run.json) and returns its record. */
async function runOne(name: string, description: string, config: TrainingConfig, logger: Logger): Promise<CompareRun> {
  const file = path.join(config.outputDir, 'compare_run.json');
  const settings = trainingConfigToJson(config);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { run: CompareRun; config: unknown };
    if (isDeepStrictEqual(saved.config, settings)) {
      logger.info(`compare: ${name}: reusing ${file}`);
      return saved.run;
    }
    logger.info(`compare: ${name}: ${file} was trained with another config; training again`);
  }
  logger.info(`compare: ${name}: training (${config.outputDir})`);
  const started = performance.now();
  const result = await train(config, { logger: prefixed(logger, `[${name}] `), overwrite: true }); // a run of another config: trained again
  const wallSeconds = (performance.now() - started) / 1000;
  const tasks: CompareRun['tasks'] = {};
  for (const task of config.tasks) {
    const main = mainMetricOf(taskType(task.type), task.options ?? {});
    const value = result.test?.metrics[task.name]?.[main.name];
    if (value !== undefined) tasks[task.name] = { metric: main.name, value, greaterIsBetter: main.greaterIsBetter };
  }
  const run: CompareRun = {
    name,
    description,
    tasks,
    wallSeconds,
    trainSeconds: result.trainSeconds,
    steps: result.step,
    parameters: result.parameters,
    trainableParameters: result.trainableParameters,
  };
  writeFileSync(file, `${JSON.stringify({ run, config: settings }, null, 2)}\n`);
  return run;
}

/**
 * Runs the comparison that the compare config `file` describes (see ./compare-config.ts).
 * @throws ConfigError for an invalid compare config or strategy, before anything trains; whatever a run throws.
 */
export async function compare(file: string, options: CompareOptions = {}): Promise<CompareResult> {
  const logger = options.logger ?? silentLogger;
  const c = await loadCompareConfig(file);
  mkdirSync(c.outputDir, { recursive: true });
  const tokenizerFile = await sharedTokenizer(c.base, c.outputDir, prefixed(logger, 'compare: '), 'every run');
  const withTokenizer = (config: TrainingConfig): TrainingConfig =>
    tokenizerFile === undefined ? config : { ...config, tokenizer: { path: tokenizerFile } };
  const singles: CompareRun[] = [];
  if (c.singleTask) {
    for (const task of c.base.tasks) {
      const config = withTokenizer(singleTaskConfig(c.base, task.name));
      singles.push(await runOne(`single-${task.name}`, `${task.name} alone`, config, logger));
    }
  }
  const strategies: CompareRun[] = [];
  for (const s of c.strategies) strategies.push(await runOne(s.name, s.description, withTokenizer(s.config), logger));
  const table = compareTable(
    c.base.tasks.map((t) => t.name),
    singles,
    strategies,
  );
  const markdownFile = path.join(c.outputDir, 'compare.md');
  const jsonFile = path.join(c.outputDir, 'compare.json');
  writeFileSync(markdownFile, compareMarkdown(table));
  writeFileSync(jsonFile, `${JSON.stringify({ config: path.resolve(file), table, runs: [...singles, ...strategies] }, null, 2)}\n`);
  return { table, runs: [...singles, ...strategies], markdownFile, jsonFile };
}
