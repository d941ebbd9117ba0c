/**
 * The transfer report (`mtl transfer`): does multi-task pre-training help a new task? One pre-training
 * config is trained twice — as written (every objective: MLM, supervised tasks, link prediction) and
 * with its self-supervised tasks only (masked LM, replaced-token detection, …), for the same number of
 * steps and with the first run's tokenizer — and each downstream config is then fine-tuned, with the
 * same budget and seeds, from the multi-task encoder, from the self-supervised encoder, and from scratch
 * (same architecture and tokenizer, fresh weights). The table gives each downstream task's main test
 * metric (best dev checkpoint; the last one when there is no dev set) as mean ± sample standard
 * deviation over seeds, with every seed's value.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../errors.js';
import { parseTrainingConfig, trainingConfigToJson, type TaskConfig, type TrainingConfig } from '../io/config/index.js';
import { isSelfSupervised, mainMetricOf, taskType, taskTypes, type Pooling } from '../tasks/index.js';
import { finetune, loadFinetuneConfig, readFinetuneConfig, type EncoderInit } from '../train/finetune.js';
import { train } from '../train/trainer.js';
import { prefixed, silentLogger, type Logger } from '../logger.js';
import { TRANSFER_ARMS, transferCell, transferTable, type TransferArm, type TransferCell } from './transfer-table.js';

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
   * is this run's (an interrupted report continues without pre-training again), and every fine-tuning run
   * already finished in `<outDir>/finetune/…` with this run's config (see `finetuneOnce`). Default false.
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
  /**
   * Pre-train this arm only and return without fine-tuning (`cells` empty): the two pre-training runs
   * as separate processes, then the report with `reuse`. The self-supervised arm reads the multi-task arm's
   * tokenizer, `<outDir>/pretrain-multi-task/best/tokenizer.json`, which must exist then.
   */
  readonly pretrainOnly?: PretrainArm;
  /** Where progress lines go (each pre-training run's lines indented); default none. */
  readonly logger?: Logger;
}

/**
 * The pre-trained encoders, in training order: the config as written, and its self-supervised tasks
 * only (`selfSupervisedConfig`; named 'mlm-only' before it kept replaced-token detection too).
 */
export const PRETRAIN_ARMS = ['multi-task', 'self-supervised'] as const;
export type PretrainArm = (typeof PRETRAIN_ARMS)[number];

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

/**
 * The pre-training config restricted to its self-supervised tasks (those whose type learns from unlabelled
 * text alone, `isSelfSupervised`: masked LM, replaced-token detection as in ELECTRA, Clark et al., ICLR
 * 2020, …), same steps and settings. A `fixed` sampler keeps the probabilities of those tasks only (the
 * sampler normalises them: the kept tasks keep their ratios and get every step).
 * @throws ConfigError when the config has no self-supervised task.
 */
export function selfSupervisedConfig(config: TrainingConfig): TrainingConfig {
  const tasks = config.tasks.filter((t) => isSelfSupervised(taskType(t.type)));
  if (tasks.length === 0) {
    const kinds = taskTypes.all.filter(isSelfSupervised).map((t) => t.kind);
    throw new ConfigError(
      `the transfer report needs a pre-training config with at least one self-supervised task (${kinds.join(', ')}), got ${config.tasks.map((t) => t.type).join(', ')}`,
    );
  }
  const es = config.training.earlyStopping;
  const keeps = es === null || es.metric === 'average' || tasks.some((t) => es.metric.startsWith(`${t.name}.`));
  const { sampler } = config.training;
  const probabilities = sampler.probabilities;
  const kept =
    probabilities === undefined
      ? sampler
      : { ...sampler, probabilities: Object.fromEntries(tasks.map((t) => [t.name, probabilities[t.name] ?? 0])) };
  return { ...config, tasks, training: { ...config.training, sampler: kept, earlyStopping: keeps ? es : null } };
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

/**
 * One fine-tuning run of the report: its test metrics (task → metric → value) and training seconds. With
 * `reuse`, a finished run of the same config already in its output folder (test_metrics.json beside a `last/`
 * whose training_config.yaml is `config`) is read instead of trained again (seconds NaN): the fine-tuning
 * configs split over parallel processes, then the whole report with `reuse`.
 */
async function finetuneOnce(
  config: TrainingConfig,
  reuse: boolean,
): Promise<{ test: Record<string, Record<string, number>> | undefined; seconds: number }> {
  const saved = path.join(config.outputDir, 'test_metrics.json');
  if (reuse && existsSync(saved) && reusable(path.join(config.outputDir, 'last'), config)) {
    const test = (JSON.parse(readFileSync(saved, 'utf8')) as { metrics: Record<string, Record<string, number>> }).metrics;
    return { test, seconds: NaN };
  }
  const r = await finetune(config, { overwrite: true }); // a cell of this report: trained again
  return { test: r.test?.metrics, seconds: r.trainSeconds };
}

/** The multi-task arm's tokenizer in its checkpoint `ckpt`, which the self-supervised arm reads. @throws ConfigError when it is not there. */
function multiTaskTokenizer(ckpt: string): string {
  const file = path.join(ckpt, 'tokenizer.json');
  if (!existsSync(file))
    throw new ConfigError(
      `the self-supervised arm reads the multi-task arm's tokenizer, ${file}, which does not exist: pre-train the multi-task arm first (or place its tokenizer there)`,
    );
  return file;
}

/**
 * Pre-trains both encoders, fine-tunes every downstream config under every arm and seed, and writes
 * `<outDir>/transfer.json` and `<outDir>/transfer.md`.
 * @throws ConfigError for a pre-training config without self-supervised task, or as `loadFinetuneConfig`.
 */
export async function transferReport(options: TransferOptions): Promise<TransferResult> {
  const logger = options.logger ?? silentLogger;
  const { outDir, seeds } = options;
  if (seeds.length === 0) throw new ConfigError('the transfer report needs at least one seed');
  for (const file of options.finetune) await readFinetuneConfig(file); // a bad downstream config stops the report before pre-training
  mkdirSync(outDir, { recursive: true });
  const checkpoints: Partial<Record<TransferArm, string>> = {};
  const pretraining: TransferResult['pretraining'] = {};
  for (const arm of PRETRAIN_ARMS) {
    const dir = path.join(outDir, `pretrain-${arm}`);
    checkpoints[arm] = path.join(dir, 'best');
    if (options.pretrainOnly !== undefined && options.pretrainOnly !== arm) continue;
    // The self-supervised arm reads the multi-task run's tokenizer: both encoders (and scratch) share one vocabulary.
    const run =
      arm === 'multi-task'
        ? { ...options.pretrain, outputDir: dir }
        : {
            ...selfSupervisedConfig(options.pretrain),
            outputDir: dir,
            tokenizer: { path: multiTaskTokenizer(checkpoints['multi-task']!) },
          };
    if (options.reuse === true && reusable(checkpoints[arm], run)) {
      logger.info(`pre-training (${arm}): reusing ${checkpoints[arm]}, trained with this config`);
      pretraining[arm] = { seconds: NaN, reused: true };
      continue;
    }
    logger.info(`pre-training (${arm}): tasks ${run.tasks.map((t) => t.name).join(', ')} → ${dir}`);
    const r = await train(run, { logger: prefixed(logger, '  '), overwrite: true }); // not reused: trained again
    pretraining[arm] = { seconds: r.trainSeconds, ...(r.dev === undefined ? {} : { dev: r.dev.metrics }) };
  }
  if (options.pretrainOnly !== undefined) return { cells: [], pretraining, table: '' };
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
        const r = await finetuneOnce(config, options.reuse === true);
        seconds.push(r.seconds);
        for (const t of config.tasks) {
          const metric = mainMetricOf(taskType(t.type), t.options ?? {}).name;
          const value = r.test?.[t.name]?.[metric];
          if (value === undefined)
            throw new ConfigError(`${file}: task '${t.name}' has no test data; the transfer report compares test metrics`);
          const entry = values.get(t.name) ?? { metric, values: [] };
          entry.values.push(value);
          values.set(t.name, entry);
        }
        logger.info(
          `fine-tuned ${name} from ${arm}, seed ${seed}: ${[...values].map(([t, v]) => `${t} ${v.metric} ${(100 * v.values.at(-1)!).toFixed(2)}`).join(', ')} (${Number.isNaN(r.seconds) ? 'reused' : `${r.seconds.toFixed(0)} s`})`,
        );
      }
      for (const [task, v] of values) cells.push(transferCell({ config: name, task, metric: v.metric, seconds }, arm, v.values));
    }
  }
  const table = transferTable(cells, seeds);
  writeFileSync(path.join(outDir, 'transfer.json'), `${JSON.stringify({ seeds, pretraining, cells }, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'transfer.md'), `${table}\n`);
  return { cells, pretraining, table };
}
