/**
 * What the surgery methods share: checks at the boundary, the Gramian M = GGᵀ of the per-task
 * gradients, the update wᵀG, and the visiting order of tasks.
 *
 * Every method here is a function of the Gramian M (K, K) giving task coefficients w (K), so that its
 * update is Σ_k w_k g_k = wᵀG: the K×K work never touches the P-long rows, and G is read twice in
 * all (once for M, once for wᵀG). This is the "weighting of a Gramian" form of TorchJD's
 * aggregators (Quinton & Rey, "Jacobian Descent for Multi-Objective Optimization", 2024). The small
 * work is done in float64 whatever G's dtype.
 */
import { ConfigError, ShapeError } from '../../errors.js';
import { cast, noGrad, tidy, type Tensor } from '../../tensor/index.js';
import type { Rng } from '../../tensor/rng.js';

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Floor of a squared norm or a norm before dividing by it (float64): a zero gradient then gives 0/TINY = 0, not NaN. */
export const TINY = 1e-300;

/**
 * Checks a per-task gradient matrix G and returns [K, P].
 * @throws ShapeError unless G is 2-d (K ≥ 1, P ≥ 1) float32 or float64.
 */
export function checkJacobian(jacobian: Tensor, what: string): [number, number] {
  const shape = jacobian.shape;
  if (shape.length !== 2 || shape[0]! < 1 || shape[1]! < 1) {
    throw new ShapeError(
      `${what}: the per-task gradients must be a matrix (K tasks, P parameters) with K, P ≥ 1, got shape ${shapeText(shape)}; ` +
        'build it with taskJacobian(losses, params)',
    );
  }
  checkFloat(jacobian, what, 'the per-task gradients');
  return [shape[0]!, shape[1]!];
}

/**
 * Checks a Gramian M (K, K) and returns K.
 * @throws ShapeError unless M is square, float32 or float64.
 */
export function checkGramian(gramian: Tensor, what: string): number {
  const shape = gramian.shape;
  if (shape.length !== 2 || shape[0] !== shape[1] || shape[0]! < 1) {
    throw new ShapeError(`${what}: the Gramian GGᵀ must be a square matrix (K, K) with K ≥ 1, got shape ${shapeText(shape)}`);
  }
  checkFloat(gramian, what, 'the Gramian');
  return shape[0]!;
}

function checkFloat(t: Tensor, what: string, name: string): void {
  const dtype = t.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ShapeError(`${what}: ${name} must be float32 or float64, got ${dtype}; cast them with cast(t, 'float32')`);
  }
}

/**
 * M = GGᵀ (K, K) in float64: M_ij = g_i · g_j. The product runs in G's dtype (one pass over G), then
 * the small matrix is cast.
 * @param jacobian G (K, P) float32/float64.
 */
export function gramian(jacobian: Tensor): Tensor {
  checkJacobian(jacobian, 'gramian');
  return noGrad(() => tidy(() => cast(jacobian.matmul(jacobian.transpose(0, 1)), 'float64')));
}

/**
 * The update wᵀG = Σ_k w_k g_k (P), in G's dtype.
 * @param weights w (K) float32/float64. @param jacobian G (K, P).
 */
export function combineRows(weights: Tensor, jacobian: Tensor): Tensor {
  return noGrad(() => tidy(() => cast(weights, jacobian.dtype).matmul(jacobian)));
}

/** M (K, K) as float64 rows on the host: one device sync of K² numbers (for the iterative solvers). */
export function readGramian(gramian: Tensor, k: number): number[][] {
  const flat = noGrad(() => tidy(() => cast(gramian, 'float64').toFlatArray() as number[]));
  return Array.from({ length: k }, (_, i) => flat.slice(i * k, (i + 1) * k));
}

/**
 * The order in which task i visits the other tasks j: either one permutation of 0…K−1 used for every
 * i, or K permutations, one per task i (entry i of a permutation is skipped).
 */
export type TaskOrder = readonly number[] | readonly (readonly number[])[];

const isPermutation = (p: readonly number[], k: number): boolean =>
  p.length === k && new Set(p).size === k && p.every((v) => Number.isInteger(v) && v >= 0 && v < k);

/**
 * The tasks j ≠ i in the order task i visits them (natural order 0…K−1 when `order` is undefined).
 * @throws ConfigError when `order` is not a permutation of 0…K−1 or a list of K of them.
 */
export function visitOrder(order: TaskOrder | undefined, i: number, k: number, what: string): number[] {
  let perm: readonly number[];
  if (order === undefined) perm = Array.from({ length: k }, (_, j) => j);
  else if (order.length === k && order.every((p) => Array.isArray(p))) perm = order[i] as readonly number[];
  else perm = order as readonly number[];
  if (!isPermutation(perm, k)) {
    throw new ConfigError(
      `${what}: the task order must be a permutation of 0…${k - 1} (one for all tasks, or one per task), got ${JSON.stringify(order)}`,
    );
  }
  return perm.filter((j) => j !== i);
}

/** K independent uniform permutations of 0…K−1 (Fisher–Yates), one per task: the random order of PCGrad and GradVac. */
export function randomOrders(rng: Rng, k: number): number[][] {
  return Array.from({ length: k }, () => {
    const p = Array.from({ length: k }, (_, j) => j);
    for (let a = k - 1; a > 0; a--) {
      const b = Math.floor(rng.float() * (a + 1));
      [p[a], p[b]] = [p[b]!, p[a]!];
    }
    return p;
  });
}
