/**
 * The trainer's options and result, and how a config's schedule settings resolve into steps.
 */
import type { DataParallel } from '../distributed/data-parallel.js';
import type { TrainingConfig } from '../io/config/index.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import type { EvalResult } from '../eval/evaluate.js';
import type { PreparedRun } from '../run/prepare.js';
import type { ProgressInfo } from './progress.js';
import type { ScheduleSpec } from '../optim/schedules.js';
import type { Logger } from '../logger.js';
import type { TrainerCallback } from './callbacks.js';

export interface TrainOptions {
  /** Continue from `<output_dir>/last` (model, optimizer, step, sampler, batchers, selection). */
  readonly resume?: boolean;
  /**
   * Start a new run in an output folder that holds one (its best/ and last/ are removed once the new run
   * has saved its first checkpoint). Without it (or `resume`) such a folder is a ConfigError. Default false.
   */
  readonly overwrite?: boolean;
  /** Where log lines go (data, evaluations, checkpoints; progress lines when there is no bar): `console`, or none. */
  readonly logger?: Logger;
  /** Hooks called on the log's records, evaluations and saves (./callbacks.ts), before those `training.report_to` adds. */
  readonly callbacks?: readonly TrainerCallback[];
  /** Called after every optimizer step. */
  readonly onProgress?: (p: ProgressInfo) => void;
  /** Draw a live progress bar on stdout (the CLI turns it on when stdout is a terminal). */
  readonly progressBar?: boolean;
  /** Stops the run after the current step, saving `last/`. */
  readonly signal?: AbortSignal;
  /**
   * Pause once this many optimizer steps are done: evaluate on dev there (unless just done), save
   * `last/` and return with status 'paused', to be continued with `resume`. The run's learning-rate
   * schedule stays that of all its steps (a sweep's early-stopped trials train on the full schedule's prefix).
   */
  readonly stopAtStep?: number;
  /** Stop cleanly on SIGINT/SIGTERM (the CLI turns it on). Default false. */
  readonly handleSignals?: boolean;
  /**
   * Train as one rank of a data-parallel run (the process group is the caller's): rank 0's weights are
   * broadcast at the start, gradients averaged over the ranks, every rank evaluates its share of the
   * dev and test batches (src/eval/shard.ts), and rank 0 alone writes the output folder and the log. Undefined: a single-process run.
   */
  readonly dataParallel?: DataParallel;
  /** Changes the model once it is built (and its weights loaded), before the optimizer sees it: fine-tuning freezes parameters here. */
  readonly adaptModel?: (model: MultiTaskModel) => void;
}

export interface TrainResult {
  /** 'paused': stopped at `stopAtStep`, before the planned steps were done. */
  readonly status: 'completed' | 'early-stopped' | 'interrupted' | 'paused';
  readonly outputDir: string;
  /** Optimizer steps done, and planned. */
  readonly step: number;
  readonly totalSteps: number;
  readonly bestStep: number | null;
  readonly bestMetric: { readonly name: string; readonly value: number | null };
  /** The last dev evaluation; the test evaluation of the best checkpoint (when there are test sets and the run finished). */
  readonly dev?: EvalResult;
  readonly test?: EvalResult;
  readonly truncated: PreparedRun['truncated'];
  readonly skipped: PreparedRun['skipped'];
  /** Scalars of the model, and those trained (adapters, heads, … under PEFT; all otherwise). */
  readonly parameters: number;
  readonly trainableParameters: number;
  /** Seconds of training steps in this process (evaluation and saving excluded), and throughput over them. */
  readonly trainSeconds: number;
  /** Task name → training examples it was trained on in this process (a resumed run counts from the resume; a data-parallel rank, its share). */
  readonly examplesPerTask: Readonly<Record<string, number>>;
  readonly examplesPerSecond: number;
  readonly tokensPerSecond: number;
}

/** The schedule of the config, with steps resolved. */
export function scheduleOf(config: TrainingConfig, totalSteps: number): ScheduleSpec & { warmupSteps: number } {
  const t = config.training;
  const warmupSteps = t.warmupSteps ?? Math.round((t.warmupRatio ?? 0) * totalSteps);
  if (t.schedule === 'constant')
    return warmupSteps > 0 ? { kind: 'constant_with_warmup', warmupSteps } : { kind: 'constant', warmupSteps: 0 };
  return { kind: t.schedule, warmupSteps, totalSteps };
}
