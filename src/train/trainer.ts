/**
 * The training loop of a multi-task model, from one resolved config: `train(config)`.
 *
 * The run is set up (./setup.ts: data, model, and on resume the checkpoint), then optimizer steps are
 * taken (./step.ts) until the planned number is done. Every `eval_every` steps (and at the end) the
 * dev sets are evaluated without dropout or gradients, a record goes to metrics.jsonl (./run-log.ts),
 * `last/` is replaced atomically, and `best/` too when the selection metric improved; early stopping
 * ends the run after `patience` evaluations without improvement. Finally the best checkpoint is
 * evaluated on the test sets (<output_dir>/test_metrics.json). What `--resume` restores, and how
 * dropout stays reproducible across a resume, is described in src/run/checkpoint.ts.
 *
 * In a data-parallel run (`options.dataParallel`) every rank runs this loop on its share of the data
 * (./step.ts averages the gradients) and its share of each evaluation's batches (src/eval/shard.ts:
 * the metrics are a single process's); the leader, rank 0, alone writes the output folder and the log,
 * and its decision to stop early reaches the others; a stop signal on any rank stops all after
 * the same step.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { DataParallel } from '../distributed/data-parallel.js';
import { trainingConfigToYaml, type TrainingConfig } from '../io/config/index.js';
import { checkpointPaths, copyCheckpoint, type LoadedCheckpoint, type TrainerState } from '../io/checkpoint.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { gradScalerStateFromJson } from '../optim/grad-scaler.js';
import { parameterSummary, countParameters } from '../mtl/peft/index.js';
import { taskRecord } from '../run/build.js';
import { checkTrainingDevice } from '../run/device.js';
import { saveRunCheckpoint } from '../run/checkpoint.js';
import { claimOutputFolder, removeEarlierRun } from '../run/output-folder.js';
import type { PreparedRun } from '../run/prepare.js';
import { splitCounts } from '../data/task-data-report.js';
import { evaluateStreams, headOf, selectionValue, type EvalOptions, type EvalResult } from '../eval/evaluate.js';
import { testBestCheckpoint } from '../eval/checkpoint.js';
import { ProgressReporter, type ProgressInfo } from './progress.js';
import { describeEval } from './report.js';
import { RunLog } from './run-log.js';
import { silentLogger } from '../logger.js';
import { restoreRunState, runState } from './run-state.js';
import { setUpRun } from './setup.js';
import { InterruptWatch, yieldToEventLoop } from './signals.js';
import { trainStep } from './step.js';
import { checkMetaRun, metaStep } from './meta-step.js';
import { strategyLine } from './strategy-line.js';
import { loopParts, type LoopParts } from './components.js';
import { optimizerClassName } from '../optim/create.js';
import { dispatch, type SaveEvent, type TrainerCallback } from './callbacks.js';
import { TensorBoardCallback } from './tensorboard-callback.js';
import { sampleGradientConflicts } from './conflict-probe.js';
import { numberedCheckpoint, rotateCheckpoints } from '../run/checkpoint-rotation.js';
import type { TrainOptions, TrainResult } from './trainer-options.js';
import type { Ewc } from './ewc.js';

export type { TrainOptions, TrainResult } from './trainer-options.js';

/** The run's callbacks: the caller's, then those `training.report_to` asks for. */
function runCallbacks(config: TrainingConfig, options: TrainOptions): TrainerCallback[] {
  const reportTo = config.training.reportTo;
  return [...(options.callbacks ?? []), ...(reportTo.includes('tensorboard') ? [TensorBoardCallback.forRun(config.outputDir)] : [])];
}

/** Trains as `config` says (see the file comment). */
export async function train(config: TrainingConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const trainer = await Trainer.create(config, options);
  try {
    return await trainer.run();
  } finally {
    trainer.dispose();
  }
}

class Trainer {
  readonly #config: TrainingConfig;
  readonly #options: TrainOptions;
  readonly #runLog: RunLog;
  readonly #prepared: PreparedRun;
  readonly #model: MultiTaskModel;
  readonly #paths: ReturnType<typeof checkpointPaths>;
  readonly #parts: LoopParts;
  readonly #dp: DataParallel | undefined;
  readonly #ewc: Ewc | undefined;
  /** Whether this process writes the output folder and the log: rank 0, or the only process. */
  readonly #leader: boolean;
  readonly #callbacks: readonly TrainerCallback[];
  readonly totalSteps: number;
  #step = 0;
  /** An earlier run's checkpoints (--overwrite) that go once this run has saved its first. */
  #replacing: string[] = [];
  /** The numbered checkpoints (save_steps) this session has written: an --overwrite keeps them when it clears the earlier run's. */
  #numbered: number[] = [];
  #lastEvalStep = -1;
  #lastDev: EvalResult | undefined;
  #sessionSeconds = 0;
  #sessionSteps = 0;
  #sessionExamples = 0;
  readonly #sessionTaskExamples = new Map<string, number>();
  #sessionTokens = 0;

  private constructor(
    config: TrainingConfig,
    options: TrainOptions,
    runLog: RunLog,
    prepared: PreparedRun,
    model: MultiTaskModel,
    ewc: Ewc | undefined,
  ) {
    this.#config = config;
    this.#options = options;
    this.#runLog = runLog;
    this.#prepared = prepared;
    this.#model = model;
    this.#paths = checkpointPaths(config.outputDir);
    this.#dp = options.dataParallel;
    this.#leader = this.#dp?.isLeader ?? true;
    this.#ewc = ewc;
    this.#parts = loopParts(config, prepared, model, this.#dp, ewc);
    if (config.training.meta !== null) checkMetaRun(this.#parts);
    this.totalSteps = this.#parts.totalSteps;
    this.#callbacks = runLog.callbacks;
  }

  /** Reads and prepares everything, builds or restores the model and optimizer; nothing is trained yet. */
  static async create(config: TrainingConfig, options: TrainOptions): Promise<Trainer> {
    checkTrainingDevice(config);
    const leader = options.dataParallel?.isLeader ?? true;
    const earlier = leader ? claimOutputFolder(config.outputDir, options) : [];
    const reporter = new ProgressReporter({ bar: leader && (options.progressBar ?? false), logger: options.logger ?? silentLogger });
    const runLog = new RunLog(leader ? checkpointPaths(config.outputDir).metrics : null, reporter, runCallbacks(config, options));
    const { prepared, model, checkpoint, ewc } = await setUpRun(config, options, runLog);
    let trainer: Trainer | undefined;
    try {
      trainer = new Trainer(config, options, runLog, prepared, model, ewc);
      await trainer.#preflight();
      if (checkpoint !== undefined) await trainer.#restore(checkpoint);
      else trainer.#startFresh(earlier);
      await options.dataParallel?.broadcastParameters([...model.parameters(), ...trainer.#parts.strategy.parameters()]);
      return trainer;
    } catch (e) {
      if (trainer !== undefined) trainer.dispose();
      else {
        model.dispose();
        ewc?.dispose();
      }
      throw e;
    } finally {
      checkpoint?.dispose();
    }
  }

  /** Runs the evaluation path on a few dev examples, so a bad selection metric stops the run before training. */
  async #preflight(): Promise<void> {
    const heads = this.#prepared.streams.map((s) => ({ ...s, splits: s.splits.dev === undefined ? {} : { dev: headOf(s.splits.dev, 8) } }));
    if (!heads.some((s) => s.splits.dev !== undefined)) return;
    const result = await evaluateStreams(this.#model, heads, 'dev', this.#parts.batching, { tokenizer: this.#prepared.tokenizer });
    selectionValue(result, this.#parts.selector.metric, this.#prepared.streams);
  }

  /** A new run; `earlier`: the checkpoints of the run it replaces (--overwrite), kept until it saves its first. */
  #startFresh(earlier: string[]): void {
    if (!this.#leader) return;
    const dir = this.#config.outputDir;
    mkdirSync(dir, { recursive: true });
    if (earlier.length === 0) removeEarlierRun(dir);
    else
      this.#runLog.info(
        `--overwrite: the earlier run's ${earlier.join('/ and ')}/ in ${dir} are removed once this run has saved its first checkpoint`,
      );
    this.#replacing = earlier;
    writeFileSync(this.#paths.metrics, '');
    this.#appendStart(0);
  }

  async #restore(ckpt: LoadedCheckpoint): Promise<void> {
    const { optimizer, sampler, streams, selector } = this.#parts;
    const restored = await restoreRunState(
      ckpt,
      { optimizer, sampler, streams, selector },
      { totalSteps: this.totalSteps, microBatchesPerStep: this.#config.training.gradientAccumulationSteps },
    );
    this.#parts.strategy.restore(ckpt.trainerState?.strategy);
    this.#restoreScaler(ckpt);
    this.#step = restored.step;
    this.#lastEvalStep = restored.lastEvalStep;
    if (this.#leader) {
      mkdirSync(this.#config.outputDir, { recursive: true });
      writeFileSync(this.#paths.metrics, ckpt.metrics.map((r) => `${JSON.stringify(r)}\n`).join(''));
    }
    this.#runLog.info(`resumed from ${ckpt.dir} at step ${restored.step} of ${this.totalSteps}`);
    this.#appendStart(restored.step);
  }

  /** The loss scaler's scale and growth tracker from the checkpoint (a checkpoint without them: the scaler starts afresh, said in the log). */
  #restoreScaler(ckpt: LoadedCheckpoint): void {
    const scaler = this.#parts.scaler;
    if (scaler === undefined) return;
    const saved = ckpt.trainerState?.gradScaler;
    if (saved === null || saved === undefined) {
      this.#runLog.info(`${ckpt.dir} has no loss-scaler state: the scale starts at ${scaler.scale}`);
      return;
    }
    scaler.loadState(gradScalerStateFromJson(saved, ckpt.dir));
  }

  #appendStart(fromStep: number): void {
    const p = this.#prepared;
    const t = this.#config.training;
    const surgery = this.#parts.strategy.surgery;
    this.#runLog.start(fromStep, {
      totalSteps: this.totalSteps,
      warmupSteps: this.#parts.scheduleSpec.warmupSteps,
      batchesPerEpoch: this.#parts.batchesPerEpoch,
      parameters: this.#model.numParameters(),
      trainableParameters: countParameters(this.#model).trainable,
      taskSchedule: t.taskSchedule,
      weighting: this.#parts.strategy.weighting.method,
      surgery: surgery?.method ?? null,
      streams: p.streams.map((s) => s.name),
      examples: Object.fromEntries(p.data.map((d) => [d.task.name, splitCounts(d)])),
      truncated: p.truncated,
      skipped: p.skipped,
    });
    const surgeryParts = surgery === undefined ? {} : { surgery: { method: surgery.method, parameters: this.#parts.strategy.surgerySize } };
    this.#runLog.info(strategyLine(t, { samplerKind: this.#parts.sampler.kind, ...surgeryParts }));
    this.#runLog.info(
      `model: ${this.#model.numParameters().toLocaleString('en-US')} parameters, ${parameterSummary(this.#model)}; ` +
        `${optimizerClassName(t.optimizer)}, ${this.totalSteps} steps ` +
        `(${this.#parts.batchesPerEpoch} batches per epoch, warm-up ${this.#parts.scheduleSpec.warmupSteps}); output in ${this.#config.outputDir}`,
    );
  }

  /** The loop; returns when the steps are done, early stopping ends it, or an interrupt arrives. */
  async run(): Promise<TrainResult> {
    using watch = new InterruptWatch({
      ...(this.#options.signal === undefined ? {} : { signal: this.#options.signal }),
      processSignals: this.#options.handleSignals ?? false,
    });
    const evalEvery = this.#config.training.evalEvery;
    let status: TrainResult['status'] = 'completed';
    const pauseAt = this.#options.stopAtStep ?? Infinity;
    while (this.#step < this.totalSteps) {
      if (this.#step >= pauseAt) {
        status = 'paused';
        break;
      }
      if (await this.#stopRequested(watch.reason !== undefined)) {
        status = 'interrupted';
        break;
      }
      await this.#trainStep();
      this.#sampleConflicts();
      const stop = this.#step % evalEvery === 0 && (await this.#evaluateAndSave());
      this.#saveNumbered();
      if (stop) {
        status = 'early-stopped';
        break;
      }
      await yieldToEventLoop();
    }
    if (status === 'interrupted') return this.#interrupted(watch.reason ?? 'interrupted');
    if (this.#lastEvalStep !== this.#step && (await this.#evaluateAndSave())) status = 'early-stopped';
    this.#runLog.stop();
    if (status === 'paused') {
      this.#runLog.info(`paused at step ${this.#step} of ${this.totalSteps}; saved ${this.#paths.last} (continue with --resume)`);
      return this.#result('paused', undefined);
    }
    if (status === 'early-stopped')
      this.#runLog.info(
        `early stopping at step ${this.#step}: no improvement of ${this.#parts.selector.metric} for ${this.#parts.selector.patience} evaluations`,
      );
    return this.#result(status, await this.#testBest());
  }

  /** Whether to stop before the next step: `here` (a signal to this process), or on any rank. */
  async #stopRequested(here: boolean): Promise<boolean> {
    return this.#dp === undefined ? here : this.#dp.anyRank(here);
  }

  /** One optimizer step (./step.ts), then its progress reported. */
  async #trainStep(): Promise<void> {
    const meta = this.#config.training.meta;
    const stats = meta === null ? await trainStep(this.#parts, this.#step) : await metaStep(this.#parts, this.#step, meta);
    this.#step++;
    this.#sessionSeconds += stats.seconds;
    this.#sessionSteps++;
    this.#sessionExamples += stats.examples;
    for (const [task, n] of stats.taskExamples) this.#sessionTaskExamples.set(task, (this.#sessionTaskExamples.get(task) ?? 0) + n);
    this.#sessionTokens += stats.tokens;
    const scaler = this.#parts.scaler;
    const window = this.#parts.window;
    const info: ProgressInfo = {
      step: this.#step,
      totalSteps: this.totalSteps,
      epoch: this.#epoch(),
      lr: this.#parts.optimizer.logLr(0),
      elapsedSeconds: this.#sessionSeconds,
      etaSeconds: (this.#sessionSeconds / this.#sessionSteps) * (this.totalSteps - this.#step),
      ...window.means(),
      ...(scaler === undefined ? {} : { lossScale: scaler.scale, skippedSteps: window.skippedSteps }),
    };
    const logNow = this.#step % this.#config.training.logEvery === 0;
    this.#runLog.step(info, logNow, this.#parts.strategy.taskWeights());
    this.#options.onProgress?.(info);
    if (logNow) window.reset();
  }

  /** Passes over the training data: micro-batches drawn / batches in an epoch of every stream. */
  #epoch(): number {
    return (this.#step * this.#config.training.gradientAccumulationSteps) / this.#parts.batchesPerEpoch;
  }

  /**
   * Evaluates on dev (when there is dev data; in a data-parallel run every rank its share of the
   * batches, src/eval/shard.ts); the leader records, saves last/ (and best/); returns whether to stop
   * early, which the other ranks learn from it.
   */
  async #evaluateAndSave(): Promise<boolean> {
    this.#lastEvalStep = this.#step;
    const hasDev = this.#prepared.streams.some((s) => s.splits.dev !== undefined);
    const result = hasDev
      ? await evaluateStreams(this.#model, this.#prepared.streams, 'dev', this.#parts.batching, this.#evalOptions())
      : undefined;
    if (!this.#leader) return (this.#dp as DataParallel).fromLeader(false);
    const stop = this.#recordAndSave(result);
    return this.#dp === undefined ? stop : this.#dp.fromLeader(stop);
  }

  /** What evaluations are given: the tokenizer, and the ranks to share the batches with. */
  #evalOptions(): EvalOptions {
    return { tokenizer: this.#prepared.tokenizer, ...(this.#dp === undefined ? {} : { shard: this.#dp }) };
  }

  /** The leader's part: records the dev result (none without dev data), saves last/ and, when it improved, best/. */
  #recordAndSave(result: EvalResult | undefined): boolean {
    if (result === undefined) {
      this.#save();
      return false;
    }
    this.#lastDev = result;
    const value = selectionValue(result, this.#parts.selector.metric, this.#prepared.streams);
    const { improved, stop } = this.#parts.selector.update(value, this.#step);
    this.#runLog.eval(this.#step, this.#epoch(), result, this.#parts.selector, value, improved);
    dispatch(this.#callbacks, 'onEvaluate', {
      step: this.#step,
      epoch: this.#epoch(),
      result,
      metric: this.#parts.selector.metric,
      value,
      improved,
    });
    this.#save();
    if (improved) {
      copyCheckpoint(this.#paths.last, this.#paths.best);
      dispatch(this.#callbacks, 'onSave', { step: this.#step, dir: this.#paths.best, kind: 'best' });
    }
    return stop;
  }

  #trainerState(): TrainerState {
    const parts = { sampler: this.#parts.sampler, streams: this.#parts.streams, selector: this.#parts.selector };
    return runState(
      { ...parts, strategy: this.#parts.strategy, scaler: this.#parts.scaler },
      { step: this.#step, epoch: this.#epoch(), seed: this.#config.seed, lastEvalStep: this.#lastEvalStep },
      {
        ...this.#parts.scheduleSpec,
        microBatchesPerStep: this.#config.training.gradientAccumulationSteps,
      },
    );
  }

  /** `training.gradient_conflict_every`: the tasks' gradient conflicts on the shared backbone, into the log (./conflict-probe.ts). */
  #sampleConflicts(): void {
    const every = this.#config.training.gradientConflictEvery;
    if (!this.#leader || every === null || this.#step % every !== 0) return;
    const sample = sampleGradientConflicts(this.#model, this.#prepared.streams, this.#config.training.batchSize);
    if (sample !== undefined) this.#runLog.append({ type: 'conflict', step: this.#step, every, ...sample });
  }

  /** `training.save_steps`: at every multiple, checkpoint-<step>/, then `save_total_limit`'s rotation. */
  #saveNumbered(): void {
    const { saveSteps, saveTotalLimit } = this.#config.training;
    if (!this.#leader || saveSteps === null || this.#step % saveSteps !== 0) return;
    this.#save(numberedCheckpoint(this.#config.outputDir, this.#step), 'numbered');
    this.#numbered.push(this.#step);
    if (saveTotalLimit !== null) rotateCheckpoints(this.#config.outputDir, saveTotalLimit, this.#parts.selector.bestStep);
  }

  #save(dir = this.#paths.last, kind: SaveEvent['kind'] = 'last'): void {
    if (!this.#leader) return;
    saveRunCheckpoint(dir, {
      model: this.#model,
      tokenizer: this.#prepared.tokenizer,
      tasks: this.#prepared.runs.map(taskRecord),
      config: trainingConfigToYaml(this.#config),
      metricsFile: this.#paths.metrics,
      state: this.#trainerState(),
      optimizer: this.#parts.optimizer,
    });
    if (kind === 'last' && this.#replacing.length > 0) {
      removeEarlierRun(this.#config.outputDir, this.#numbered); // last/ is now this run's
      this.#replacing = [];
    }
    dispatch(this.#callbacks, 'onSave', { step: this.#step, dir, kind });
  }

  #interrupted(reason: string): TrainResult {
    this.#runLog.stop();
    this.#runLog.interrupted(this.#step, reason);
    this.#save();
    this.#runLog.info(`${reason}: stopped at step ${this.#step}; saved ${this.#paths.last} (continue with --resume)`);
    return this.#result('interrupted', undefined);
  }

  /**
   * Evaluates the best checkpoint on the test sets into test_metrics.json (undefined when no task has
   * test data); in a data-parallel run rank 0 loads it, broadcasts its weights, and every rank
   * evaluates its share.
   */
  async #testBest(): Promise<EvalResult | undefined> {
    if (this.#leader && !existsSync(this.#paths.best)) copyCheckpoint(this.#paths.last, this.#paths.best); // no dev data: the last is the best there is
    const step = this.#parts.selector.bestStep ?? this.#step;
    const result = await testBestCheckpoint(
      this.#model,
      this.#prepared.streams,
      this.#parts.batching,
      this.#config.outputDir,
      step,
      this.#evalOptions(),
      (record) => this.#runLog.append(record),
    );
    if (result !== undefined && this.#leader)
      this.#runLog.info(`best checkpoint (step ${step}) on ${describeEval(step, result, undefined, undefined, undefined, false)}`);
    return this.#leader ? result : undefined;
  }

  #result(status: TrainResult['status'], test: EvalResult | undefined): TrainResult {
    const seconds = this.#sessionSeconds;
    return {
      status,
      outputDir: this.#config.outputDir,
      step: this.#step,
      totalSteps: this.totalSteps,
      bestStep: this.#parts.selector.bestStep,
      bestMetric: { name: this.#parts.selector.metric, value: this.#parts.selector.best },
      ...(this.#lastDev === undefined ? {} : { dev: this.#lastDev }),
      ...(test === undefined ? {} : { test }),
      truncated: this.#prepared.truncated,
      skipped: this.#prepared.skipped,
      parameters: this.#model.numParameters(),
      trainableParameters: countParameters(this.#model).trainable,
      trainSeconds: seconds,
      examplesPerTask: Object.fromEntries(this.#sessionTaskExamples),
      examplesPerSecond: seconds > 0 ? this.#sessionExamples / seconds : 0,
      tokensPerSecond: seconds > 0 ? this.#sessionTokens / seconds : 0,
    };
  }

  dispose(): void {
    this.#runLog.stop();
    this.#parts.optimizer.dispose();
    this.#parts.strategy.dispose();
    this.#ewc?.dispose();
    this.#model.dispose();
  }
}
