/**
 * One optimizer step of first-order meta-learning (`training.meta`; src/mtl/meta/first-order.ts):
 * each of the step's `gradient_accumulation_steps` micro-batches is an episode — the sampler picks a
 * stream (a task, or the tasks that read one input), the inner loop takes `inner_steps` SGD steps on
 * as many of its batches from the shared weights θ, and the episode's outer gradient (FOMAML: the
 * next batch's loss gradient at the adapted weights; Reptile: θ − φ) is averaged into the
 * parameters' gradients. Then, as a training step does, the learning rate of the schedule, clipping,
 * the run's optimizer and the gradients cleared. An episode's loss is the unweighted sum of its
 * stream's task losses; loss weighting and gradient surgery do not apply. With `precision: bf16` every
 * forward pass and loss of an episode (inner and outer) runs in an autocast region, as in a training
 * step; its gradients (taken outside the region), the adapted weights and the inner SGD stay float32.
 */
import { ConfigError } from '../errors.js';
import { metaRefusals } from '../io/config/index.js';
import { taskLosses } from '../mtl/multitask-model.js';
import { fomamlGradients, reptileGradients } from '../mtl/meta/first-order.js';
import { clipGradNorm } from '../optim/clip.js';
import { applyLrSchedule } from '../optim/schedules.js';
import { taskOfRun } from '../run/build.js';
import { microBatchSeed } from '../run/seeding.js';
import type { TrainBatch, TrainStream } from '../run/streams.js';
import { collateJoint } from '../tasks/index.js';
import { manualSeed, moveToDevice, noGrad, tidy, type Tensor } from '../tensor/index.js';
import { inPrecision } from './precision.js';
import { countTaskExamples, type StepParts, type StepStats } from './step.js';

/** `training.meta` as the program reads it. */
export interface MetaSettings {
  readonly method: 'fomaml' | 'reptile';
  /** k, SGD steps of the inner loop (one support batch each). */
  readonly innerSteps: number;
  /** α, the inner SGD learning rate. */
  readonly innerLearningRate: number;
}

/**
 * Checks that a run's settings go with meta-learning: an episode's loss is its stream's plain sum, so
 * settings that act on the loss or the gradient of a training step would be silently left out. A config
 * file's settings are refused at validation already (src/io/config/strategy-checks.ts), naming their keys;
 * this check holds for runs built otherwise, and refuses a data-parallel run.
 * @throws ConfigError for the joint task schedule (an episode is one stream's), a data-parallel run, a
 *   loss weighting other than static, adversarial training, word dropout, EWC (gradient surgery
 *   needs the joint schedule, which is refused first) or a loss scaler (fp16: the inner SGD steps
 *   would take scaled gradients unchecked for inf).
 */
export function checkMetaRun(
  parts: Pick<StepParts, 'config' | 'dataParallel' | 'strategy' | 'adversary' | 'wordDropoutIds' | 'ewc' | 'scaler'>,
): void {
  const refuse = (what: string, fix: string) => {
    throw new ConfigError(metaRefusals.combined(what, fix));
  };
  if (parts.config.training.taskSchedule === 'joint') throw new ConfigError(metaRefusals.joint);
  if (parts.dataParallel !== undefined && parts.dataParallel.worldSize > 1)
    throw new ConfigError('training.meta runs in one process; drop --nproc-per-node');
  if (parts.strategy.weighting.method !== 'static')
    refuse(`${parts.strategy.weighting.method} loss weighting`, 'use training.weighting.method: static');
  if (parts.adversary !== undefined) refuse('adversarial training', 'drop training.adversarial');
  if (parts.wordDropoutIds !== undefined) refuse('word dropout', 'set training.word_dropout: 0');
  if (parts.ewc !== undefined) refuse('EWC', 'drop continual.ewc');
  const t = parts.config.training;
  if (parts.scaler !== undefined) throw new ConfigError(metaRefusals.scaler(t.precision, t.gradScaler !== null));
}

/** Trains optimizer step `step` (0-based) as `gradient_accumulation_steps` meta-learning episodes. */
export async function metaStep(parts: StepParts, step: number, meta: MetaSettings): Promise<StepStats> {
  const started = performance.now();
  const accum = parts.config.training.gradientAccumulationSteps;
  const params = parts.gradParams;
  let examples = 0;
  let tokens = 0;
  const taskExamples = new Map<string, number>();
  for (let episode = 0; episode < accum; episode++) {
    manualSeed(microBatchSeed(parts.config.seed, step * accum + episode));
    const stream = parts.streams[parts.sampler.next()] as TrainStream;
    const batches: TrainBatch[] = [];
    for (let i = 0; i < meta.innerSteps + (meta.method === 'fomaml' ? 1 : 0); i++) batches.push(await stream.next());
    const lossOf = (b: TrainBatch): Tensor => streamLoss(parts, stream, b);
    const support = (i: number) => lossOf(batches[i]!);
    const result =
      meta.method === 'fomaml'
        ? fomamlGradients(params, support, () => lossOf(batches[meta.innerSteps]!), meta.innerSteps, meta.innerLearningRate)
        : reptileGradients(params, support, meta.innerSteps, meta.innerLearningRate);
    tidy(() =>
      noGrad(() =>
        params.forEach((p, j) => {
          const g = result.gradients[j]!.div(accum);
          const before = p.grad;
          if (before === undefined) p.grad = g;
          else before.add_(g);
        }),
      ),
    );
    result.gradients.forEach((g) => g.dispose());
    const names = stream.stream.runs.map((r) => r.spec.name).join('+');
    const episodeExamples = batches.reduce((n, b) => n + b.indices.length, 0);
    const episodeTokens = batches.reduce((n, b) => n + b.tokens, 0);
    parts.window.addBatch(result.loss / accum, [[names, result.loss]], episodeExamples, episodeTokens);
    examples += episodeExamples;
    tokens += episodeTokens;
    countTaskExamples(taskExamples, stream, episodeExamples);
  }
  applyLrSchedule(parts.optimizer, parts.schedule, step);
  if (parts.config.training.maxGradNorm !== null) clipGradNorm(parts.model.parameters(), parts.config.training.maxGradNorm).dispose();
  parts.optimizer.step();
  parts.optimizer.zeroGrad();
  const seconds = (performance.now() - started) / 1000;
  parts.window.endStep(seconds);
  return { examples, taskExamples, seconds, tokens };
}

/** The unweighted sum of the stream's task losses on batch `b` (one backbone pass), a scalar with autograd. */
function streamLoss(parts: StepParts, s: TrainStream, b: TrainBatch): Tensor {
  return tidy(() => {
    const collated = collateJoint(b.tasks, b.indices);
    const batch = parts.config.device === 'cpu' ? collated : moveToDevice(collated, parts.config.device);
    const tasks = s.stream.runs.map((r) => taskOfRun(r, parts.model));
    return inPrecision(parts.config, () => {
      const logits = parts.model.forward(
        batch.inputs,
        s.stream.runs.map((r) => r.spec.name),
      );
      let total: Tensor | undefined;
      for (const loss of taskLosses(logits, batch, tasks).values()) total = total === undefined ? loss : total.add(loss);
      return total as Tensor;
    });
  });
}
