/**
 * CAGrad, conflict-averse gradient descent: Liu, Liu, Jin, Stone and Liu, "Conflict-Averse Gradient
 * Descent for Multi-task Learning", NeurIPS 2021, Algorithm 1. With g0 the mean gradient:
 *
 *   w* = argmin_{w ∈ Δ} g_wᵀg0 + c‖g0‖·‖g_w‖,   g_w = Σ_k w_k g_k       (the dual problem, over the simplex)
 *   d  = g0 + (c‖g0‖ / ‖g_w*‖) g_w*
 *
 * and, as the authors' code does by default (`rescale=1`), the update is d / (1 + c²), so its scale
 * stays near the mean gradient's ('none' keeps d, 'c' divides by 1 + c). c = 0 gives the mean
 * gradient exactly; c → ∞ approaches MGDA. The paper uses c ∈ [0.1, 0.9], 0.4–0.5 on its benchmarks.
 *
 * The authors solve the dual with scipy's SLSQP; here projected gradient descent on the simplex
 * (Euclidean projection of Duchi et al., ICML 2008) with backtracking, in float64 on the host from
 * the Gramian (one device sync of K² numbers per step; none when c = 0).
 */
import { ConfigError } from '../../errors.js';
import { full, tensor, tidy, type Tensor } from '../../tensor/index.js';
import { checkGramian, checkJacobian, combineRows, gramian, readGramian } from './gramian.js';
import { checkSurgeryState, type GradientSurgery, type StatelessSurgeryState, type SurgeryState } from './types.js';

export interface CagradOptions {
  /** c ≥ 0, the radius of the ball around g0 (in units of ‖g0‖); default 0.5. */
  readonly c?: number | undefined;
  /** Division of d: 'c2' by 1 + c² (the authors' default, here too), 'c' by 1 + c, 'none'. */
  readonly rescale?: 'c2' | 'c' | 'none' | undefined;
  /** Iterations of the dual solver at most; default 1000 (a few dozen are typical). */
  readonly maxIterations?: number | undefined;
  /** Stop when one step changes w by less than this in L1 norm (or stops lowering the objective); default 1e-10. */
  readonly tolerance?: number | undefined;
}

interface Resolved {
  c: number;
  rescale: 'c2' | 'c' | 'none';
  maxIterations: number;
  tolerance: number;
}

function resolve(options: CagradOptions): Resolved {
  const { c = 0.5, rescale = 'c2', maxIterations = 1000, tolerance = 1e-10 } = options;
  if (typeof c !== 'number' || !(c >= 0) || !Number.isFinite(c))
    throw new ConfigError(`cagrad: c must be a finite number ≥ 0, got ${String(c)}`);
  if (rescale !== 'c2' && rescale !== 'c' && rescale !== 'none')
    throw new ConfigError(`cagrad: rescale must be 'c2', 'c' or 'none', got ${String(rescale)}`);
  if (!Number.isSafeInteger(maxIterations) || maxIterations < 0)
    throw new ConfigError(`cagrad: maxIterations must be a non-negative integer, got ${String(maxIterations)}`);
  if (!(tolerance >= 0)) throw new ConfigError(`cagrad: tolerance must be ≥ 0, got ${String(tolerance)}`);
  return { c, rescale, maxIterations, tolerance };
}

/** The Euclidean projection of v onto the simplex {w ≥ 0, Σw = 1} (Duchi, Shalev-Shwartz, Singer and Chandra, ICML 2008, Figure 1). */
export function projectToSimplex(v: readonly number[]): number[] {
  const u = [...v].sort((a, b) => b - a);
  let sum = 0;
  let theta = 0;
  for (let j = 0; j < u.length; j++) {
    sum += u[j]!;
    const t = (sum - 1) / (j + 1);
    if (u[j]! - t > 0) theta = t;
  }
  return v.map((x) => Math.max(x - theta, 0));
}

const quad = (m: readonly (readonly number[])[], a: readonly number[], b: readonly number[]): number =>
  m.reduce((s, row, i) => s + a[i]! * row.reduce((t, v, j) => t + v * b[j]!, 0), 0);

/**
 * w* of the dual problem above, for the Gramian M (host numbers): projected gradient descent from the
 * uniform w, with the step halved until the quadratic upper bound holds and doubled after each success.
 */
function solveDual(m: readonly (readonly number[])[], c: number, maxIterations: number, tolerance: number): number[] {
  const k = m.length;
  const mean = new Array<number>(k).fill(1 / k);
  const b = m.map((row) => row.reduce((s, v) => s + v / k, 0)); // (K) g_k·g0
  const radius = c * Math.sqrt(Math.max(quad(m, mean, mean), 0)); // c‖g0‖
  const objective = (w: readonly number[]): number =>
    w.reduce((s, v, i) => s + v * b[i]!, 0) + radius * Math.sqrt(Math.max(quad(m, w, w), 0));
  const gradient = (w: readonly number[]): number[] => {
    const mw = m.map((row) => row.reduce((s, v, j) => s + v * w[j]!, 0));
    const norm = Math.sqrt(
      Math.max(
        mw.reduce((s, v, i) => s + v * w[i]!, 0),
        0,
      ),
    );
    return b.map((bi, i) => bi + (norm > 0 ? (radius * mw[i]!) / norm : 0));
  };
  const scale = m.reduce((s, row, i) => s + row[i]!, 0) / k; // mean ‖g_k‖²: the objective scales with it
  let step = scale > 0 ? 1 / scale : 1;
  let w = mean;
  let f = objective(w);
  // Stops when w moves less than `tolerance`, or when a step no longer lowers the objective measurably:
  // near the optimum the objective is flat to float64 rounding, so w is only determined to about 1e-8.
  const noise = 1e-14 * Math.max(scale, Math.abs(f));
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const g = gradient(w);
    let next = w;
    let fNext = f;
    let accepted = false;
    for (let halvings = 0; halvings < 60 && !accepted; halvings++) {
      next = projectToSimplex(w.map((v, i) => v - step * g[i]!));
      const moved = next.map((v, i) => v - w[i]!);
      const bound = f + moved.reduce((s, d, i) => s + d * g[i]!, 0) + moved.reduce((s, d) => s + d * d, 0) / (2 * step);
      fNext = objective(next);
      accepted = fNext <= bound + noise;
      if (!accepted) step /= 2;
    }
    if (!accepted || fNext > f) break;
    const change = next.reduce((s, v, i) => s + Math.abs(v - w[i]!), 0);
    const gain = f - fNext;
    w = next;
    f = fNext;
    step *= 2;
    if (change < tolerance || gain <= noise) break;
  }
  return w;
}

/**
 * CAGrad's task coefficients (K) for the Gramian M (host numbers): d = Σ_k (1/K + λ w*_k) g_k with
 * λ = c‖g0‖/‖g_w*‖, divided as `rescale` says.
 */
export function cagradCoefficients(m: readonly (readonly number[])[], options: CagradOptions = {}): number[] {
  const { c, rescale, maxIterations, tolerance } = resolve(options);
  const k = m.length;
  if (c === 0) return new Array<number>(k).fill(1 / k);
  const divisor = rescale === 'c2' ? 1 + c * c : rescale === 'c' ? 1 + c : 1;
  const w = solveDual(m, c, maxIterations, tolerance);
  const mean = new Array<number>(k).fill(1 / k);
  const g0Norm = Math.sqrt(Math.max(quad(m, mean, mean), 0));
  const gwNorm = Math.sqrt(Math.max(quad(m, w, w), 0));
  const lambda = gwNorm > 0 ? (c * g0Norm) / gwNorm : 0;
  return w.map((wk) => (1 / k + lambda * wk) / divisor);
}

/**
 * CAGrad's coefficients (K) from the Gramian.
 * @param gramian M = GGᵀ (K, K) float32/float64. @returns (K) float64 on M's device.
 */
export function cagradWeights(gramian: Tensor, options: CagradOptions = {}): Tensor {
  const k = checkGramian(gramian, 'cagrad');
  const resolved = resolve(options);
  // c = 0: the mean gradient (every rescaling divides by 1), without reading M back from the device
  if (resolved.c === 0) return full([k], 1 / k, { dtype: 'float64', device: gramian.device });
  return tensor(cagradCoefficients(readGramian(gramian, k), resolved), { dtype: 'float64', device: gramian.device });
}

/**
 * CAGrad's update from the per-task gradients.
 * @param jacobian G (K, P) float32/float64. @returns (P) in G's dtype.
 * @example
 *   cagrad(g, { c: 0 }); // the mean gradient, g.mean(0)
 */
export function cagrad(jacobian: Tensor, options: CagradOptions = {}): Tensor {
  checkJacobian(jacobian, 'cagrad');
  return tidy(() => combineRows(cagradWeights(gramian(jacobian), options), jacobian));
}

/** CAGrad behind the GradientSurgery interface (no state). */
export class CAGrad implements GradientSurgery {
  readonly method = 'cagrad';
  readonly numTasks: number;
  readonly options: CagradOptions;

  constructor(numTasks: number, options: CagradOptions = {}) {
    if (!Number.isSafeInteger(numTasks) || numTasks < 1) throw new ConfigError(`cagrad needs K ≥ 1 tasks, got ${String(numTasks)}`);
    this.numTasks = numTasks;
    this.options = resolve(options);
  }

  weights(gramian: Tensor): Tensor {
    const k = checkGramian(gramian, 'cagrad');
    if (k !== this.numTasks) throw new ConfigError(`cagrad was made for ${this.numTasks} tasks, got a Gramian of ${k}`);
    return cagradWeights(gramian, this.options);
  }

  combine(jacobian: Tensor): Tensor {
    checkJacobian(jacobian, 'cagrad');
    return tidy(() => combineRows(this.weights(gramian(jacobian)), jacobian));
  }

  state(): StatelessSurgeryState {
    return { method: 'cagrad', numTasks: this.numTasks };
  }

  restore(state: SurgeryState): void {
    checkSurgeryState(state, 'cagrad', this.numTasks);
  }

  dispose(): void {}

  [Symbol.dispose](): void {
    this.dispose();
  }
}
