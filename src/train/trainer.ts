/**
 * The training loop of a multi-task model, from one resolved config: `train(config)`.
 *
 * Each optimizer step takes `gradient_accumulation_steps` micro-batches; for each, the task sampler
 * picks a stream (the tasks that read one data source), the stream's batcher gives a length-bucketed
 * batch, the encoder runs once for all of the stream's tasks, and the weighted sum of their losses is
 * back-propagated. Then: the learning rate of the step (warm-up and decay), gradient clipping, AdamW
 * (no weight decay for biases and LayerNorm), gradients cleared. Every `eval_every` steps (and at the
 * end) the dev sets are evaluated without dropout or gradients, a record goes to metrics.jsonl,
 * `last/` is replaced atomically, and `best/` too when the selection metric improved; early stopping
 * ends the run after `patience` evaluations without improvement. Finally the best checkpoint is
 * evaluated on the test sets (<output_dir>/test_metrics.json). What `--resume` restores, and how
 * dropout stays reproducible across a resume, is described in ./run-checkpoint.ts.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError } from '../errors.js';
import { trainingConfigToYaml, type TrainingConfig } from '../io/config/index.js';
import {
  appendMetrics,
  checkpointPaths,
  copyCheckpoint,
  loadCheckpoint,
  type LoadedCheckpoint,
  type TrainerState,
} from '../io/checkpoint.js';
import { MultiTaskModel, taskLosses } from '../mtl/multitask-model.js';
import { parameterSummary, countParameters } from '../mtl/peft/index.js';
import { createTaskSampler, type TaskSampler } from '../mtl/samplers/index.js';
import { collateJoint } from '../tasks/index.js';
import { manualSeed, tidy, type Tensor } from '../tensor/index.js';
import { Tokenizer } from '../tokenization/index.js';
import { applyArchitecture } from '../mtl/architecture.js';
import { buildModel, taskRecord } from '../run/build.js';
import { clipGradNorm } from '../optim/clip.js';
import { evalBatching, evaluateStreams, headOf, selectionValue, type EvalBatching, type EvalResult } from '../eval/evaluate.js';
import { AdamW } from '../optim/adamw.js';
import { paramGroupsNoDecay } from '../optim/param-groups.js';
import { prepareRun, type PreparedRun } from '../run/prepare.js';
import { ProgressReporter, type ProgressInfo } from './progress.js';
import { checkResumeConfig, loadModelWeights, saveRunCheckpoint } from '../run/checkpoint.js';
import { applyLrSchedule, makeSchedule, type LrSchedule, type ScheduleSpec } from '../optim/schedules.js';
import { ModelSelector } from './selection.js';
import { InterruptWatch, yieldToEventLoop } from './signals.js';
import { batchesPerEpoch, trainStreams, type TrainBatch, type TrainStream } from '../run/streams.js';
import { splitCounts } from '../data/task-data.js';
import { describeEval, StepWindow } from './report.js';
import { microBatchSeed } from '../run/seeding.js';
import { dropWords, type WordDropoutIds } from './word-dropout.js';
import { restoreRunState, runState } from './run-state.js';
import { claimOutputFolder, removeEarlierRun } from '../run/output-folder.js';
import { testBestCheckpoint } from '../eval/checkpoint.js';
import { scheduleOf, type TrainOptions, type TrainResult } from './trainer-options.js';
import { streamProbabilities, TrainingStrategy } from '../mtl/strategy.js';

export type { TrainOptions, TrainResult } from './trainer-options.js';

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
  readonly #reporter: ProgressReporter;
  readonly #prepared: PreparedRun;
  readonly #model: MultiTaskModel;
  readonly #optimizer: AdamW;
  readonly #streams: TrainStream[];
  readonly #sampler: TaskSampler;
  readonly #strategy: TrainingStrategy;
  readonly #selector: ModelSelector;
  readonly #schedule: LrSchedule;
  readonly #scheduleSpec: ScheduleSpec & { warmupSteps: number };
  readonly #batching: EvalBatching;
  readonly #paths: ReturnType<typeof checkpointPaths>;
  readonly #perEpoch: number;
  readonly totalSteps: number;
  #step = 0;
  /** An earlier run's checkpoints (--overwrite) that go once this run has saved its first. */
  #replacing: string[] = [];
  #lastEvalStep = -1;
  #lastDev: EvalResult | undefined;
  readonly #window: StepWindow;
  /** The unknown and kept token ids, when the run uses word dropout. */
  readonly #wordDropoutIds: WordDropoutIds | undefined;
  #sessionSeconds = 0;
  #sessionSteps = 0;
  #sessionExamples = 0;
  #sessionTokens = 0;

  private constructor(
    config: TrainingConfig,
    options: TrainOptions,
    reporter: ProgressReporter,
    prepared: PreparedRun,
    model: MultiTaskModel,
  ) {
    const t = config.training;
    this.#config = config;
    this.#options = options;
    this.#reporter = reporter;
    this.#prepared = prepared;
    this.#model = model;
    this.#paths = checkpointPaths(config.outputDir);
    this.#streams = trainStreams(
      prepared.streams,
      { batchSize: t.batchSize, ...(t.maxTokens === undefined ? {} : { maxTokens: t.maxTokens }) },
      config.seed,
      { tokenizer: prepared.tokenizer, maxLength: config.maxLength },
    );
    this.#perEpoch = batchesPerEpoch(this.#streams);
    const accum = t.gradientAccumulationSteps;
    const drawsPerStep = t.taskSchedule === 'joint' ? this.#streams.length : 1;
    this.totalSteps = t.maxSteps ?? Math.max(1, Math.ceil(((t.epochs ?? 1) * this.#perEpoch) / (accum * drawsPerStep)));
    this.#sampler = createTaskSampler(
      {
        ...t.sampler,
        probabilities:
          t.sampler.probabilities === undefined
            ? undefined
            : streamProbabilities(
                t.sampler.probabilities,
                this.#streams.map((s) => s.stream.runs.map((r) => r.spec.name)),
              ),
        totalDraws: this.totalSteps * accum,
      },
      this.#streams.map((s) => s.size),
      config.seed,
    );
    this.#scheduleSpec = scheduleOf(config, this.totalSteps);
    this.#schedule = makeSchedule(this.#scheduleSpec);
    this.#strategy = new TrainingStrategy(config, model, accum);
    const trainable = model.namedParameters().filter(([, p]) => p.requiresGrad);
    this.#optimizer = new AdamW(
      [...paramGroupsNoDecay(trainable, t.weightDecay), { params: this.#strategy.parameters(), weightDecay: 0 }],
      { lr: t.learningRate },
    );
    const es = t.earlyStopping;
    this.#selector = new ModelSelector(es?.metric ?? 'average', es?.mode ?? 'max', es?.patience ?? null);
    this.#batching = evalBatching(config);
    this.#window = new StepWindow();
    const tok = prepared.tokenizer;
    this.#wordDropoutIds = t.wordDropout > 0 ? { unk: tok.unkId, keep: [tok.specialTokenId('cls'), tok.specialTokenId('sep')] } : undefined;
  }

  /** Reads and prepares everything, builds or restores the model and optimizer; nothing is trained yet. */
  static async create(config: TrainingConfig, options: TrainOptions): Promise<Trainer> {
    const log = options.log ?? (() => {});
    const reporter = new ProgressReporter({ bar: options.progressBar ?? false, log });
    const paths = checkpointPaths(config.outputDir);
    let ckpt: LoadedCheckpoint | undefined;
    let model: MultiTaskModel | undefined;
    let trainer: Trainer | undefined;
    try {
      const earlier = claimOutputFolder(config.outputDir, options);
      if (options.resume) {
        if (!existsSync(paths.last) && !existsSync(path.join(config.outputDir, '.last.previous'))) {
          throw new CheckpointError(
            `nothing to resume: ${config.outputDir} has no last/ checkpoint; train without --resume to start a run`,
          );
        }
        ckpt = loadCheckpoint(paths.last);
        checkResumeConfig(config, ckpt);
      }
      const prepared = await prepareRun(config, {
        log: (line) => reporter.log(line),
        ...(ckpt === undefined ? {} : { tokenizer: Tokenizer.fromFile(ckpt.tokenizerFile), records: ckpt.tasks }),
      });
      model = buildModel(
        config,
        prepared.tokenizer,
        prepared.runs.map((r) => r.spec),
      );
      for (const line of applyArchitecture(model, config)) reporter.log(line);
      if (ckpt !== undefined) loadModelWeights(model, ckpt);
      options.adaptModel?.(model);
      trainer = new Trainer(config, options, reporter, prepared, model);
      trainer.#preflight();
      if (ckpt !== undefined) await trainer.#restore(ckpt);
      else trainer.#startFresh(earlier);
      return trainer;
    } catch (e) {
      if (trainer !== undefined) trainer.dispose();
      else model?.dispose();
      throw e;
    } finally {
      ckpt?.dispose();
    }
  }

  get #log(): (line: string) => void {
    return (line) => this.#reporter.log(line);
  }

  /** Runs the evaluation path on a few dev examples, so a bad selection metric stops the run before training. */
  #preflight(): void {
    const heads = this.#prepared.streams.map((s) => ({ ...s, splits: s.splits.dev === undefined ? {} : { dev: headOf(s.splits.dev, 8) } }));
    if (!heads.some((s) => s.splits.dev !== undefined)) return;
    selectionValue(evaluateStreams(this.#model, heads, 'dev', this.#batching), this.#selector.metric, this.#prepared.streams);
  }

  /** A new run; `earlier`: the checkpoints of the run it replaces (--overwrite), kept until it saves its first. */
  #startFresh(earlier: string[]): void {
    const dir = this.#config.outputDir;
    mkdirSync(dir, { recursive: true });
    if (earlier.length === 0) removeEarlierRun(dir);
    else
      this.#log(
        `--overwrite: the earlier run's ${earlier.join('/ and ')}/ in ${dir} are removed once this run has saved its first checkpoint`,
      );
    this.#replacing = earlier;
    writeFileSync(this.#paths.metrics, '');
    this.#appendStart(0);
  }

  async #restore(ckpt: LoadedCheckpoint): Promise<void> {
    const restored = await restoreRunState(
      ckpt,
      { optimizer: this.#optimizer, sampler: this.#sampler, streams: this.#streams, selector: this.#selector },
      { totalSteps: this.totalSteps, microBatchesPerStep: this.#config.training.gradientAccumulationSteps },
    );
    this.#strategy.restore(ckpt.trainerState?.strategy);
    this.#step = restored.step;
    this.#lastEvalStep = restored.lastEvalStep;
    mkdirSync(this.#config.outputDir, { recursive: true });
    writeFileSync(this.#paths.metrics, ckpt.metrics.map((r) => `${JSON.stringify(r)}\n`).join(''));
    this.#log(`resumed from ${ckpt.dir} at step ${restored.step} of ${this.totalSteps}`);
    this.#appendStart(restored.step);
  }

  #appendStart(fromStep: number): void {
    const p = this.#prepared;
    appendMetrics(this.#paths.metrics, {
      type: 'start',
      step: fromStep,
      total_steps: this.totalSteps,
      warmup_steps: this.#scheduleSpec.warmupSteps,
      batches_per_epoch: this.#perEpoch,
      parameters: this.#model.numParameters(),
      trainable_parameters: countParameters(this.#model).trainable,
      task_schedule: this.#config.training.taskSchedule,
      weighting: this.#strategy.weighting.method,
      surgery: this.#strategy.surgery?.method ?? null,
      streams: p.streams.map((s) => s.name),
      examples: Object.fromEntries(p.data.map((d) => [d.task.name, splitCounts(d)])),
      truncated: p.truncated,
      skipped: p.skipped,
    });
    const t = this.#config.training;
    const surgery = this.#strategy.surgery;
    this.#log(
      `strategy: ${t.taskSchedule} schedule${t.taskSchedule === 'alternating' ? ` (${this.#sampler.kind} sampler)` : ''}, ` +
        `${this.#strategy.weighting.method} loss weighting` +
        (surgery === undefined ? '' : `, ${surgery.method} on ${this.#strategy.surgerySize.toLocaleString('en-US')} shared parameters`),
    );
    this.#log(
      `model: ${this.#model.numParameters().toLocaleString('en-US')} parameters, ${parameterSummary(this.#model)}; ${this.totalSteps} steps ` +
        `(${this.#perEpoch} batches per epoch, warm-up ${this.#scheduleSpec.warmupSteps}); output in ${this.#config.outputDir}`,
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
    while (this.#step < this.totalSteps) {
      if (watch.reason !== undefined) {
        status = 'interrupted';
        break;
      }
      await this.#trainStep();
      if (this.#step % evalEvery === 0 && this.#evaluateAndSave()) {
        status = 'early-stopped';
        break;
      }
      await yieldToEventLoop();
    }
    if (status === 'interrupted') return this.#interrupted(watch.reason ?? 'interrupted');
    if (this.#lastEvalStep !== this.#step && this.#evaluateAndSave()) status = 'early-stopped';
    this.#reporter.stop();
    if (status === 'early-stopped')
      this.#log(
        `early stopping at step ${this.#step}: no improvement of ${this.#selector.metric} for ${this.#selector.patience} evaluations`,
      );
    return this.#result(status, this.#testBest());
  }

  /** One optimizer step over `gradient_accumulation_steps` micro-batches. */
  async #trainStep(): Promise<void> {
    const started = performance.now();
    const t = this.#config.training;
    const accum = t.gradientAccumulationSteps;
    const joint = t.taskSchedule === 'joint';
    for (let micro = 0; micro < accum; micro++) {
      manualSeed(microBatchSeed(this.#config.seed, this.#step * accum + micro)); // dropout masks: a function of the position in the run
      const streams = joint ? this.#streams : [this.#streams[this.#sampler.next()] as TrainStream];
      const batches: { s: TrainStream; b: TrainBatch }[] = [];
      for (const s of streams) batches.push({ s, b: await s.next() });
      const values = tidy(() => {
        const losses = new Map<string, Tensor>();
        for (const { s, b } of batches) {
          const specs = s.stream.runs.map((r) => r.spec);
          const batch = collateJoint(b.tasks, b.indices);
          const logits = this.#model.forward(
            this.#wordDropoutIds === undefined ? batch.inputs : dropWords(batch.inputs, t.wordDropout, this.#wordDropoutIds),
            specs.map((spec) => spec.name),
          ); // one encoder pass for the stream's tasks
          for (const [name, loss] of taskLosses(logits, batch, specs, this.#model.heads)) losses.set(name, loss);
        }
        return this.#strategy.backward(losses, accum);
      });
      let examples = 0;
      let tokens = 0;
      for (const { b } of batches) {
        examples += b.indices.length;
        tokens += b.tokens;
      }
      this.#window.addBatch(values.total / accum, values.tasks, examples, tokens);
      this.#sessionExamples += examples;
      this.#sessionTokens += tokens;
    }
    applyLrSchedule(this.#optimizer, this.#schedule, this.#step);
    const maxNorm = this.#config.training.maxGradNorm;
    if (maxNorm !== null) clipGradNorm(this.#model.parameters(), maxNorm).dispose();
    this.#optimizer.step();
    this.#optimizer.zeroGrad();
    this.#step++;
    const seconds = (performance.now() - started) / 1000;
    this.#window.endStep(seconds);
    this.#sessionSeconds += seconds;
    this.#sessionSteps++;
    this.#report();
  }

  #report(): void {
    const w = this.#window;
    const info: ProgressInfo = {
      step: this.#step,
      totalSteps: this.totalSteps,
      epoch: this.#epoch(),
      lr: this.#optimizer.paramGroups[0]!.lr,
      elapsedSeconds: this.#sessionSeconds,
      etaSeconds: (this.#sessionSeconds / this.#sessionSteps) * (this.totalSteps - this.#step),
      ...w.means(),
    };
    const logNow = this.#step % this.#config.training.logEvery === 0;
    this.#reporter.update(info, logNow);
    this.#options.onProgress?.(info);
    if (!logNow) return;
    appendMetrics(this.#paths.metrics, {
      type: 'train',
      step: info.step,
      epoch: info.epoch,
      learning_rate: info.lr,
      loss: info.loss,
      task_losses: { ...info.taskLosses },
      task_weights: this.#strategy.taskWeights(),
      examples_per_second: info.examplesPerSecond,
      tokens_per_second: info.tokensPerSecond,
      elapsed_seconds: info.elapsedSeconds,
    });
    w.reset();
  }

  /** Passes over the training data: micro-batches drawn / batches in an epoch of every stream. */
  #epoch(): number {
    return (this.#step * this.#config.training.gradientAccumulationSteps) / this.#perEpoch;
  }

  /** Evaluates on dev (when there is dev data), records, saves last/ (and best/); returns whether to stop early. */
  #evaluateAndSave(): boolean {
    this.#lastEvalStep = this.#step;
    const hasDev = this.#prepared.streams.some((s) => s.splits.dev !== undefined);
    if (!hasDev) {
      this.#save();
      return false;
    }
    const result = evaluateStreams(this.#model, this.#prepared.streams, 'dev', this.#batching);
    this.#lastDev = result;
    const metric = this.#selector.metric;
    const value = selectionValue(result, metric, this.#prepared.streams);
    const { improved, stop } = this.#selector.update(value, this.#step);
    appendMetrics(this.#paths.metrics, {
      type: 'eval',
      split: 'dev',
      step: this.#step,
      epoch: this.#epoch(),
      metrics: result.metrics,
      losses: result.losses,
      joint: result.joint,
      selection: { metric, value, best: this.#selector.best, best_step: this.#selector.bestStep, improved },
      examples: result.examples,
      seconds: result.seconds,
    });
    this.#log(describeEval(this.#step, result, metric, value, this.#selector, improved));
    this.#save();
    if (improved) copyCheckpoint(this.#paths.last, this.#paths.best);
    return stop;
  }

  #trainerState(): TrainerState {
    const parts = { sampler: this.#sampler, streams: this.#streams, selector: this.#selector };
    return runState(
      { ...parts, strategy: this.#strategy },
      { step: this.#step, epoch: this.#epoch(), seed: this.#config.seed, lastEvalStep: this.#lastEvalStep },
      {
        ...this.#scheduleSpec,
        microBatchesPerStep: this.#config.training.gradientAccumulationSteps,
      },
    );
  }

  #save(dir = this.#paths.last): void {
    saveRunCheckpoint(dir, {
      model: this.#model,
      tokenizer: this.#prepared.tokenizer,
      tasks: this.#prepared.runs.map(taskRecord),
      config: trainingConfigToYaml(this.#config),
      metricsFile: this.#paths.metrics,
      state: this.#trainerState(),
      optimizer: this.#optimizer,
    });
    if (this.#replacing.length > 0) removeEarlierRun(this.#config.outputDir); // last/ is now this run's
    this.#replacing = [];
  }

  #interrupted(reason: string): TrainResult {
    this.#reporter.stop();
    appendMetrics(this.#paths.metrics, { type: 'interrupted', step: this.#step, reason });
    this.#save();
    this.#log(`${reason}: stopped at step ${this.#step}; saved ${this.#paths.last} (continue with --resume)`);
    return this.#result('interrupted', undefined);
  }

  /** Evaluates the best checkpoint on the test sets into test_metrics.json (undefined when no task has test data). */
  #testBest(): EvalResult | undefined {
    if (!existsSync(this.#paths.best)) copyCheckpoint(this.#paths.last, this.#paths.best); // no dev data: the last is the best there is
    const step = this.#selector.bestStep ?? this.#step;
    const result = testBestCheckpoint(this.#model, this.#prepared.streams, this.#batching, this.#config.outputDir, step);
    if (result !== undefined)
      this.#log(`best checkpoint (step ${step}) on ${describeEval(step, result, undefined, undefined, undefined, false)}`);
    return result;
  }

  #result(status: TrainResult['status'], test: EvalResult | undefined): TrainResult {
    const seconds = this.#sessionSeconds;
    return {
      status,
      outputDir: this.#config.outputDir,
      step: this.#step,
      totalSteps: this.totalSteps,
      bestStep: this.#selector.bestStep,
      bestMetric: { name: this.#selector.metric, value: this.#selector.best },
      ...(this.#lastDev === undefined ? {} : { dev: this.#lastDev }),
      ...(test === undefined ? {} : { test }),
      truncated: this.#prepared.truncated,
      skipped: this.#prepared.skipped,
      parameters: this.#model.numParameters(),
      trainableParameters: countParameters(this.#model).trainable,
      trainSeconds: seconds,
      examplesPerSecond: seconds > 0 ? this.#sessionExamples / seconds : 0,
      tokensPerSecond: seconds > 0 ? this.#sessionTokens / seconds : 0,
    };
  }

  dispose(): void {
    this.#reporter.stop();
    this.#optimizer.dispose();
    this.#strategy.dispose();
    this.#model.dispose();
  }
}
