/**
 * Evaluating a saved checkpoint as the run that wrote it did: the resolved config saved beside it
 * (training_config.yaml) names the data, the tokenizer and task specs come from the checkpoint, and
 * features, batches and metrics are made by the same functions as during training, so `mtl eval`
 * repeats the figures recorded in metrics.jsonl and test_metrics.json exactly.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError } from '../errors.js';
import { parseTrainingConfig } from '../io/config/index.js';
import { appendMetrics, checkpointPaths, loadCheckpoint } from '../io/checkpoint.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { Tokenizer } from '../tokenization/index.js';
import { evalBatching, evaluateStreams, type EvalBatching, type EvalOptions, type EvalResult } from './evaluate.js';
import { prepareRun } from '../run/prepare.js';
import { loadModelWeights, modelFromCheckpoint } from '../run/load-model.js';
import type { Stream } from '../run/streams.js';
import type { Split } from '../data/index.js';
import type { Logger } from '../logger.js';
import { taskTypes } from '../tasks/index.js';

export interface CheckpointEvalResult extends EvalResult {
  /** The folder read. */
  readonly checkpoint: string;
  /** The optimizer step the checkpoint was saved at, or null when it has no trainer state. */
  readonly step: number | null;
}

/**
 * Evaluates the checkpoint at `dir` on the `split` data of its training config.
 * @throws CheckpointError when the checkpoint has no training_config.yaml or is inconsistent; DataError for unreadable data.
 */
export async function evaluateCheckpoint(
  dir: string,
  options: { split?: Split; logger?: Logger; report?: boolean } = {},
): Promise<CheckpointEvalResult> {
  const split = options.split ?? 'dev';
  const ckpt = loadCheckpoint(dir, { optimizer: false });
  let model: MultiTaskModel | undefined;
  try {
    if (ckpt.trainingConfig === null) {
      throw new CheckpointError(`${ckpt.dir} has no training_config.yaml, so the data to evaluate on are unknown`);
    }
    const config = parseTrainingConfig(ckpt.trainingConfig, { source: `${ckpt.dir}/training_config.yaml`, checkFiles: false, taskTypes });
    const tokenizer = Tokenizer.fromFile(ckpt.tokenizerFile);
    const prepared = await prepareRun(config, {
      splits: [split],
      tokenizer,
      records: ckpt.tasks,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    model = modelFromCheckpoint(ckpt, { specs: prepared.runs.map((r) => r.spec), config });
    const result = await evaluateStreams(model, prepared.streams, split, evalBatching(config), {
      report: options.report ?? false,
      tokenizer: prepared.tokenizer,
    });
    return { checkpoint: ckpt.dir, step: ckpt.trainerState?.step ?? null, ...result };
  } finally {
    model?.dispose();
    ckpt.dispose();
  }
}

/**
 * At the end of a run: loads `<outputDir>/best` into `model`, evaluates it on the test sets and
 * writes <outputDir>/test_metrics.json (also appended to metrics.jsonl).
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
  const ckpt = loadCheckpoint(paths.best, { optimizer: false });
  try {
    loadModelWeights(model, ckpt);
  } finally {
    ckpt.dispose();
  }
  const result = await evaluateStreams(model, streams, 'test', batching, options);
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
