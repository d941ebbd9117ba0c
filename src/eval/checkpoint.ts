/**
 * Evaluating a saved checkpoint as the run that wrote it did: the resolved config saved beside it
 * (training_config.yaml) names the data, the tokenizer and task specs come from the checkpoint, and
 * features, batches and metrics are made by the same functions as during training, so `mtl eval`
 * repeats the figures recorded in metrics.jsonl and test_metrics.json exactly. Data given by the
 * caller (./given-data.ts) take the place of the config's, also for Hugging Face task-model folders.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { parseTrainingConfig, trainingConfigToJson, type TrainingConfig } from '../io/config/index.js';
import { appendMetrics, checkpointPaths, loadCheckpoint, type TaskRecord } from '../io/checkpoint.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { Tokenizer } from '../tokenization/index.js';
import { evalBatching, evaluateStreams, type EvalBatching, type EvalOptions, type EvalResult } from './evaluate.js';
import { prepareRun } from '../run/prepare.js';
import { loadModelWeights, modelFromCheckpoint } from '../run/load-model.js';
import type { Stream } from '../run/streams.js';
import type { Split } from '../data/index.js';
import type { Logger } from '../logger.js';
import { taskTypes, type TaskSpec } from '../tasks/index.js';
import { isHfTaskFolder, loadHfTaskFolder } from '../run/hf-task-folder.js';
import { givenDataConfig, type EvalData } from './given-data.js';

export interface CheckpointEvalResult extends EvalResult {
  /** The folder read. */
  readonly checkpoint: string;
  /** The optimizer step the checkpoint was saved at, or null when it has no trainer state (a Hugging Face folder). */
  readonly step: number | null;
}

export interface CheckpointEvalOptions {
  /** The split evaluated (default dev); with `data`, the name the given examples are evaluated under. */
  readonly split?: Split;
  readonly logger?: Logger;
  /** Also each task's detailed report (per-label scores, confusion matrix, curves). */
  readonly report?: boolean;
  /** Evaluate one task on these examples instead of the data of the training config (./given-data.ts). */
  readonly data?: EvalData;
}

/**
 * Evaluates the model folder at `dir` on the `split` data of its training config, or on `options.data`:
 * a checkpoint of ours, or a Hugging Face task-model folder (`…ForSequenceClassification`,
 * `…ForTokenClassification`, …: src/run/hf-task-folder.ts), which has no training config and so needs `data`.
 * @throws ConfigError when neither a training_config.yaml nor `data` says what to evaluate on, or as
 *   `givenDataConfig`; CheckpointError for a missing or inconsistent folder; DataError for unreadable data.
 */
export async function evaluateCheckpoint(dir: string, options: CheckpointEvalOptions = {}): Promise<CheckpointEvalResult> {
  const split = options.split ?? 'dev';
  if (isHfTaskFolder(dir)) {
    if (options.data === undefined) throw new ConfigError(noDataMessage(dir, 'is a Hugging Face task-model folder'));
    const hf = loadHfTaskFolder(dir);
    try {
      const config = givenDataConfig(dir, [hf.record], options.data, split, null, hf.maxLength);
      const result = await evaluateModel(dir, () => hf.model, hf.tokenizer, [hf.record], config, split, options);
      return { checkpoint: path.resolve(dir), step: null, ...result };
    } finally {
      hf.model.dispose();
    }
  }
  const ckpt = loadCheckpoint(dir, { optimizer: false });
  let model: MultiTaskModel | undefined;
  try {
    const source = `${ckpt.dir}/training_config.yaml`;
    const parse = (text: string) => parseTrainingConfig(text, { source, checkFiles: false, taskTypes });
    let config: TrainingConfig;
    if (options.data !== undefined) {
      const saved = ckpt.trainingConfig === null ? null : trainingConfigToJson(parse(ckpt.trainingConfig));
      const maxLength = ckpt.encoderConfig.max_position_embeddings as number;
      config = givenDataConfig(ckpt.dir, ckpt.tasks, options.data, split, saved, maxLength);
    } else if (ckpt.trainingConfig === null) throw new ConfigError(noDataMessage(ckpt.dir, 'has no training_config.yaml'));
    else config = parse(ckpt.trainingConfig);
    const tokenizer = Tokenizer.fromFile(ckpt.tokenizerFile);
    const made = (specs: readonly TaskSpec[]) => (model = modelFromCheckpoint(ckpt, { specs, config }));
    const result = await evaluateModel(ckpt.dir, made, tokenizer, ckpt.tasks, config, split, options);
    return { checkpoint: ckpt.dir, step: ckpt.trainerState?.step ?? null, ...result };
  } finally {
    model?.dispose();
    ckpt.dispose();
  }
}

/** Why a folder cannot be evaluated without data, and how to give them. */
const noDataMessage = (dir: string, what: string) =>
  `${dir} ${what}, so the data to evaluate on are unknown: give them (mtl eval ${dir} --data FILE --format FORMAT ` +
  '[--task NAME]; in a program, evaluateCheckpoint(dir, { data: { file, format } }))';

/**
 * Reads and featurizes the data `config` names, makes the model for the tasks read (`model(specs)`), and evaluates it.
 * @throws ConfigError when no task has `split` data (the folder `dir`'s config names no such file).
 */
async function evaluateModel(
  dir: string,
  model: (specs: readonly TaskSpec[]) => MultiTaskModel,
  tokenizer: Tokenizer,
  records: readonly TaskRecord[],
  config: TrainingConfig,
  split: Split,
  options: CheckpointEvalOptions,
): Promise<EvalResult> {
  const prepared = await prepareRun(config, {
    splits: [split],
    tokenizer,
    records,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  if (prepared.streams.every((s) => (s.splits[split]?.examples.length ?? 0) === 0))
    throw new ConfigError(
      `${dir}: no task has ${split} data (its training config names no data.${split} file${split === 'dev' ? ' nor dev_fraction' : ''}), ` +
        `so nothing was evaluated: choose another --split, or give the data (mtl eval ${dir} --data FILE --format FORMAT [--task NAME])`,
    );
  return evaluateStreams(model(prepared.runs.map((r) => r.spec)), prepared.streams, split, evalBatching(config), {
    report: options.report ?? false,
    tokenizer: prepared.tokenizer,
  });
}

/**
 * At the end of a run: loads `<outputDir>/best` into `model`, evaluates it on the test sets and
 * writes <outputDir>/test_metrics.json (also appended to metrics.jsonl). With `options.shard` (every
 * rank calls it): rank 0 reads the checkpoint and broadcasts its weights, every rank evaluates its
 * share, and rank 0 alone writes.
 * @param step the best checkpoint's step, for the record.
 * @param options the run's tokenizer, for tasks that generate text.
 * @param appendRecord appends the metrics.jsonl record (the trainer's run log, which also tells its callbacks); default appendMetrics.
 * @returns undefined when no task has test data.
 */
export async function testBestCheckpoint(
  model: MultiTaskModel,
  streams: readonly Stream[],
  batching: EvalBatching,
  outputDir: string,
  step: number,
  options: EvalOptions = {},
  appendRecord?: (record: { type: string; step: number } & Record<string, unknown>) => void,
): Promise<EvalResult | undefined> {
  if (!streams.some((s) => s.splits.test !== undefined)) return undefined;
  const paths = checkpointPaths(outputDir);
  const leader = (options.shard?.rank ?? 0) === 0;
  if (leader) {
    const ckpt = loadCheckpoint(paths.best, { optimizer: false });
    try {
      loadModelWeights(model, ckpt);
    } finally {
      ckpt.dispose();
    }
  }
  await options.shard?.broadcastParameters(model.parameters());
  const result = await evaluateStreams(model, streams, 'test', batching, options);
  if (!leader) return result;
  const record = {
    checkpoint: paths.best,
    step,
    metrics: result.metrics,
    losses: result.losses,
    joint: result.joint,
    examples: result.examples,
  };
  writeFileSync(path.join(outputDir, 'test_metrics.json'), `${JSON.stringify(record, null, 2)}\n`);
  (appendRecord ?? ((r) => appendMetrics(paths.metrics, r)))({ type: 'eval', split: 'test', ...record });
  return result;
}
