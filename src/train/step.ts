/**
 * One optimizer step of multi-task training over `gradient_accumulation_steps` micro-batches. For
 * each micro-batch: the dropout generator is seeded by the micro-batch's position in the run (so a
 * resumed run draws the same masks), the task sampler picks a stream (or, with the 'joint' task
 * schedule, every stream gives one batch), the backbone runs once for all of a stream's tasks, and
 * the strategy (loss weighting, gradient surgery; src/mtl/strategy.ts) back-propagates the
 * per-task losses. In a data-parallel run each rank does this on its own batches and the gradients
 * are averaged over the ranks (src/distributed/data-parallel.ts): on the plain path during the last
 * micro-batch's backward pass where the addon has gradient hooks, else after it; a strategy that reads the batch
 * (gradnorm, dwa, gradient surgery) has its per-task measurements averaged first (`backwardMicroBatch`); micro-batch n of rank r is
 * position n·worldSize + r of the run, so rank r's dropout masks are those a single process
 * accumulating worldSize times as many micro-batches draws for the same batches. With `precision:
 * bf16` (or fp16, on CUDA) the forward passes and losses run in an autocast region (backward outside
 * it, as PyTorch's recipe); with a loss scaler (`training.grad_scaler`, always with fp16) the loss is
 * back-propagated times the scale, the averaged gradients are divided by it before EWC's term and
 * clipping, and a step whose gradients hold an inf or NaN is skipped (the optimizer and its state
 * left as they were) and the scale backed off, as torch.cuda.amp.GradScaler. With
 * `training.adversarial` the passes of each stream are those of the method (../mtl/adversarial: FGM,
 * PGD, FreeLB, SMART), whose losses the strategy back-propagates. Then the step's
 * learning rate (warm-up and decay), gradient clipping, the optimizer's update, and the gradients cleared.
 * A skipped step still counts as a step (its learning rate is not given to a later one), as in PyTorch.
 */
import type { DataParallel } from '../distributed/data-parallel.js';
import type { TrainingConfig } from '../io/config/index.js';
import { taskLosses, type MultiTaskModel } from '../mtl/multitask-model.js';
import type { TaskSampler } from '../mtl/samplers/index.js';
import type { StepLosses, TrainingStrategy } from '../mtl/strategy.js';
import type { Adversary, PassOutput } from '../mtl/adversarial/index.js';
import { clipGradNorm } from '../optim/clip.js';
import type { GradScaler } from '../optim/grad-scaler.js';
import type { Optimizer } from '../optim/optimizer.js';
import { applyLrSchedule, type LrSchedule } from '../optim/schedules.js';
import { taskOfRun } from '../run/build.js';
import { microBatchSeed } from '../run/seeding.js';
import type { TrainBatch, TrainStream } from '../run/streams.js';
import { collateJoint } from '../tasks/index.js';
import { manualSeed, moveToDevice, tidy, type Tensor } from '../tensor/index.js';
import { inPrecision } from './precision.js';
import type { StepWindow } from './report.js';
import { dropWords, type WordDropoutIds } from './word-dropout.js';
import type { Ewc } from './ewc.js';

/** What a step works with: the run's live components (owned by the trainer). */
export interface StepParts {
  readonly config: TrainingConfig;
  readonly model: MultiTaskModel;
  readonly streams: readonly TrainStream[];
  readonly sampler: TaskSampler;
  readonly strategy: TrainingStrategy;
  readonly optimizer: Optimizer;
  readonly schedule: LrSchedule;
  /** Adversarial training on the input embeddings (`training.adversarial`), when the run uses it. */
  readonly adversary: Adversary | undefined;
  /** The unknown and kept token ids, when the run uses word dropout. */
  readonly wordDropoutIds: WordDropoutIds | undefined;
  /** Collects the losses and sizes of the micro-batches for the run log. */
  readonly window: StepWindow;
  /** The ranks this one trains with; undefined in a single-process run. */
  readonly dataParallel: DataParallel | undefined;
  /** Continual training's EWC penalty, whose gradient joins the step's (after averaging, before clipping). */
  readonly ewc?: Ewc | undefined;
  /** The parameters that get gradients, fixed for the run: the model's trainable ones and the strategy's (what the ranks average). */
  readonly gradParams: readonly Tensor[];
  /** The dynamic loss scaler (`training.grad_scaler`, fp16), when the run has one. */
  readonly scaler?: GradScaler | undefined;
}

/** Examples and tokens (unpadded) trained on in a step, and its wall-clock time in seconds. */
export interface StepStats {
  readonly examples: number;
  /** Task name → examples it was trained on in the step (every trained task of a stream counts the stream's batch). */
  readonly taskExamples: ReadonlyMap<string, number>;
  readonly tokens: number;
  readonly seconds: number;
}

/**
 * Trains optimizer step `step` (0-based): accumulates the gradients of its micro-batches, then updates.
 * @returns the step's size and duration (also added to `parts.window`).
 */
export async function trainStep(parts: StepParts, step: number): Promise<StepStats> {
  const started = performance.now();
  const t = parts.config.training;
  const accum = t.gradientAccumulationSteps;
  let examples = 0;
  let tokens = 0;
  const taskExamples = new Map<string, number>();
  const dp = parts.dataParallel;
  const lossScale = parts.scaler?.scale ?? 1;
  for (let micro = 0; micro < accum; micro++) {
    const position = (step * accum + micro) * (dp?.worldSize ?? 1) + (dp?.rank ?? 0);
    manualSeed(microBatchSeed(parts.config.seed, position)); // dropout masks: a function of the position in the run
    const streams = t.taskSchedule === 'joint' ? parts.streams : [parts.streams[parts.sampler.next()] as TrainStream];
    const batches: { s: TrainStream; b: TrainBatch }[] = [];
    for (const s of streams) batches.push({ s, b: await s.next() });
    const values = await backwardMicroBatch(
      parts.strategy,
      dp,
      () => inPrecision(parts.config, () => forwardLosses(parts, batches)),
      accum,
      lossScale,
      micro === accum - 1 ? parts.gradParams : undefined,
    );
    const microExamples = batches.reduce((n, { b }) => n + b.indices.length, 0);
    const microTokens = batches.reduce((n, { b }) => n + b.tokens, 0);
    parts.window.addBatch(values.total / accum, values.tasks, microExamples, microTokens);
    examples += microExamples;
    tokens += microTokens;
    for (const { s, b } of batches) countTaskExamples(taskExamples, s, b.indices.length);
  }
  if (dp !== undefined) await dp.allReduceGradients(parts.gradParams); // waits for the overlapped reduction, or reduces now; an inf or NaN on one rank reaches every rank
  parts.scaler?.unscale(parts.optimizer); // the true gradients from here on (EWC's term, clipping)
  parts.ewc?.addGradients();
  applyLrSchedule(parts.optimizer, parts.schedule, step);
  if (t.maxGradNorm !== null) clipGradNorm(parts.model.parameters(), t.maxGradNorm).dispose();
  const skipped = optimizerStep(parts);
  parts.optimizer.zeroGrad();
  const seconds = (performance.now() - started) / 1000;
  parts.window.endStep(seconds, skipped);
  return { examples, taskExamples, seconds, tokens };
}

/**
 * Back-propagates one micro-batch through `strategy`: `forward` (run in a tidy scope) gives the
 * per-task losses to train on (`train`, task → 0-d) and those to report (`clean`; the same map
 * without adversarial training). In a data-parallel run whose strategy reads measurements of the
 * batch (gradnorm, dwa, gradient surgery: `strategy.averagesAcrossRanks`), they are averaged over the
 * ranks before the strategy's update, so every rank holds the same weights and adds the same surgery
 * correction (../mtl/strategy.ts `backwardDeferred`); every rank must call this at the same point.
 * Otherwise (the plain path), on the step's last micro-batch (`reduced`: the parameters whose gradients
 * the ranks average), the backward pass all-reduces the gradients as it runs where the addon can
 * (DataParallel.prepareBackward; `allReduceGradients` finishes after the step's micro-batches).
 * @param accum micro-batches per optimizer step. @param lossScale the loss scaler's scale (1: none).
 * @param reduced on the step's last micro-batch, the parameters the ranks average (the same every step).
 * @returns the back-propagated total and each task's reported loss (this rank's batch).
 * @throws TorchError when the ranks' all-reduce fails.
 */
export async function backwardMicroBatch(
  strategy: TrainingStrategy,
  dp: DataParallel | undefined,
  forward: () => { train: Map<string, Tensor>; clean: Map<string, Tensor> },
  accum: number,
  lossScale: number,
  reduced?: readonly Tensor[],
): Promise<StepLosses> {
  const deferred = dp !== undefined && strategy.averagesAcrossRanks;
  const overlap =
    dp !== undefined && !deferred && reduced !== undefined ? (root: Tensor) => dp.prepareBackward(reduced, [root]) : undefined;
  const { losses, pass } = tidy(() => {
    const { train, clean } = forward();
    const pass = deferred ? strategy.backwardDeferred(train, accum, lossScale) : undefined;
    const stepLosses = pass?.losses ?? strategy.backward(train, accum, lossScale, overlap);
    const losses: StepLosses =
      clean === train
        ? stepLosses
        : { total: stepLosses.total, tasks: stepLosses.tasks.map(([name]) => [name, clean.get(name)!.item() as number] as const) };
    return { losses, pass };
  });
  if (pass === undefined || dp === undefined) return losses;
  try {
    await dp.average(pass.measured, "the all-reduce of the strategy's per-task losses and gradients");
    tidy(() => pass.finish());
  } finally {
    for (const t of pass.measured) t.dispose();
  }
  return losses;
}

/** Adds `n` examples to each task of `stream` that trains (a `train: false` task is evaluated only). */
export function countTaskExamples(counts: Map<string, number>, stream: TrainStream, n: number): void {
  for (const r of stream.stream.runs) if (r.data.task.train !== false) counts.set(r.spec.name, (counts.get(r.spec.name) ?? 0) + n);
}

/**
 * The optimizer's update, through the loss scaler when the run has one (skipped on an inf or NaN
 * gradient, then the scale updated). @returns whether the update was skipped.
 */
export function optimizerStep(parts: Pick<StepParts, 'optimizer' | 'scaler'>): boolean {
  if (parts.scaler === undefined) {
    parts.optimizer.step();
    return false;
  }
  const taken = parts.scaler.step(parts.optimizer);
  parts.scaler.update();
  return !taken;
}

/**
 * The micro-batch's per-task losses: one backbone pass per stream for its tasks (more under
 * adversarial training, ../mtl/adversarial). `train` is what is back-propagated, `clean` what is
 * reported (the same map without adversarial training).
 */
function forwardLosses(
  parts: StepParts,
  batches: readonly { s: TrainStream; b: TrainBatch }[],
): { train: Map<string, Tensor>; clean: Map<string, Tensor> } {
  const t = parts.config.training;
  const train = new Map<string, Tensor>();
  const clean = parts.adversary === undefined ? train : new Map<string, Tensor>();
  for (const { s, b } of batches) {
    const runs = s.stream.runs.filter((r) => r.data.task.train !== false); // not the tasks that are evaluated only
    const names = runs.map((r) => r.spec.name);
    const collated = collateJoint(b.tasks, b.indices);
    const batch = parts.config.device === 'cpu' ? collated : moveToDevice(collated, parts.config.device);
    const inputs = parts.wordDropoutIds === undefined ? batch.inputs : dropWords(batch.inputs, t.wordDropout, parts.wordDropoutIds);
    const tasks = runs.map((r) => taskOfRun(r, parts.model));
    const pass = (): PassOutput => {
      const logits = parts.model.forward(inputs, names); // one backbone pass for the stream's tasks
      return { logits, losses: taskLosses(logits, batch, tasks) };
    };
    if (parts.adversary === undefined) {
      for (const [name, loss] of pass().losses) train.set(name, loss);
      continue;
    }
    const out = parts.adversary.losses(pass, parts.model.backbone.inputEmbeddings(), tasks, parts.strategy.taskWeights());
    for (const [name, loss] of out.train) train.set(name, loss);
    for (const [name, loss] of out.clean) clean.set(name, loss);
  }
  return { train, clean };
}
