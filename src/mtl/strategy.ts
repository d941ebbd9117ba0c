/**
 * The multi-task strategy of a training step: how the per-task losses of a micro-batch become
 * gradients. Loss weighting (src/mtl/weighting) turns the losses into the scalar that is
 * back-propagated; gradient surgery (src/mtl/surgery), when configured, replaces the gradient of
 * the chosen shared parameters by its combination of the per-task gradients G (K, P), while every
 * other parameter (heads, gates, parameters outside the chosen set) keeps its ordinary gradient of
 * Σ_k w_k·L_k. Each task's loss is first multiplied by its config `weight`.
 */
import { CheckpointError, ConfigError } from '../errors.js';
import type { JsonValue } from '../io/checkpoint.js';
import type { TrainingConfig } from '../io/config/index.js';
import type { MultiTaskModel } from './multitask-model.js';
import { modulePath, nameMatcher } from './peft/index.js';
import { assignGradients, createSurgery, taskJacobian, type GradientSurgery, type SurgeryState } from './surgery/index.js';
import { createLossWeighting, type LossWeighting, type WeightingState } from './weighting/index.js';
import { all, isfinite, noGrad, stack, tidy, type Tensor } from '../tensor/index.js';

/** What one micro-batch's backward pass reports. */
export interface StepLosses {
  /** The scalar back-propagated (before division by the accumulation steps). */
  readonly total: number;
  /** Each task's own loss (unweighted), in the order given. */
  readonly tasks: ReadonlyArray<readonly [string, number]>;
}

/** A micro-batch back-propagated whose update waits for its measurements' average over the ranks (`backwardDeferred`). */
export interface DeferredBackward {
  readonly losses: StepLosses;
  /** This rank's measurements (detached), to be averaged over the ranks in place before `finish`. */
  readonly measured: Tensor[];
  /** The weighting's update and surgery's correction of the gradients, from `measured`. Call once, in a tidy scope. */
  finish(): void;
}

/** trainer_state.json's `strategy_state`. */
interface StrategyState {
  readonly weighting: WeightingState;
  readonly surgery: SurgeryState | null;
}

/** The trainable parameters of `model` whose names match `pattern`, in model order. */
function matching(model: MultiTaskModel, pattern: string, key: string): Tensor[] {
  const match = nameMatcher(pattern);
  const params = model
    .namedParameters()
    .filter(([name, p]) => p.requiresGrad && match(name))
    .map(([, p]) => p);
  if (params.length === 0)
    throw new ConfigError(
      `${key} '${pattern}' matches no trainable parameter of the model (names look like encoder.encoder.layer.0.output.dense.weight)`,
    );
  return params;
}

/** The module path of the backbone's last layer in `model` (BERT: `encoder.encoder.layer.<L−1>`), GradNorm's default shared layer W. */
function lastLayerPath(model: MultiTaskModel): string {
  const layers = model.backbone.layers();
  const last = layers[layers.length - 1];
  const path = last === undefined ? undefined : modulePath(model, last);
  if (path === undefined) throw new ConfigError('the backbone has no layers; give training.weighting.shared');
  return path;
}

export class TrainingStrategy implements Disposable {
  readonly tasks: readonly string[];
  readonly weighting: LossWeighting;
  readonly surgery: GradientSurgery | undefined;
  /** The shared parameters surgery operates on (empty without surgery). */
  readonly #surgeryParams: Tensor[];
  /** Each task's config weight, by task name. */
  readonly #taskWeights: ReadonlyMap<string, number>;

  /**
   * @param model the run's model; its task names, in config order, are the weighting's task indices.
   * @param microBatchesPerStep micro-batches per optimizer step (DWA's period is given in optimizer steps).
   * @param ranks this process's rank and the number of ranks of a data-parallel run (random weighting draws for all).
   * @throws ConfigError when a parameter pattern matches nothing.
   */
  constructor(
    config: TrainingConfig,
    model: MultiTaskModel,
    microBatchesPerStep: number,
    ranks?: { readonly rank: number; readonly worldSize: number },
  ) {
    const t = config.training;
    this.tasks = config.tasks.map((task) => task.name);
    this.#taskWeights = new Map(config.tasks.map((task) => [task.name, task.weight]));
    const w = t.weighting;
    const lastLayer = lastLayerPath(model);
    const shared = w.method === 'gradnorm' ? matching(model, w.shared ?? lastLayer, 'training.weighting.shared') : undefined;
    this.weighting = createLossWeighting(
      {
        method: w.method,
        initialLogVariance: w.initialLogVariance,
        alpha: w.alpha,
        lr: w.lr,
        temperature: w.temperature,
        period: w.period === undefined ? undefined : w.period * microBatchesPerStep,
        scale: w.scale,
      },
      this.tasks.length,
      { seed: config.seed, sharedParameters: shared, ranks },
    );
    const s = t.surgery;
    this.#surgeryParams = s === null ? [] : matching(model, s.parameters ?? 'encoder', 'training.surgery.parameters');
    this.surgery =
      s === null
        ? undefined
        : createSurgery(
            { method: s.method, reduction: s.reduction, c: s.c, rescale: s.rescale, beta: s.beta, maxIterations: s.maxIterations },
            this.tasks.length,
            config.seed,
          );
  }

  /** Tensors the optimizer trains besides the model's (uncertainty's log-variances; weight decay 0). */
  parameters(): Tensor[] {
    return this.weighting.parameters();
  }

  /** Scalars of the shared parameters surgery operates on (P of G (K, P)); 0 without surgery. */
  get surgerySize(): number {
    return this.#surgeryParams.reduce((n, p) => n + p.numel, 0);
  }

  /**
   * Whether a data-parallel run must average measurements of each micro-batch over the ranks before
   * the strategy's update (`backwardDeferred`): a weighting that reads the batch (gradnorm, dwa) or
   * gradient surgery. Otherwise `backward` on each rank and the all-reduce of the gradients suffice.
   */
  get averagesAcrossRanks(): boolean {
    return this.weighting.combineDeferred !== undefined || this.surgery !== undefined;
  }

  /**
   * Back-propagates one micro-batch: `losses` (task → 0-d loss attached to the graph) weighted,
   * combined and divided by `accum`; with surgery, the chosen shared parameters' gradients are
   * replaced (added to, across micro-batches) by the surgery's combination of the per-task gradients.
   * @param losses every task of the step; with surgery (joint schedule) all K tasks.
   * @param lossScale a dynamic loss scaler's scale (../optim/grad-scaler.ts): the gradients come out
   *   multiplied by it, surgery's part too (it combines the per-task gradients divided by it, so a
   *   combination that is not linear in G sees the true ones); 1: none. The losses reported are unscaled.
   * @param beforeBackward called with the tensor about to be back-propagated, right before its one
   *   backward call (a data-parallel run arms its overlapped all-reduce there, src/train/step.ts).
   * @throws ConfigError for a task the run does not have.
   */
  backward(losses: ReadonlyMap<string, Tensor>, accum: number, lossScale = 1, beforeBackward?: (root: Tensor) => void): StepLosses {
    return tidy(() => {
      const pass = this.#backward(losses, accum, lossScale, false, beforeBackward);
      pass.finish();
      return pass.losses;
    });
  }

  /**
   * `backward` in two halves, for a data-parallel run (src/train/step.ts): back-propagates Σ_k w_k·L_k
   * with this step's weights and returns the measurements the rest reads — the weighting's (DWA's
   * losses; GradNorm's losses and per-task gradients on its shared layer) and surgery's per-task
   * gradients G (K, P), times `lossScale` and divided by `accum`. The caller averages `measured` over the
   * ranks in place, then calls `finish`: the weighting's update and surgery's correction of the
   * gradients, Σ_k Ḡ_k (the part the all-reduce of the gradients brings) replaced by the combination of
   * the averaged Ḡ — the same on every rank (PCGrad's task orders drawn alike) and equal to one process's
   * on the ranks' batches together (PCGrad's projections are not linear: combining per rank and
   * averaging would differ). Call it inside a tidy scope that returns the result (it keeps `measured`).
   * @throws ConfigError for a task the run does not have.
   */
  backwardDeferred(losses: ReadonlyMap<string, Tensor>, accum: number, lossScale = 1): DeferredBackward {
    return this.#backward(losses, accum, lossScale, true);
  }

  #backward(
    losses: ReadonlyMap<string, Tensor>,
    accum: number,
    lossScale: number,
    deferred: boolean,
    beforeBackward?: (root: Tensor) => void,
  ): DeferredBackward {
    const present = [...losses.keys()];
    const indices = present.map((name) => {
      const k = this.tasks.indexOf(name);
      if (k < 0) throw new ConfigError(`the step has a loss for task '${name}', which is not one of ${this.tasks.join(', ')}`);
      return k;
    });
    const order = indices.map((k, n) => [k, n] as const).sort((a, b) => a[0] - b[0]); // task order, as the weighting indexes them
    const scaled = stack(order.map(([k]) => (losses.get(this.tasks[k]!) as Tensor).mul(this.#taskWeights.get(this.tasks[k]!) ?? 1))); // (K')
    const taskIndices = order.map(([k]) => k);
    const combined = deferred ? this.weighting.combineDeferred?.(scaled, taskIndices) : undefined;
    const total = combined?.total ?? this.weighting.combine(scaled, taskIndices);
    const perStep = (x: Tensor): Tensor => (lossScale === 1 ? x.div(accum) : x.div(accum).mul(lossScale));
    const jacobian = this.surgery === undefined ? undefined : taskJacobian(perStep(scaled), this.#surgeryParams); // (K, P), graph kept
    const root = perStep(total);
    beforeBackward?.(root);
    root.backward();
    const finish = (): void => {
      combined?.update();
      if (jacobian === undefined || this.surgery === undefined) return;
      const surgery = this.surgery;
      // backward gave the surgery parameters Σ_k G_k; replace that part by the surgery's combination.
      noGrad(() => {
        if (lossScale === 1)
          return assignGradients(this.#surgeryParams, surgery.combine(jacobian).sub(jacobian.sum(0)), { accumulate: true });
        const g = jacobian.div(lossScale); // the true per-task gradients
        if (!(all(isfinite(g)).item() as boolean)) return; // an overflow: backward's Σ_k G_k holds it too, and the step is skipped
        return assignGradients(this.#surgeryParams, surgery.combine(g).sub(g.sum(0)).mul(lossScale), { accumulate: true });
      });
    };
    return {
      losses: {
        total: total.item() as number,
        tasks: present.map((name) => [name, (losses.get(name) as Tensor).item() as number] as const),
      },
      measured: [...(combined?.measured ?? []), ...(jacobian === undefined ? [] : [jacobian])],
      finish,
    };
  }

  /** task → the weight of its loss in the latest step (the weighting's weight times the task's config weight). */
  taskWeights(): Record<string, number> {
    const w = this.weighting.weights();
    return Object.fromEntries(this.tasks.map((name, k) => [name, (w[k] as number) * (this.#taskWeights.get(name) ?? 1)]));
  }

  state(): JsonValue {
    const state: StrategyState = { weighting: this.weighting.state(), surgery: this.surgery?.state() ?? null };
    return state as unknown as JsonValue;
  }

  /** Continues from `strategy_state` (null in checkpoints written before strategies: nothing to restore for static weights). */
  restore(saved: JsonValue | undefined): void {
    if (saved === null || saved === undefined) {
      if (this.weighting.method !== 'static' || this.surgery !== undefined)
        throw new CheckpointError(
          `the checkpoint has no strategy_state to continue '${this.weighting.method}' weighting${this.surgery === undefined ? '' : ` and ${this.surgery.method}`} from`,
        );
      return;
    }
    const s = saved as unknown as StrategyState;
    this.weighting.restore(s.weighting);
    if (this.surgery !== undefined && s.surgery !== null) this.surgery.restore(s.surgery);
  }

  dispose(): void {
    this.weighting.dispose();
    this.surgery?.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * The `fixed` sampler's values per stream, in stream order: the sum of its tasks' configured
 * probabilities (task names as keys, as written).
 */
export function streamProbabilities(probabilities: Readonly<Record<string, number>>, streams: readonly (readonly string[])[]): number[] {
  return streams.map((tasks) => tasks.reduce((sum, name) => sum + (probabilities[name] ?? 0), 0));
}
