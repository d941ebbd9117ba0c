/**
 * MGDA-UB: Sener and Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018.
 * The update is the point of minimum norm in the convex hull of the task gradients,
 *
 *   min_{α ∈ Δ} ‖Σ_k α_k g_k‖²   (Δ the simplex: α ≥ 0, Σ α = 1),
 *
 * which is a common descent direction of every task unless it is zero (then the point is Pareto
 * stationary). Two tasks have the closed form of Algorithm 1: α_1 = γ, α_2 = 1 − γ with
 * γ = clamp((g_2 − g_1)·g_2 / ‖g_1 − g_2‖², 0, 1). More tasks use the Frank–Wolfe solver of
 * Algorithm 2 from the uniform α, with away steps added (see minNormCoefficients).
 *
 * The -UB ("upper bound") variant solves the same problem for the gradients w.r.t. the shared
 * representation Z (one backward pass that stops at Z) and back-propagates Σ_k α_k L_k:
 * `mgdaWeights(gramian(taskJacobian(losses, [Z])))`. Given the gradients w.r.t. shared parameters it
 * is plain MGDA. The gradients are used as they come (the authors' code can also normalise them by
 * norm or loss; not done here).
 */
import { ConfigError } from '../../errors.js';
import { tensor, tidy, type Tensor } from '../../tensor/index.js';
import { checkGramian, checkJacobian, combineRows, gramian, readGramian } from './gramian.js';
import { checkSurgeryState, type GradientSurgery, type StatelessSurgeryState, type SurgeryState } from './types.js';

export interface MgdaOptions {
  /** Frank–Wolfe iterations at most (K ≥ 3); default 1000. */
  readonly maxIterations?: number | undefined;
  /** Stop when the Frank–Wolfe duality gap ‖ḡ‖² − min_t g_t·ḡ is at most this × max_k ‖g_k‖²; default 1e-14. */
  readonly tolerance?: number | undefined;
}

/**
 * Algorithm 1: argmin_{γ ∈ [0, 1]} ‖γθ + (1 − γ)θ̄‖², from the products θ·θ, θ·θ̄ and θ̄·θ̄.
 * @returns γ, the share of θ.
 */
export function minNormGamma(tt: number, tb: number, bb: number): number {
  if (tb >= tt) return 1;
  if (tb >= bb) return 0;
  return (bb - tb) / (tt + bb - 2 * tb);
}

/**
 * The minimum-norm coefficients α (K) on the simplex for the Gramian M (host numbers, float64):
 * the closed form for K ≤ 2, Frank–Wolfe with away steps for K ≥ 3.
 *
 * Algorithm 2 alone (a step towards the vertex e_t of the smallest (Mα)_t, with Algorithm 1's exact
 * line search) converges like O(1/t) when the solution lies on a face of the simplex: it zigzags,
 * and on three random gradients in R⁵ is still 1e-3 off after 10⁴ steps. So each iteration also
 * considers the away step from the active vertex s of the largest (Mα)_s, and takes whichever has
 * the larger duality gap (Guélat and Marcotte 1986; linear convergence: Lacoste-Julien and Jaggi,
 * "On the Global Linear Convergence of Frank-Wolfe Optimization Variants", NeurIPS 2015). The
 * Frank–Wolfe step itself is exactly Algorithm 2's.
 * @param m M (K, K), M_ij = g_i·g_j.
 */
export function minNormCoefficients(m: readonly (readonly number[])[], options: MgdaOptions = {}): number[] {
  const k = m.length;
  const maxIterations = options.maxIterations ?? 1000;
  const tolerance = options.tolerance ?? 1e-14;
  if (!Number.isSafeInteger(maxIterations) || maxIterations < 0)
    throw new ConfigError(`mgda: maxIterations must be a non-negative integer, got ${String(maxIterations)}`);
  if (!(tolerance >= 0)) throw new ConfigError(`mgda: tolerance must be ≥ 0, got ${String(tolerance)}`);
  if (k === 1) return [1];
  if (k === 2) {
    const gamma = minNormGamma(m[0]![0]!, m[0]![1]!, m[1]![1]!); // θ = g_1, θ̄ = g_2
    return [gamma, 1 - gamma];
  }
  const times = (v: readonly number[]): number[] => m.map((row) => row.reduce((s, x, j) => s + x * v[j]!, 0));
  const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, j) => s + x * b[j]!, 0);
  const scale = Math.max(...m.map((row, i) => row[i]!)); // the largest ‖g_k‖²: the gap is measured against it
  const alpha = new Array<number>(k).fill(1 / k);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const ma = times(alpha); // (Mα)_r = g_r·ḡ, ḡ = Σ α_j g_j
    const bb = dot(alpha, ma); // ‖ḡ‖²
    let t = 0;
    let s = -1;
    for (let r = 0; r < k; r++) {
      if (ma[r]! < ma[t]!) t = r;
      if (alpha[r]! > 0 && (s < 0 || ma[r]! > ma[s]!)) s = r;
    }
    const gapToward = bb - ma[t]!; // ≥ ‖ḡ‖² − min‖·‖²: bounds the suboptimality
    if (gapToward <= tolerance * scale) break;
    const away = ma[s]! - bb > gapToward && alpha[s]! < 1;
    // direction d: towards e_t (Algorithm 2), or away from e_s; the largest step keeps α on the simplex
    const d = alpha.map((a, j) => (away ? a - (j === s ? 1 : 0) : (j === t ? 1 : 0) - a));
    const largest = away ? alpha[s]! / (1 - alpha[s]!) : 1;
    const curvature = dot(d, times(d)); // ‖Σ d_j g_j‖²
    const gamma = curvature > 0 ? Math.min(-dot(ma, d) / curvature, largest) : largest; // exact line search (Algorithm 1 for a step towards e_t)
    for (let j = 0; j < k; j++) alpha[j] = Math.max(alpha[j]! + gamma * d[j]!, 0);
    if (away && gamma === largest) alpha[s] = 0; // the away vertex leaves the active set
  }
  const total = alpha.reduce((a, b) => a + b, 0);
  return alpha.map((a) => a / total);
}

/**
 * MGDA's coefficients α (K) from the Gramian: one device sync of K² numbers, solved on the host in float64.
 * @param gramian M = GGᵀ (K, K) float32/float64 of task gradients (of shared parameters, or of the shared representation for -UB).
 * @returns α (K) float64 on M's device: non-negative, summing to 1.
 */
export function mgdaWeights(gramian: Tensor, options: MgdaOptions = {}): Tensor {
  const k = checkGramian(gramian, 'mgda');
  return tensor(minNormCoefficients(readGramian(gramian, k), options), { dtype: 'float64', device: gramian.device });
}

/**
 * The minimum-norm point in the convex hull of the task gradients.
 * @param jacobian G (K, P) float32/float64. @returns (P) in G's dtype.
 * @example
 *   mgda(tensor([[1, 0], [0, 2]])).toFlatArray(); // [0.8, 0.4]: γ = ((g2−g1)·g2)/‖g1−g2‖² = 4/5
 */
export function mgda(jacobian: Tensor, options: MgdaOptions = {}): Tensor {
  checkJacobian(jacobian, 'mgda');
  return tidy(() => combineRows(mgdaWeights(gramian(jacobian), options), jacobian));
}

/** MGDA behind the GradientSurgery interface (no state). */
export class MGDA implements GradientSurgery {
  readonly method = 'mgda';
  readonly numTasks: number;
  readonly options: MgdaOptions;

  constructor(numTasks: number, options: MgdaOptions = {}) {
    if (!Number.isSafeInteger(numTasks) || numTasks < 1) throw new ConfigError(`mgda needs K ≥ 1 tasks, got ${String(numTasks)}`);
    this.numTasks = numTasks;
    this.options = { ...options };
    minNormCoefficients([[1]], this.options); // checks the options now
  }

  weights(gramian: Tensor): Tensor {
    const k = checkGramian(gramian, 'mgda');
    if (k !== this.numTasks) throw new ConfigError(`mgda was made for ${this.numTasks} tasks, got a Gramian of ${k}`);
    return mgdaWeights(gramian, this.options);
  }

  combine(jacobian: Tensor): Tensor {
    checkJacobian(jacobian, 'mgda');
    return tidy(() => combineRows(this.weights(gramian(jacobian)), jacobian));
  }

  state(): StatelessSurgeryState {
    return { method: 'mgda', numTasks: this.numTasks };
  }

  restore(state: SurgeryState): void {
    checkSurgeryState(state, 'mgda', this.numTasks);
  }

  dispose(): void {}

  [Symbol.dispose](): void {
    this.dispose();
  }
}
