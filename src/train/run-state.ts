/**
 * trainer_state.json's resumable parts (see ./run-checkpoint.ts for what a resume restores): built
 * from the live components, and put back into them.
 */
import path from 'node:path';
import { CheckpointError } from '../errors.js';
import { CHECKPOINT_FILES, type JsonValue, type LoadedCheckpoint, type TrainerState } from '../io/checkpoint.js';
import type { TaskSampler, TaskSamplerState } from '../mtl/samplers/index.js';
import { gradScalerToJson, type GradScaler } from '../optim/grad-scaler.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { ScheduleSpec } from '../optim/schedules.js';
import type { ModelSelector, SelectionState } from './selection.js';
import type { TrainStream, TrainStreamState } from '../run/streams.js';
import { checkRunState, type RunExtent } from './run-state-checks.js';

/** The components whose state a checkpoint holds (the model's weights are saved separately). */
export interface RunComponents {
  readonly sampler: TaskSampler;
  readonly streams: readonly TrainStream[];
  readonly selector: ModelSelector;
}

/** The multi-task strategy (loss weighting, gradient surgery) and the loss scaler, whose states are saved too. */
interface StrategyPart {
  readonly strategy: { state(): JsonValue };
  readonly scaler?: GradScaler | undefined;
}

interface Position {
  readonly step: number;
  readonly epoch: number;
  readonly seed: number;
  /** The step of the last evaluation (-1 before the first). */
  readonly lastEvalStep: number;
}

/** The tasks of the training streams whose collation draws random numbers (masked-LM's masks). */
const drawingTasks = (streams: readonly TrainStream[]) =>
  streams.flatMap((s) => s.stream.runs).filter((t) => t.type.collationState !== undefined);

/** task → the state of its collation generator. */
function collationStates(streams: readonly TrainStream[]): Record<string, unknown> {
  return Object.fromEntries(drawingTasks(streams).map((t) => [t.spec.name, t.type.collationState!.save(t.state)]));
}

/** trainer_state.json's content (the optimizer's JSON part is filled in when saving). */
export function runState(
  parts: RunComponents & StrategyPart,
  at: Position,
  schedule: ScheduleSpec & { microBatchesPerStep: number },
): TrainerState {
  const { microBatchesPerStep, ...scheduleSpec } = schedule;
  const json = (v: unknown) => v as JsonValue;
  return {
    step: at.step,
    epoch: at.epoch,
    seed: at.seed,
    bestMetric: parts.selector.best,
    bestStep: parts.selector.bestStep,
    sampler: json(parts.sampler.state()),
    batcher: parts.streams.map((s) => ({ stream: s.stream.name, ...s.state })),
    rng: {
      method: 'manual_seed(hash(seed, micro_batch)) at every micro-batch',
      seed: at.seed,
      next_micro_batch: at.step * microBatchesPerStep,
      collation: json(collationStates(parts.streams)),
    },
    scheduler: json({ ...scheduleSpec, step: at.step }),
    earlyStopping: json({ ...parts.selector.state(), lastEvalStep: at.lastEvalStep }),
    strategy: parts.strategy.state(),
    gradScaler: parts.scaler === undefined ? null : json(gradScalerToJson(parts.scaler)),
    optimizer: null,
  };
}

/**
 * Puts a checkpoint's optimizer, sampler, batcher, collation-generator and selection state back.
 * @returns the step to continue from and the step of the last evaluation.
 * @throws CheckpointError for a checkpoint without trainer or optimizer state, saved for other streams,
 *   or whose trainer state does not fit this run (see checkRunState).
 */
export async function restoreRunState(
  ckpt: LoadedCheckpoint,
  parts: RunComponents & { optimizer: Optimizer },
  run: RunExtent,
): Promise<{ step: number; lastEvalStep: number }> {
  const state = ckpt.trainerState;
  if (state === null || state.optimizer === null || ckpt.optimizerTensors === null) {
    throw new CheckpointError(`${ckpt.dir} has no trainer state or optimizer state; it cannot be resumed`);
  }
  checkRunState(state, path.join(ckpt.dir, CHECKPOINT_FILES.trainerState), run);
  parts.optimizer.loadStateDict({ json: state.optimizer as never, tensors: ckpt.optimizerTensors });
  parts.sampler.restore(state.sampler as unknown as TaskSamplerState);
  const batchers = (Array.isArray(state.batcher) ? state.batcher : []) as ({ stream?: string } & TrainStreamState)[];
  for (const [i, s] of parts.streams.entries()) {
    const saved = batchers[i];
    if (saved?.stream !== s.stream.name) {
      throw new CheckpointError(
        `${ckpt.dir}: batcher state ${i} is for '${String(saved?.stream)}', this run's stream ${i} is '${s.stream.name}'`,
      );
    }
    const { stream: _name, ...position } = saved;
    await s.loadState(position);
  }
  const collation = ((state.rng as { collation?: Record<string, unknown> } | null)?.collation ?? {}) as Record<string, unknown>;
  for (const t of drawingTasks(parts.streams)) {
    const saved = collation[t.spec.name];
    if (saved === undefined)
      throw new CheckpointError(`${ckpt.dir}: trainer_state.json has no collation (masking) state for task '${t.spec.name}'`);
    t.type.collationState!.restore(t.state, saved);
  }
  const selection = state.earlyStopping as unknown as SelectionState & { lastEvalStep: number };
  parts.selector.restore(selection);
  return { step: state.step, lastEvalStep: selection.lastEvalStep };
}
