/**
 * GradVac, gradient vaccine: Wang, Tsvetkov, Firat and Cao, "Gradient Vaccine: Investigating and
 * Improving Multi-task Optimization in Massively Multilingual Models", ICLR 2021, Algorithm 1.
 * Each ordered pair of tasks (i, j) has a similarity target φ̂_ij (an EMA, starting at 0):
 *
 *   for each task i: g_i' ← g_i; for each j ≠ i in random order:
 *     φ_ij = cos(g_i', g_j)
 *     if φ_ij < φ̂_ij:  g_i' ← g_i' + ‖g_i'‖ (φ̂_ij √(1−φ_ij²) − φ_ij √(1−φ̂_ij²)) / (‖g_j‖ √(1−φ̂_ij²)) · g_j
 *     φ̂_ij ← (1 − β) φ̂_ij + β φ_ij
 *   update = Σ_i g_i'
 *
 * The correction turns g_i' in the plane of (g_i', g_j) until its cosine with g_j is φ̂_ij. With
 * φ̂ = 0 it is PCGrad's projection: the coefficient becomes −φ‖g_i'‖/‖g_j‖ = −g_i'·g_j/‖g_j‖².
 * The EMA is updated for every visited pair with the φ measured before the correction, as the
 * algorithm reads (LibMTL updates it only for corrected pairs). One target per pair for all of G (the
 * paper also has per-layer targets: call this per block of parameters for that).
 *
 * Written on the Gramian like PCGrad (see ./pcgrad.ts), and branch-free (`where` for the test), so
 * nothing is read back to the host; the targets stay on the device between steps.
 */
import { CheckpointError, ConfigError } from '../../errors.js';
import { eye, keep, noGrad, stack, tensor, tidy, where, zeros, type Tensor } from '../../tensor/index.js';
import { Rng } from '../../tensor/rng.js';
import { TINY, checkGramian, checkJacobian, combineRows, gramian, randomOrders, visitOrder, type TaskOrder } from './gramian.js';
import { checkReduction } from './pcgrad.js';
import { checkSurgeryState, type GradVacState, type GradientSurgery, type SurgeryState } from './types.js';

export interface GradVacOptions {
  /** β ∈ [0, 1], the EMA rate of the targets; default 0.5 (LibMTL's and TorchJD's default). β = 0 keeps the targets fixed. */
  readonly beta?: number | undefined;
  /** The order in which each task visits the others (see TaskOrder); default 0…K−1. */
  readonly order?: TaskOrder | undefined;
  /** 'sum' (the paper's Σ_i g_i', default) or 'mean'. */
  readonly reduction?: 'sum' | 'mean' | undefined;
}

function checkBeta(beta: unknown): number {
  if (beta === undefined) return 0.5;
  if (typeof beta !== 'number' || !(beta >= 0 && beta <= 1)) throw new ConfigError(`gradvac: beta must be in [0, 1], got ${String(beta)}`);
  return beta;
}

/**
 * One GradVac step on the Gramian.
 * @param gramian M = GGᵀ (K, K) float32/float64.
 * @param targets φ̂ (K, K) of the previous step (zeros at the start; entries in [−1, 1]).
 * @returns weights w (K) float64 (the update is wᵀG) and the new targets (K, K) float64, both on M's device.
 */
export function gradVacWeights(gramian: Tensor, targets: Tensor, options: GradVacOptions = {}): { weights: Tensor; targets: Tensor } {
  const k = checkGramian(gramian, 'gradvac');
  const shape = targets.shape;
  if (shape.length !== 2 || shape[0] !== k || shape[1] !== k)
    throw new ConfigError(`gradvac: the targets must be (K, K) = [${k}, ${k}] like the Gramian, got [${shape.join(', ')}]`);
  const beta = checkBeta(options.beta);
  const reduction = checkReduction(options.reduction, 'gradvac');
  const orders = Array.from({ length: k }, (_, i) => visitOrder(options.order, i, k, 'gradvac'));
  return noGrad(() =>
    tidy(() => {
      const m = gramian.to('float64');
      const old = targets.toDevice(m.device, 'float64');
      const unit = eye(k, { dtype: 'float64', device: m.device });
      const rows = Array.from({ length: k }, (_, j) => m.select(0, j)); // (K) g_j·g_m for every m
      const norms = rows.map((row, j) => row.select(0, j).clamp(0).sqrt()); // ‖g_j‖
      const next: Tensor[][] = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => old.select(0, i).select(0, j)));
      let total = zeros([k], { dtype: 'float64', device: m.device });
      for (let i = 0; i < k; i++) {
        let c = unit.select(0, i); // g_i' = Σ_m c_m g_m
        for (const j of orders[i]!) {
          const target = next[i]![j]!;
          const normI = c.matmul(m).mul(c).sum().clamp(0).sqrt(); // ‖g_i'‖ = √(cᵀMc)
          const phi = c.mul(rows[j]!).sum().div(normI.mul(norms[j]!).clamp(TINY)).clamp(-1, 1); // cos(g_i', g_j)
          const sinTarget = target.mul(target).neg().add(1).clamp(0).sqrt(); // √(1 − φ̂²)
          const sinPhi = phi.mul(phi).neg().add(1).clamp(0).sqrt(); // √(1 − φ²)
          const coef = normI.mul(target.mul(sinPhi).sub(phi.mul(sinTarget))).div(norms[j]!.mul(sinTarget).clamp(TINY));
          c = c.add(unit.select(0, j).mul(where(phi.lt(target), coef, 0)));
          next[i]![j] = target.mul(1 - beta).add(phi.mul(beta));
        }
        total = total.add(c);
      }
      return { weights: reduction === 'mean' ? total.div(k) : total, targets: stack(next.map((row) => stack(row))) };
    }),
  );
}

/**
 * One GradVac step on the per-task gradients.
 * @param jacobian G (K, P) float32/float64. @param targets φ̂ (K, K), see gradVacWeights.
 * @returns the update (P) in G's dtype and the new targets (K, K) float64.
 */
export function gradVac(jacobian: Tensor, targets: Tensor, options: GradVacOptions = {}): { update: Tensor; targets: Tensor } {
  checkJacobian(jacobian, 'gradvac');
  return tidy(() => {
    const step = gradVacWeights(gramian(jacobian), targets, options);
    return { update: combineRows(step.weights, jacobian), targets: step.targets };
  });
}

/** GradVac keeping its targets (on the device) and drawing a random task order each step from a seeded generator. */
export class GradVac implements GradientSurgery {
  readonly method = 'gradvac';
  readonly numTasks: number;
  readonly beta: number;
  readonly reduction: 'sum' | 'mean';
  #rng: Rng;
  /** φ̂ (K, K) float64, kept; it follows the Gramian's device (each step's new targets are made there). */
  #targets: Tensor;

  constructor(numTasks: number, seed: number, options: { beta?: number | undefined; reduction?: 'sum' | 'mean' | undefined } = {}) {
    if (!Number.isSafeInteger(numTasks) || numTasks < 1) throw new ConfigError(`gradvac needs K ≥ 1 tasks, got ${String(numTasks)}`);
    this.numTasks = numTasks;
    this.beta = checkBeta(options.beta);
    this.reduction = checkReduction(options.reduction, 'gradvac');
    this.#rng = new Rng(seed);
    this.#targets = keep(zeros([numTasks, numTasks], { dtype: 'float64' }));
  }

  weights(gramian: Tensor): Tensor {
    const k = checkGramian(gramian, 'gradvac');
    if (k !== this.numTasks) throw new ConfigError(`gradvac was made for ${this.numTasks} tasks, got a Gramian of ${k}`);
    const step = gradVacWeights(gramian, this.#targets, { beta: this.beta, order: randomOrders(this.#rng, k), reduction: this.reduction });
    this.#targets.dispose();
    this.#targets = keep(step.targets);
    return step.weights;
  }

  combine(jacobian: Tensor): Tensor {
    checkJacobian(jacobian, 'gradvac');
    return tidy(() => combineRows(this.weights(gramian(jacobian)), jacobian));
  }

  /** The current targets φ̂ (K, K) as numbers (reads them from the device). */
  targets(): number[][] {
    const flat = this.#targets.toFlatArray() as number[];
    return Array.from({ length: this.numTasks }, (_, i) => flat.slice(i * this.numTasks, (i + 1) * this.numTasks));
  }

  state(): GradVacState {
    return { method: 'gradvac', numTasks: this.numTasks, rng: this.#rng.state(), targets: this.targets() };
  }

  restore(state: SurgeryState): void {
    checkSurgeryState(state, 'gradvac', this.numTasks);
    const { targets, rng } = state as GradVacState;
    const k = this.numTasks;
    if (!Array.isArray(targets) || targets.length !== k || !targets.every((row) => Array.isArray(row) && row.length === k)) {
      throw new CheckpointError(`gradvac state: targets must be a ${k}×${k} array of numbers, got ${JSON.stringify(targets)}`);
    }
    if (!targets.flat().every((v) => typeof v === 'number' && v >= -1 && v <= 1))
      throw new CheckpointError(`gradvac state: every target is a cosine in [−1, 1], got ${JSON.stringify(targets)}`);
    const restored = Rng.fromState(rng);
    const device = this.#targets.device;
    this.#targets.dispose();
    this.#targets = keep(tensor(targets as number[][], { dtype: 'float64', device }));
    this.#rng = restored;
  }

  dispose(): void {
    this.#targets.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
