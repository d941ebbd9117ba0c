/**
 * First-order meta-learning over a mixture of tasks (Nichol, Achiam and Schulman, "On First-Order
 * Meta-Learning Algorithms", arXiv:1803.02999, 2018): from the shared weights θ, a task's inner loop
 * takes k plain SGD steps on its support batches, φ = U_k(θ); then
 * - first-order MAML (FOMAML; Finn et al., ICML 2017, §5.2, with the second-order terms dropped):
 *   the outer gradient is the query batch's loss gradient at the adapted weights, g = ∇L_q(φ);
 * - Reptile (their Algorithm 1): θ ← θ + ε(φ − θ); as a gradient for an outer optimizer, g = θ − φ
 *   (SGD with learning rate ε then makes exactly Reptile's update; with Adam it is their §6 variant).
 * The inner loop runs in place on the model's parameters and θ is put back afterwards, so the caller
 * hands `g` to its own optimizer (AdamW with the run's schedule) as any other gradient.
 */
import { ShapeError } from '../../errors.js';
import { grad, keep, noGrad, tidy, type Tensor } from '../../tensor/index.js';

/**
 * Reptile's update in place: θ ← θ + ε(φ − θ) for each pair (Nichol et al. 2018, Algorithm 1).
 * @param theta the shared weights, updated in place (parameters: run under no autograd).
 * @param phi the weights a task's inner loop reached, same shapes.
 * @param epsilon ε, the outer step size (0 keeps θ, 1 takes φ).
 * @throws ShapeError when the lists differ in length or shapes.
 */
export function reptileUpdate_(theta: readonly Tensor[], phi: readonly Tensor[], epsilon: number): void {
  checkPairs(theta, phi);
  noGrad(() => theta.forEach((t, i) => t.lerp_(phi[i]!, epsilon)));
}

/** Detached copies of `params`, kept out of every `tidy`; the caller disposes them. */
export function snapshot(params: readonly Tensor[]): Tensor[] {
  return params.map((p) => keep(tidy(() => noGrad(() => p.detach().clone()))));
}

/** Copies `saved` back into `params`, in place. */
export function restore_(params: readonly Tensor[], saved: readonly Tensor[]): void {
  checkPairs(params, saved);
  noGrad(() => params.forEach((p, i) => p.copy_(saved[i]!)));
}

/**
 * The inner loop: for i = 0 … steps − 1, θ ← θ − α ∇L_i(θ) in place, L_i = `lossOf(i)` (a scalar made
 * with autograd from `params`; parameters it does not reach keep their value).
 * @param innerLr α, the inner SGD learning rate.
 */
export function innerSgd_(params: readonly Tensor[], lossOf: (i: number) => Tensor, steps: number, innerLr: number): void {
  for (let i = 0; i < steps; i++) {
    tidy(() => {
      const grads = grad(lossOf(i), params, { allowUnused: true });
      noGrad(() => params.forEach((p, j) => grads[j] && p.add_(grads[j], -innerLr)));
    });
  }
}

/** What one task's episode gives the outer step. */
export interface EpisodeResult {
  /** The outer gradient of each parameter (same shapes); the caller owns them. */
  readonly gradients: Tensor[];
  /** The query loss at the adapted weights (FOMAML) or the last support loss (Reptile), for the log. */
  readonly loss: number;
}

/**
 * FOMAML's outer gradient for one task: adapt `params` by `steps` SGD steps on the support losses,
 * take g = ∇L_q(φ) of the query loss at the adapted weights, and put θ back.
 * @param support L_i for inner step i (made with autograd from `params`).
 * @param query L_q, evaluated once at φ.
 */
export function fomamlGradients(
  params: readonly Tensor[],
  support: (i: number) => Tensor,
  query: () => Tensor,
  steps: number,
  innerLr: number,
): EpisodeResult {
  const theta = snapshot(params);
  try {
    innerSgd_(params, support, steps, innerLr);
    return tidy(() => {
      const loss = query();
      const grads = grad(loss, params, { allowUnused: true });
      const gradients = params.map((p, j) => keep(grads[j] ?? noGrad(() => p.mul(0))));
      return { gradients, loss: loss.item() as number };
    });
  } finally {
    restore_(params, theta);
    theta.forEach((t) => t.dispose());
  }
}

/**
 * Reptile's outer gradient for one task: adapt `params` by `steps` SGD steps on the support losses
 * to φ, put θ back, and return g = θ − φ (an outer SGD step of ε then gives θ + ε(φ − θ)).
 */
export function reptileGradients(params: readonly Tensor[], support: (i: number) => Tensor, steps: number, innerLr: number): EpisodeResult {
  const theta = snapshot(params);
  try {
    let loss = NaN;
    innerSgd_(
      params,
      (i) => {
        const l = support(i);
        loss = l.item() as number;
        return l;
      },
      steps,
      innerLr,
    );
    const gradients = tidy(() => noGrad(() => params.map((p, j) => keep(theta[j]!.sub(p)))));
    return { gradients, loss };
  } finally {
    restore_(params, theta);
    theta.forEach((t) => t.dispose());
  }
}

function checkPairs(a: readonly Tensor[], b: readonly Tensor[]): void {
  if (a.length !== b.length) throw new ShapeError(`meta-learning: ${a.length} parameters but ${b.length} values to pair with them`);
  a.forEach((t, i) => {
    if (t.shape.join() !== b[i]!.shape.join())
      throw new ShapeError(`meta-learning: parameter ${i} is [${t.shape}] but its pair is [${b[i]!.shape}]`);
  });
}
