/**
 * The live components of a training run, made from its config once the data and model exist: the
 * training streams, the task sampler, the multi-task strategy, the optimizer the config names
 * (`training.optimizer`) with its learning-rate schedule, model selection, evaluation batching, and
 * the number of steps. The trainer owns them (and disposes the optimizer and strategy).
 */
import type { DataParallel } from '../distributed/data-parallel.js';
import type { TrainingConfig } from '../io/config/index.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { Adversary } from '../mtl/adversarial/index.js';
import { createTaskSampler } from '../mtl/samplers/index.js';
import { streamProbabilities, TrainingStrategy } from '../mtl/strategy.js';
import { createOptimizer } from '../optim/create.js';
import { learningRateGroups } from './learning-rates.js';
import { makeSchedule, type ScheduleSpec } from '../optim/schedules.js';
import type { PreparedRun } from '../run/prepare.js';
import { ShardedTrainStream } from '../run/sharded-stream.js';
import { batchesPerEpoch, trainStreams, type TrainStream } from '../run/streams.js';
import { evalBatching, type EvalBatching } from '../eval/evaluate.js';
import { StepWindow } from './report.js';
import { ModelSelector } from './selection.js';
import type { StepParts } from './step.js';
import { scheduleOf } from './trainer-options.js';
import type { Ewc } from './ewc.js';
import { createGradScaler } from './precision.js';
import { stepsForExamples, type BudgetStream } from './example-budget.js';

/** A step's parts, and what the loop around the steps needs. */
export interface LoopParts extends StepParts {
  readonly selector: ModelSelector;
  readonly batching: EvalBatching;
  readonly scheduleSpec: ScheduleSpec & { warmupSteps: number };
  /** Batches in one epoch of every stream. */
  readonly batchesPerEpoch: number;
  /** Optimizer steps planned (`max_steps`, or from `epochs` or `max_examples_per_task`). */
  readonly totalSteps: number;
}

/** Each stream's size, batches per epoch and share of the draws (`probabilities` of the alternating schedule's sampler; joint: 1 each). */
function streamShares(streams: readonly TrainStream[], probabilities: readonly number[] | undefined): BudgetStream[] {
  return streams.map((s, i) => ({
    size: s.size,
    batchesPerEpoch: s.batchesPerEpoch,
    share: probabilities === undefined ? 1 : probabilities[i]!,
  }));
}

/**
 * Makes the components of `config`'s run over `prepared` data and `model`; in a data-parallel run
 * (`dataParallel`) each stream is this rank's share of it (src/run/sharded-stream.ts), and an epoch
 * is one pass of all ranks together.
 * @throws DataError when a stream has no training examples; ConfigError for bad optimizer settings.
 */
export function loopParts(
  config: TrainingConfig,
  prepared: PreparedRun,
  model: MultiTaskModel,
  dataParallel: DataParallel | undefined = undefined,
  ewc: Ewc | undefined = undefined,
): LoopParts {
  const t = config.training;
  const whole = trainStreams(
    prepared.streams.filter((s) => s.runs.some((r) => r.data.task.train !== false)), // train: false tasks are evaluated only
    { batchSize: t.batchSize, ...(t.maxTokens === undefined ? {} : { maxTokens: t.maxTokens }) },
    config.seed,
    { tokenizer: prepared.tokenizer, maxLength: config.maxLength },
    t.groupByLength,
  );
  const streams =
    dataParallel === undefined || dataParallel.worldSize === 1
      ? whole
      : whole.map((s) => new ShardedTrainStream(s, dataParallel.rank, dataParallel.worldSize));
  const perEpoch = batchesPerEpoch(streams);
  const accum = t.gradientAccumulationSteps;
  const drawsPerStep = t.taskSchedule === 'joint' ? streams.length : 1;
  const samplerSettings = {
    ...t.sampler,
    probabilities:
      t.sampler.probabilities === undefined
        ? undefined
        : streamProbabilities(
            t.sampler.probabilities,
            streams.map((s) => s.stream.runs.map((r) => r.spec.name)),
          ),
  };
  const sizes = streams.map((s) => s.size);
  const totalSteps =
    t.maxSteps ??
    (t.maxExamplesPerTask === undefined
      ? Math.max(1, Math.ceil(((t.epochs ?? 1) * perEpoch) / (accum * drawsPerStep)))
      : stepsForExamples(
          t.maxExamplesPerTask,
          streamShares(
            streams,
            t.taskSchedule === 'joint' ? undefined : createTaskSampler(samplerSettings, sizes, config.seed).probabilities,
          ),
          accum * (dataParallel?.worldSize ?? 1),
        ));
  const sampler = createTaskSampler({ ...samplerSettings, totalDraws: totalSteps * accum }, sizes, config.seed);
  const scheduleSpec = scheduleOf(config, totalSteps);
  const strategy = new TrainingStrategy(
    config,
    model,
    accum,
    dataParallel && { rank: dataParallel.rank, worldSize: dataParallel.worldSize },
  );
  const trainable = model.namedParameters().filter(([, p]) => p.requiresGrad);
  const optimizer = createOptimizer(t.optimizer, learningRateGroups(model.backbone, trainable, strategy.parameters(), t), t.learningRate);
  const es = t.earlyStopping;
  const selector = new ModelSelector(es?.metric ?? 'average', es?.mode ?? 'max', es?.patience ?? null);
  const batching = evalBatching(config);
  const tok = prepared.tokenizer;
  return {
    config,
    model,
    streams,
    sampler,
    strategy,
    optimizer,
    schedule: makeSchedule(scheduleSpec),
    adversary: t.adversarial === null ? undefined : new Adversary(t.adversarial, model.taskNames),
    wordDropoutIds: t.wordDropout > 0 ? { unk: tok.unkId, keep: [tok.specialTokenId('cls'), tok.specialTokenId('sep')] } : undefined,
    window: new StepWindow(),
    dataParallel,
    ewc,
    gradParams: [...trainable.map(([, p]) => p), ...strategy.parameters()],
    scaler: createGradScaler(config),
    selector,
    batching,
    scheduleSpec,
    batchesPerEpoch: perEpoch,
    totalSteps,
  };
}
