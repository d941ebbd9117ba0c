/**
 * Elastic weight consolidation (Kirkpatrick et al., "Overcoming catastrophic forgetting in neural
 * networks", PNAS 2017, eq. 3): training on new data minimises L_new(θ) + Σ_i λ/2 · F_i (θ_i − θ*_i)²,
 * where θ* are the weights after the earlier tasks and F the diagonal of the Fisher information
 * computed on their data, so weights that mattered to them move little. F is estimated as the mean
 * over examples of the squared per-example gradient of the task's loss at θ* with the gold labels
 * (the "empirical Fisher", as most implementations do; the paper's expectation samples the label from
 * the model). With several earlier tasks their Fishers add up (one penalty per task, the same θ*).
 *
 * The penalty's gradient λ·F⊙(θ − θ*) is added to the parameters' gradients once per optimizer step
 * (`addGradients`, before clipping), which equals back-propagating the penalty without building its graph.
 */
import { add_, addcmul_, clone, grad, mul, noGrad, sub, sum, tidy, zerosLike, type Tensor } from '../tensor/index.js';

/**
 * The diagonal Fisher estimate: mean over i < count of g_i ⊙ g_i, g_i = ∂ lossOf(i) / ∂ params (the
 * graph of each loss freed after its gradient). Parameters a loss does not reach get zeros.
 * @param lossOf the scalar loss of example i (made inside a tidy scope here).
 * @returns one tensor per parameter, its shape; the caller owns them.
 */
export function fisherDiagonal(params: readonly Tensor[], count: number, lossOf: (i: number) => Tensor): Tensor[] {
  const fisher = params.map((p) => noGrad(() => zerosLike(p)));
  for (let i = 0; i < count; i++) {
    tidy(() => {
      const grads = grad(lossOf(i), params, { allowUnused: true });
      noGrad(() => grads.forEach((g, k) => g !== undefined && addcmul_(fisher[k]!, g, g, 1 / count)));
    });
  }
  return fisher;
}

/** The EWC penalty of a set of parameters against their anchors θ* (taken when it is made). */
export class Ewc implements Disposable {
  readonly lambda: number;
  readonly #params: readonly Tensor[];
  readonly #anchors: Tensor[];
  readonly #fisher: Tensor[];

  /**
   * @param params the parameters held near their present values (θ*, copied now).
   * @param fisher F per parameter, same shapes (owned by this object from here on).
   * @param lambda λ, the penalty's strength.
   */
  constructor(params: readonly Tensor[], fisher: Tensor[], lambda: number) {
    this.lambda = lambda;
    this.#params = params;
    this.#anchors = params.map((p) => noGrad(() => clone(p)));
    this.#fisher = fisher;
  }

  /** λ/2 Σ F (θ − θ*)² as a scalar tensor in the autograd graph (for checks; training uses `addGradients`). */
  penaltyTensor(): Tensor {
    return tidy(() => {
      let total: Tensor | undefined;
      this.#params.forEach((p, k) => {
        const d = sub(p, this.#anchors[k]!);
        const term = sum(mul(this.#fisher[k]!, mul(d, d)));
        total = total === undefined ? term : total.add(term);
      });
      return mul(total!, this.lambda / 2);
    });
  }

  /** λ/2 Σ F (θ − θ*)², a number. */
  penalty(): number {
    return tidy(() => noGrad(() => this.penaltyTensor().item() as number));
  }

  /** Adds the penalty's gradient λ F (θ − θ*) to each parameter's `.grad` (made when absent). */
  addGradients(): void {
    tidy(() =>
      noGrad(() => {
        this.#params.forEach((p, k) => {
          const g = mul(mul(this.#fisher[k]!, sub(p, this.#anchors[k]!)), this.lambda);
          const current = p.grad;
          if (current === undefined)
            p.grad = g; // the parameter holds the storage; the handle goes with the scope
          else add_(current, g);
        });
      }),
    );
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    for (const t of [...this.#anchors, ...this.#fisher]) t.dispose();
    this.#anchors.length = 0;
    this.#fisher.length = 0;
  }
}
