/**
 * The transfer report (`mtl transfer`): does multi-task pre-training help a new task? One pre-training
 * config is trained twice — as written (every objective: MLM, supervised tasks, link prediction) and
 * with its masked-LM tasks only, for the same number of steps and with the first run's tokenizer — and
 * each downstream config is then
 * fine-tuned, with the same budget and seeds, from the multi-task encoder, from the MLM-only encoder,
 * and from scratch (same architecture and tokenizer, fresh weights). The table gives each downstream
 * task's main test metric (best dev checkpoint; the last one when there is no dev set) as mean ±
 * sample standard deviation over seeds, with every seed's value.
 */
import { mean, sampleStd } from '../metrics/spread.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../errors.js';
import { parseTrainingConfig, trainingConfigToJson, type TaskConfig, type TrainingConfig } from '../io/config/index.js';
import { mainMetricOf, taskType, taskTypes, type Pooling } from '../tasks/index.js';
import { finetune, loadFinetuneConfig, readFinetuneConfig, type EncoderInit } from '../train/finetune.js';
import { train } from '../train/trainer.js';
import { prefixed, silentLogger, type Logger } from '../logger.js';

/** The encoders fine-tuned from, in the table's column order. */
export const TRANSFER_ARMS = ['multi-task', 'mlm-only', 'scratch'] as const;
export type TransferArm = (typeof TRANSFER_ARMS)[number];

export interface TransferOptions {
  /** The pre-training config (its output_dir is replaced by `<outDir>/pretrain-<arm>`). */
  readonly pretrain: TrainingConfig;
  /** Fine-tuning config files (see `loadFinetuneConfig`). */
  readonly finetune: readonly string[];
  /** Seeds of the fine-tuning runs (each arm uses the same ones). */
  readonly seeds: readonly number[];
  readonly outDir: string;
  /**
   * Keep a pre-trained encoder already in `<outDir>/pretrain-<arm>/best` when its training_config.yaml
   * is this run's (an interrupted report continues without pre-training again). Default false.
   */
  readonly reuse?: boolean;
  /** Fine-tuning steps of every downstream run (default: each config's own). */
  readonly finetuneSteps?: number;
  /** Peak learning rate of every downstream run (default: each config's own). */
  readonly finetuneLearningRate?: number;
  /** What every head with a `pooling` option reads (sequence classification; default: each config's own). */
  readonly pooling?: Pooling;
  /** Fresh pooler weights at the start of every fine-tuning run from a pre-trained encoder (`encoder.reinit_pooler`). Default false. */
  readonly reinitPooler?: boolean;
  /** Fresh weights for the top N layers of a pre-trained encoder at the start of every fine-tuning run (`encoder.reinit_layers`). Default 0. */
  readonly reinitLayers?: number;
  /** Where progress lines go (each pre-training run's lines indented); default none. */
  readonly logger?: Logger;
}

/** One cell of the table: a downstream task's main test metric under one arm. */
export interface TransferCell {
  readonly config: string;
  readonly task: string;
  readonly metric: string;
  readonly arm: TransferArm;
  /** One value per seed, in `seeds` order (fractions). */
  readonly values: readonly number[];
  readonly mean: number;
  /** Sample standard deviation (n − 1); 0 for one seed. */
  readonly std: number;
  /** Fine-tuning seconds per seed. */
  readonly seconds: readonly number[];
}

export interface TransferResult {
  readonly cells: TransferCell[];
  /** Pre-training: arm → { seconds, dev metrics of its last evaluation }. */
  readonly pretraining: Record<string, { seconds: number; reused?: boolean; dev?: Record<string, Record<string, number>> }>;
  readonly table: string;
}

/**
 * Whether `ckpt` holds a finished pre-training run of `config`: its saved training_config.yaml, read
 * with today's defaults for keys added since, is `config`.
 */
function reusable(ckpt: string, config: TrainingConfig): boolean {
  const file = path.join(ckpt, 'training_config.yaml');
  if (!existsSync(file)) return false;
  const saved = parseTrainingConfig(readFileSync(file, 'utf8'), { source: file, checkFiles: false, taskTypes });
  return isDeepStrictEqual(trainingConfigToJson(saved), trainingConfigToJson(config)); // key order aside
}

/** The pre-training config restricted to its language-modelling tasks (those over the vocabulary: masked-LM), same steps and settings. */
export function mlmOnlyConfig(config: TrainingConfig): TrainingConfig {
  const tasks = config.tasks.filter((t) => taskType(t.type).labelSpace === 'vocabulary');
  if (tasks.length === 0) {
    const lm = taskTypes.all.filter((t) => t.labelSpace === 'vocabulary').map((t) => t.kind);
    throw new ConfigError(`the transfer report needs a pre-training config with at least one ${lm.join(' or ')} task`);
  }
  const es = config.training.earlyStopping;
  const keeps = es === null || es.metric === 'average' || tasks.some((t) => es.metric.startsWith(`${t.name}.`));
  return { ...config, tasks, training: { ...config.training, earlyStopping: keeps ? es : null } };
}

/** A downstream config with the report's overrides: steps, learning rate, pooling of the heads whose options have one, fresh pooler. */
export function downstreamConfig(
  base: TrainingConfig,
  options: Omit<TransferOptions, 'pretrain' | 'finetune' | 'seeds' | 'outDir'>,
): TrainingConfig {
  const { finetuneSteps: steps, finetuneLearningRate: lr, pooling, reinitPooler, reinitLayers } = options;
  const training = {
    ...base.training,
    ...(steps === undefined ? {} : { maxSteps: steps, epochs: undefined }),
    ...(lr === undefined ? {} : { learningRate: lr }),
  };
  const tasks =
    pooling === undefined
      ? base.tasks
      : base.tasks.map((t) => (takesOption(t, 'pooling', pooling) ? { ...t, options: { ...t.options, pooling } } : t));
  const pretrained = base.encoder.from !== undefined;
  const encoder = {
    ...base.encoder,
    ...(reinitPooler === true && pretrained ? { reinitPooler } : {}),
    ...((reinitLayers ?? 0) > 0 && pretrained ? { reinitLayers } : {}),
  } as typeof base.encoder;
  return { ...base, encoder, training, tasks };
}

/** Whether task `t`'s type accepts `option` set to `value` beside its other options. */
function takesOption(t: TaskConfig, option: string, value: unknown): boolean {
  const type = taskType(t.type);
  const written = type.configOptions?.(t) ?? t.options ?? {};
  try {
    type.resolveOptions({ ...written, [option]: value });
    return true;
  } catch (e) {
    if (e instanceof ConfigError) return false;
    throw e;
  }
}

/** The markdown table of `cells`: one row per downstream task, one column per arm. */
export function transferTable(cells: readonly TransferCell[], seeds: readonly number[]): string {
  const pct = (x: number) => (100 * x).toFixed(2);
  const rows = [...new Set(cells.map((c) => `${c.task}\u0000${c.metric}`))].map((key) => {
    const [task, metric] = key.split('\u0000') as [string, string];
    const cols = TRANSFER_ARMS.map((arm) => {
      const c = cells.find((x) => x.task === task && x.metric === metric && x.arm === arm);
      return c === undefined ? '–' : `${pct(c.mean)} ± ${pct(c.std)} (${c.values.map(pct).join(', ')})`;
    });
    return `| ${task} | ${metric} | ${cols.join(' | ')} |`;
  });
  return [
    `| task | test metric (%) | ${TRANSFER_ARMS.map((a) => `from ${a}`).join(' | ')} |`,
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `mean ± sample std over seeds ${seeds.join(', ')} (each seed's value in parentheses)`,
  ].join('\n');
}

/**
 * Pre-trains both encoders, fine-tunes every downstream config under every arm and seed, and writes
 * `<outDir>/transfer.json` and `<outDir>/transfer.md`.
 * @throws ConfigError for a pre-training config without masked-LM task, or as `loadFinetuneConfig`.
 */
export async function transferReport(options: TransferOptions): Promise<TransferResult> {
  const logger = options.logger ?? silentLogger;
  const { outDir, seeds } = options;
  if (seeds.length === 0) throw new ConfigError('the transfer report needs at least one seed');
  for (const file of options.finetune) await readFinetuneConfig(file); // a bad downstream config stops the report before pre-training
  mkdirSync(outDir, { recursive: true });
  const checkpoints: Partial<Record<TransferArm, string>> = {};
  const pretraining: TransferResult['pretraining'] = {};
  for (const arm of ['multi-task', 'mlm-only'] as const) {
    const dir = path.join(outDir, `pretrain-${arm}`);
    // MLM-only reads the multi-task run's tokenizer: both encoders (and scratch) share one vocabulary.
    const run =
      arm === 'multi-task'
        ? { ...options.pretrain, outputDir: dir }
        : {
            ...mlmOnlyConfig(options.pretrain),
            outputDir: dir,
            tokenizer: { path: path.join(checkpoints['multi-task']!, 'tokenizer.json') },
          };
    checkpoints[arm] = path.join(dir, 'best');
    if (options.reuse === true && reusable(checkpoints[arm], run)) {
      logger.info(`pre-training (${arm}): reusing ${checkpoints[arm]}, trained with this config`);
      pretraining[arm] = { seconds: NaN, reused: true };
      continue;
    }
    logger.info(`pre-training (${arm}): tasks ${run.tasks.map((t) => t.name).join(', ')} → ${dir}`);
    const r = await train(run, { logger: prefixed(logger, '  '), overwrite: true }); // not reused: trained again
    pretraining[arm] = { seconds: r.trainSeconds, ...(r.dev === undefined ? {} : { dev: r.dev.metrics }) };
  }
  const cells: TransferCell[] = [];
  for (const file of options.finetune) {
    const name = path.basename(file).replace(/\.(?:ya?ml|[cm]?[jt]s)$/, '');
    for (const arm of TRANSFER_ARMS) {
      const init: EncoderInit = arm === 'scratch' ? 'scratch' : 'pretrained';
      const ckpt = checkpoints[arm === 'scratch' ? 'multi-task' : arm] as string; // scratch: the tokenizer and shape only
      const values = new Map<string, { metric: string; values: number[] }>();
      const seconds: number[] = [];
      for (const seed of seeds) {
        const config = {
          ...downstreamConfig(await loadFinetuneConfig(file, ckpt, init), options),
          seed,
          outputDir: path.join(outDir, 'finetune', name, arm, `seed-${seed}`),
        };
        const r = await finetune(config, { overwrite: true }); // a cell of this report: trained again
        seconds.push(r.trainSeconds);
        for (const t of config.tasks) {
          const metric = mainMetricOf(taskType(t.type), t.options ?? {}).name;
          const value = r.test?.metrics[t.name]?.[metric];
          if (value === undefined)
            throw new ConfigError(`${file}: task '${t.name}' has no test data; the transfer report compares test metrics`);
          const entry = values.get(t.name) ?? { metric, values: [] };
          entry.values.push(value);
          values.set(t.name, entry);
        }
        logger.info(
          `fine-tuned ${name} from ${arm}, seed ${seed}: ${[...values].map(([t, v]) => `${t} ${v.metric} ${(100 * v.values.at(-1)!).toFixed(2)}`).join(', ')} (${r.trainSeconds.toFixed(0)} s)`,
        );
      }
      for (const [task, v] of values)
        cells.push({
          config: name,
          task,
          metric: v.metric,
          arm,
          values: v.values,
          mean: mean(v.values),
          std: sampleStd(v.values),
          seconds,
        });
    }
  }
  const table = transferTable(cells, seeds);
  writeFileSync(path.join(outDir, 'transfer.json'), `${JSON.stringify({ seeds, pretraining, cells }, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'transfer.md'), `${table}\n`);
  return { cells, pretraining, table };
}
