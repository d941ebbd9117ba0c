/**
 * PCGrad, "projecting conflicting gradients": Yu, Kumar, Gupta, Levine, Hausman and Finn, "Gradient
 * Surgery for Multi-Task Learning", NeurIPS 2020, Algorithm 1:
 *
 *   for each task i: g_i' ← g_i; for each j ≠ i in random order:
 *     if g_i'·g_j < 0: g_i' ← g_i' − (g_i'·g_j / ‖g_j‖²) g_j      (onto the normal plane of g_j)
 *   update = Σ_i g_i'                                              (the paper's sum; `reduction: 'mean'` divides by K)
 *
 * Written on the Gramian: with g_i' = Σ_m c_im g_m, g_i'·g_j = c_i·M_j and the projection only changes
 * c_ij, so the result is w = Σ_i c_i and the update wᵀG. The test "if g_i'·g_j < 0" becomes
 * min(g_i'·g_j, 0) (as the authors' TensorFlow code does), so nothing is read back to the host.
 */
import { ConfigError } from '../../errors.js';
import { eye, noGrad, tidy, zeros, type Tensor } from '../../tensor/index.js';
import { Rng } from '../../tensor/rng.js';
import { TINY, checkGramian, checkJacobian, combineRows, gramian, randomOrders, visitOrder, type TaskOrder } from './gramian.js';
import { checkSurgeryState, type GradientSurgery, type PcgradState, type SurgeryState } from './types.js';

export interface PcgradOptions {
  /** The order in which each task visits the others (see TaskOrder); default 0…K−1. The paper draws it at random each step. */
  readonly order?: TaskOrder | undefined;
  /** 'sum' (the paper's Σ_i g_i', default) or 'mean' (divided by K). */
  readonly reduction?: 'sum' | 'mean' | undefined;
}

export function checkReduction(reduction: unknown, what: string): 'sum' | 'mean' {
  if (reduction === undefined) return 'sum';
  if (reduction !== 'sum' && reduction !== 'mean')
    throw new ConfigError(`${what}: reduction must be 'sum' or 'mean', got ${String(reduction)}`);
  return reduction;
}

/**
 * PCGrad's task coefficients w (K) from the Gramian, so that the update is wᵀG.
 * @param gramian M = GGᵀ (K, K) float32/float64.
 * @returns w (K) float64, on M's device.
 */
export function pcgradWeights(gramian: Tensor, options: PcgradOptions = {}): Tensor {
  const k = checkGramian(gramian, 'pcgrad');
  const reduction = checkReduction(options.reduction, 'pcgrad');
  const orders = Array.from({ length: k }, (_, i) => visitOrder(options.order, i, k, 'pcgrad'));
  return noGrad(() =>
    tidy(() => {
      const m = gramian.to('float64');
      const unit = eye(k, { dtype: 'float64', device: m.device });
      const rows = Array.from({ length: k }, (_, j) => m.select(0, j)); // (K) each: g_j·g_m for every m
      const squares = rows.map((row, j) => row.select(0, j).clamp(TINY)); // ‖g_j‖², floored: a zero g_j gives 0, not NaN
      let total = zeros([k], { dtype: 'float64', device: m.device });
      for (let i = 0; i < k; i++) {
        let c = unit.select(0, i); // g_i' = g_i
        for (const j of orders[i]!) {
          const dot = c.mul(rows[j]!).sum(); // g_i'·g_j
          c = c.sub(unit.select(0, j).mul(dot.clamp(undefined, 0).div(squares[j]!))); // projected only when they conflict
        }
        total = total.add(c);
      }
      return reduction === 'mean' ? total.div(k) : total;
    }),
  );
}

/**
 * PCGrad's update from the per-task gradients.
 * @param jacobian G (K, P) float32/float64, row k the gradient of task k.
 * @returns (P) in G's dtype.
 * @example
 *   const g = tensor([[2, 0], [-1, 1]]); // g1·g2 = −2 < 0: they conflict
 *   pcgrad(g).toFlatArray(); // [1, 2] = (2,0)+(−1,1) + (−1,1)+(1,0): each projected onto the other's normal plane, summed
 */
export function pcgrad(jacobian: Tensor, options: PcgradOptions = {}): Tensor {
  checkJacobian(jacobian, 'pcgrad');
  return tidy(() => combineRows(pcgradWeights(gramian(jacobian), options), jacobian));
}

/** PCGrad with a fresh random task order each step, drawn from a seeded generator saved with the state. */
export class PCGrad implements GradientSurgery {
  readonly method = 'pcgrad';
  readonly numTasks: number;
  readonly reduction: 'sum' | 'mean';
  #rng: Rng;

  constructor(numTasks: number, seed: number, options: { reduction?: 'sum' | 'mean' | undefined } = {}) {
    if (!Number.isSafeInteger(numTasks) || numTasks < 1) throw new ConfigError(`pcgrad needs K ≥ 1 tasks, got ${String(numTasks)}`);
    this.numTasks = numTasks;
    this.reduction = checkReduction(options.reduction, 'pcgrad');
    this.#rng = new Rng(seed);
  }

  weights(gramian: Tensor): Tensor {
    const k = checkGramian(gramian, 'pcgrad');
    if (k !== this.numTasks) throw new ConfigError(`pcgrad was made for ${this.numTasks} tasks, got a Gramian of ${k}`);
    return pcgradWeights(gramian, { order: randomOrders(this.#rng, k), reduction: this.reduction });
  }

  combine(jacobian: Tensor): Tensor {
    checkJacobian(jacobian, 'pcgrad');
    return tidy(() => combineRows(this.weights(gramian(jacobian)), jacobian));
  }

  state(): PcgradState {
    return { method: 'pcgrad', numTasks: this.numTasks, rng: this.#rng.state() };
  }

  restore(state: SurgeryState): void {
    checkSurgeryState(state, 'pcgrad', this.numTasks);
    this.#rng = Rng.fromState((state as PcgradState).rng);
  }

  dispose(): void {}

  [Symbol.dispose](): void {
    this.dispose();
  }
}
