/**
 * GradNorm: Chen, Badrinarayanan, Lee and Rabinovich, "GradNorm: Gradient Normalization for
 * Adaptive Loss Balancing in Deep Multitask Networks", ICML 2018, Algorithm 1. The weights w_k are
 * moved so that each task's gradient norm on a chosen shared layer W,
 *
 *   G_k = ‖∇_W w_k L_k‖ = w_k ‖∇_W L_k‖,
 *
 * approaches the common target Ḡ·r_k^α, where Ḡ is the mean of the G_k, r_k = L̃_k / mean_j L̃_j the
 * task's relative inverse training rate and L̃_k = L_k(t) / L_k(0). Each step w takes one gradient
 * step on L_grad = Σ_k |G_k − Ḡ·r_k^α| with the target held constant (as the paper prescribes), then
 * is renormalised so that Σ_k w_k = K. A task that has learned faster (smaller r_k) gets a lower
 * target, so its weight goes down. The network itself trains on Σ_k w_k(t)·L_k, the weights from
 * before the update.
 *
 * Since G_k is linear in w_k, ∂L_grad/∂w_k = sign(G_k − Ḡ r_k^α)·‖∇_W L_k‖ exactly; no second-order
 * backward is needed. The weights take a plain gradient step with their own learning rate `lr`
 * (the paper trains them with the network's optimizer; LibMTL reparametrises them through a softmax)
 * and are floored at 1e-6 before the renormalisation so none reaches zero. Costs K extra backward
 * passes to W per step (keep W small: the paper uses the last shared layer) and one device sync.
 */
import { CheckpointError, ConfigError } from '../../errors.js';
import { grad, noGrad, stack, tidy, zeros, type Tensor } from '../../tensor/index.js';
import {
  checkLosses,
  checkNumTasks,
  checkNumbers,
  checkWeightingState,
  weightedSum,
  type DeferredCombine,
  type GradNormState,
  type LossWeighting,
  type WeightingState,
} from './types.js';

/** The smallest weight before renormalisation. */
const FLOOR = 1e-6;

export interface GradNormStepInput {
  /** w (K), summing to K. */
  readonly weights: readonly number[];
  /** ‖∇_W L_k‖ (K), the unweighted gradient norms on the shared layer. */
  readonly gradNorms: readonly number[];
  /** L_k(t) (K). */
  readonly losses: readonly number[];
  /** L_k(0) (K), positive. */
  readonly initialLosses: readonly number[];
}

/**
 * One update of the weights (Algorithm 1, the w step and the renormalisation), on host numbers.
 * @param alpha α ≥ 0, the strength of the restoring force. @param lr the weights' learning rate.
 * @returns the new weights (K), positive, summing to K.
 */
export function gradNormStep(input: GradNormStepInput, alpha: number, lr: number): number[] {
  const { weights, gradNorms, losses, initialLosses } = input;
  const k = weights.length;
  const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const g = weights.map((w, i) => w * gradNorms[i]!); // G_k
  const gBar = mean(g);
  const rates = losses.map((l, i) => l / initialLosses[i]!); // L̃_k
  const rateMean = mean(rates);
  const targets = rates.map((r) => gBar * (r / rateMean) ** alpha); // Ḡ·r_k^α, a constant
  const stepped = weights.map((w, i) => Math.max(w - lr * Math.sign(g[i]! - targets[i]!) * gradNorms[i]!, FLOOR));
  const total = stepped.reduce((a, b) => a + b, 0);
  return stepped.map((w) => (k * w) / total);
}

export interface GradNormOptions {
  /** W: the parameters of the shared layer whose gradient norms are balanced (the paper: the last shared layer). */
  readonly sharedParameters: readonly Tensor[];
  /** α ≥ 0; default 1.5 (the paper's NYUv2 value; it used 0.12 on its synthetic tasks). */
  readonly alpha?: number | undefined;
  /** The weights' learning rate (> 0); default 0.025. Their gradient is ±‖∇_W L_k‖, so scale it to those norms. */
  readonly lr?: number | undefined;
}

export class GradNormWeighting implements LossWeighting {
  readonly method = 'gradnorm';
  readonly numTasks: number;
  readonly alpha: number;
  readonly lr: number;
  readonly #shared: readonly Tensor[];
  #weights: number[];
  #last: number[];
  #initialLosses: number[] | null = null;

  constructor(numTasks: number, options: GradNormOptions) {
    checkNumTasks(numTasks, 'gradnorm');
    const { sharedParameters, alpha = 1.5, lr = 0.025 } = options;
    if (!Array.isArray(sharedParameters) || sharedParameters.length === 0)
      throw new ConfigError(
        'gradnorm needs the shared layer W whose gradient norms it balances: pass sharedParameters (e.g. the last encoder layer)',
      );
    if (typeof alpha !== 'number' || !(alpha >= 0) || !Number.isFinite(alpha))
      throw new ConfigError(`gradnorm: alpha must be a finite number ≥ 0, got ${String(alpha)}`);
    if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr))
      throw new ConfigError(`gradnorm: lr must be a finite number > 0, got ${String(lr)}`);
    this.numTasks = numTasks;
    this.alpha = alpha;
    this.lr = lr;
    this.#shared = [...sharedParameters];
    this.#weights = new Array<number>(numTasks).fill(1);
    this.#last = [...this.#weights];
  }

  /** ∇_W L_k for every task k (K backward passes to W, the graph kept): per task, one gradient per parameter of W, undefined where L_k does not reach it. */
  #taskGradients(losses: Tensor): (Tensor | undefined)[][] {
    return Array.from({ length: this.numTasks }, (_, k) =>
      grad(losses.select(0, k), this.#shared, { retainGraph: true, allowUnused: true }).map((g) => g?.detach()),
    );
  }

  /** ‖∇_W L_k‖ (K) from the per-task gradients of `#taskGradients`, in float64, read to the host. */
  #gradNorms(grads: readonly (readonly (Tensor | undefined)[])[], device: Tensor['device']): number[] {
    return tidy(() =>
      noGrad(() => {
        const norms = grads.map((task) => {
          const squares = task.flatMap((g) => (g === undefined ? [] : [g.to('float64').pow(2).sum()]));
          return squares.length === 0 ? zeros([], { dtype: 'float64', device }) : stack(squares).sum();
        });
        return stack(norms).sqrt().toFlatArray() as number[];
      }),
    );
  }

  /** Needs every task's loss each step: `tasks`, if given, must list all K. */
  combine(losses: Tensor, tasks?: readonly number[]): Tensor {
    return tidy(() => {
      const deferred = this.combineDeferred(losses, tasks);
      deferred.update();
      return deferred.total;
    });
  }

  /**
   * Measures the losses (K, float64) and each task's gradient on W (one tensor per task and parameter
   * L_k reaches, task by task); a data-parallel run averages them over the ranks, so the norms, the
   * training rates L_k(t)/L_k(0) and the new weights are those of the ranks' batches together.
   */
  combineDeferred(losses: Tensor, tasks?: readonly number[]): DeferredCombine {
    const indices = checkLosses(losses, tasks, this.numTasks, 'gradnorm');
    if (indices.some((k, n) => k !== n))
      throw new ConfigError(
        'gradnorm needs the losses of all tasks, in task order, in every step (it compares their gradient norms); use a joint schedule',
      );
    const values = losses.detach().to('float64');
    const grads = this.#taskGradients(losses);
    const w = this.#weights;
    const total = weightedSum(losses, w);
    const device = losses.device;
    const update = (): void => this.#update(values.toFlatArray() as number[], this.#gradNorms(grads, device), w);
    return { total, measured: [values, ...grads.flat().filter((g): g is Tensor => g !== undefined)], update };
  }

  /** The w step from a step's losses L_k(t) and norms ‖∇_W L_k‖, after it trained with weights `w`; the first step's losses become L_k(0). */
  #update(values: readonly number[], gradNorms: readonly number[], w: number[]): void {
    if (this.#initialLosses === null) {
      const bad = values.findIndex((l) => !(l > 0) || !Number.isFinite(l));
      if (bad >= 0)
        throw new ConfigError(
          `gradnorm measures training rates as L_k(t)/L_k(0), so the first losses must be positive and finite; task ${bad}'s is ${values[bad]}`,
        );
      this.#initialLosses = [...values];
    }
    this.#weights = gradNormStep({ weights: w, gradNorms, losses: values, initialLosses: this.#initialLosses }, this.alpha, this.lr);
    this.#last = w;
  }

  /** The weights of the latest step (before its update; 1 before any). */
  weights(): number[] {
    return [...this.#last];
  }

  /** The weights the next step will use (summing to K). */
  nextWeights(): number[] {
    return [...this.#weights];
  }

  /** None for the trainer's optimizer: the weights take their own step inside `combine`. */
  parameters(): Tensor[] {
    return [];
  }

  state(): GradNormState {
    return {
      method: 'gradnorm',
      numTasks: this.numTasks,
      weights: [...this.#weights],
      initialLosses: this.#initialLosses && [...this.#initialLosses],
    };
  }

  restore(state: WeightingState): void {
    checkWeightingState(state, 'gradnorm', this.numTasks);
    const s = state as GradNormState;
    const bad = (m: string): Error => new CheckpointError(`gradnorm state: ${m}`);
    const weights = checkNumbers(s.weights, this.numTasks, 'weights', bad);
    const initial = s.initialLosses === null ? null : checkNumbers(s.initialLosses, this.numTasks, 'initialLosses', bad);
    if (initial?.some((l) => !(l > 0))) throw bad(`initialLosses must be positive, got [${initial.join(', ')}]`);
    this.#weights = weights;
    this.#last = [...weights];
    this.#initialLosses = initial;
  }

  dispose(): void {}

  [Symbol.dispose](): void {
    this.dispose();
  }
}
