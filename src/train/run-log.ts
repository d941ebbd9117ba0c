/**
 * A training run's log: the records of metrics.jsonl (`start`, `train`, `eval`, `interrupted`) and
 * the lines a person reads (through the progress reporter: above the bar when there is one). The one
 * place the trainer reports to; every record is appended as soon as it is known, then given to the
 * callbacks' `onLog` (./callbacks.ts; TensorBoard is one).
 */
import { appendMetrics } from '../io/checkpoint.js';
import type { Logger } from '../logger.js';
import type { EvalResult } from '../eval/evaluate.js';
import type { ProgressInfo, ProgressReporter } from './progress.js';
import { describeEval } from './report.js';
import { dispatch, type LogRecord, type TrainerCallback } from './callbacks.js';
import type { ModelSelector } from './selection.js';

/** What the `start` record says of a run (beside the step it starts from). */
export interface RunStart {
  readonly totalSteps: number;
  readonly warmupSteps: number;
  readonly batchesPerEpoch: number;
  readonly parameters: number;
  readonly trainableParameters: number;
  readonly taskSchedule: string;
  readonly weighting: string;
  readonly surgery: string | null;
  readonly streams: readonly string[];
  readonly examples: Readonly<Record<string, unknown>>;
  readonly truncated: unknown;
  readonly skipped: unknown;
}

export class RunLog implements Logger {
  /**
   * @param metricsFile the run's metrics.jsonl (appended to); null: no records (a data-parallel rank other than 0).
   * @param reporter the progress bar or plain lines.
   * @param callbacks told of every record (`onLog`) once it is appended; not called where metricsFile is null.
   */
  constructor(
    readonly metricsFile: string | null,
    readonly reporter: ProgressReporter,
    readonly callbacks: readonly TrainerCallback[] = [],
  ) {}

  /** Appends `record` as it is (the test evaluation of the best checkpoint; gradient-conflict samples). */
  append(record: LogRecord): void {
    this.#append(record);
  }

  #append(record: LogRecord): void {
    if (this.metricsFile === null) return;
    appendMetrics(this.metricsFile, record);
    dispatch(this.callbacks, 'onLog', record);
  }

  /** A line for the person watching. */
  info(text: string): void {
    this.reporter.info(text);
  }

  /** The run starts (or resumes) at `step`. */
  start(step: number, run: RunStart): void {
    this.#append({
      type: 'start',
      step,
      total_steps: run.totalSteps,
      warmup_steps: run.warmupSteps,
      batches_per_epoch: run.batchesPerEpoch,
      parameters: run.parameters,
      trainable_parameters: run.trainableParameters,
      task_schedule: run.taskSchedule,
      weighting: run.weighting,
      surgery: run.surgery,
      streams: [...run.streams],
      examples: run.examples,
      truncated: run.truncated,
      skipped: run.skipped,
    });
  }

  /** A step was taken: the progress display, and every `logNow` step a `train` record of the window's means. */
  step(info: ProgressInfo, logNow: boolean, taskWeights: Readonly<Record<string, number>>): void {
    this.reporter.update(info, logNow);
    if (!logNow) return;
    this.#append({
      type: 'train',
      step: info.step,
      epoch: info.epoch,
      learning_rate: info.lr,
      loss: info.loss,
      task_losses: { ...info.taskLosses },
      task_weights: { ...taskWeights },
      examples_per_second: info.examplesPerSecond,
      tokens_per_second: info.tokensPerSecond,
      elapsed_seconds: info.elapsedSeconds,
      ...(info.lossScale === undefined ? {} : { loss_scale: info.lossScale, skipped_steps: info.skippedSteps ?? 0 }),
    });
  }

  /** A dev evaluation at `step`, with the selection it fed. */
  eval(step: number, epoch: number, result: EvalResult, selector: ModelSelector, value: number, improved: boolean): void {
    const metric = selector.metric;
    this.#append({
      type: 'eval',
      split: 'dev',
      step,
      epoch,
      metrics: result.metrics,
      losses: result.losses,
      joint: result.joint,
      selection: { metric, value, best: selector.best, best_step: selector.bestStep, improved },
      examples: result.examples,
      seconds: result.seconds,
    });
    this.info(describeEval(step, result, metric, value, selector, improved));
  }

  /** The run stopped at `step` for `reason` (a signal or an abort). */
  interrupted(step: number, reason: string): void {
    this.#append({ type: 'interrupted', step, reason });
  }

  stop(): void {
    this.reporter.stop();
  }
}
