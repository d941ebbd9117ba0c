/**
 * The geometry of an embedding perturbation δ: its norm per example, the ascent direction of a
 * gradient, and the projection back onto the ε-ball. A perturbation of one pass may have several
 * parts (one per input-embedding lookup: an encoder-decoder looks up its encoder's and its decoder's
 * tokens), each (B, …); the norm of example b is taken over all of its parts together, as Miyato et
 * al. (ICLR 2017, eq. 4) normalise the whole embedded sequence and FreeLB (Zhu et al., ICLR 2020,
 * Algorithm 1) the Frobenius norm of each example's δ.
 */
import { ConfigError } from '../../errors.js';
import { maximum, noGrad, sqrt, stack, tidy, type Tensor } from '../../tensor/index.js';

/** 'l2': Euclidean norm per example; 'linf': largest absolute entry per example. */
export type PerturbationNorm = 'l2' | 'linf';

/** Below this a norm counts as zero (the direction of a zero gradient is zero, not NaN). */
const TINY = 1e-12;

/** (B) → (B, 1, …, 1) to broadcast over a part of rank `rank`. */
const perExample = (n: Tensor, rank: number): Tensor => n.view([n.shape[0] as number, ...Array<number>(rank - 1).fill(1)]);

function checkParts(parts: readonly Tensor[]): void {
  if (parts.length === 0) throw new ConfigError('a perturbation needs at least one part (the pass looked up no input embedding)');
  const B = parts[0]!.shape[0];
  for (const p of parts)
    if (p.shape.length < 2 || p.shape[0] !== B)
      throw new ConfigError(`every part of a perturbation must be (B, …) with B = ${B}, got [${p.shape.join(', ')}]`);
}

/**
 * ‖δ_b‖ of each example b over all parts: √(Σ δ²) for 'l2', max |δ| for 'linf'.
 * @param parts each (B, …) float.
 * @returns (B) float, not attached to any graph.
 */
export function exampleNorms(parts: readonly Tensor[], norm: PerturbationNorm): Tensor {
  checkParts(parts);
  return noGrad(() =>
    tidy(() => {
      if (norm === 'l2') return sqrt(stack(parts.map((p) => p.pow(2).flatten(1).sum(1))).sum(0)); // (B)
      return parts.map((p) => p.abs().flatten(1).maxDim(1)[0]).reduce((a, b) => maximum(a, b)); // (B)
    }),
  );
}

/**
 * The unit ascent direction g/‖g‖ of each example (zero where g is zero): g/‖g‖₂ for 'l2' (FGM's
 * r = ε·g/‖g‖₂, Miyato et al. 2017, eq. 2), g/‖g‖∞ for 'linf' (SMART's ascent step, Jiang et al.,
 * ACL 2020, Algorithm 1).
 * @param grads the gradient's parts, each (B, …).
 * @returns one tensor per part, same shapes, not attached to any graph.
 */
export function ascentDirection(grads: readonly Tensor[], norm: PerturbationNorm): Tensor[] {
  return noGrad(() =>
    tidy(() => {
      const n = exampleNorms(grads, norm).clamp(TINY); // (B)
      return grads.map((g) => g.div(perExample(n, g.shape.length)));
    }),
  );
}

/**
 * Π_ε: δ projected onto the ball of radius ε per example: δ·min(1, ε/‖δ‖₂) for 'l2', each entry
 * clamped to [−ε, ε] for 'linf' (Madry et al., ICLR 2018, eq. 2's projection).
 * @param deltas the parts of δ, each (B, …).
 * @returns one tensor per part, same shapes, not attached to any graph.
 */
export function projectToBall(deltas: readonly Tensor[], norm: PerturbationNorm, epsilon: number): Tensor[] {
  if (!(epsilon > 0)) throw new ConfigError(`the perturbation radius ε must be positive, got ${epsilon}`);
  return noGrad(() =>
    tidy(() => {
      if (norm === 'linf') return deltas.map((d) => d.clamp(-epsilon, epsilon));
      const scale = exampleNorms(deltas, 'l2').clamp(TINY).reciprocal().mul(epsilon).clamp(undefined, 1); // (B) min(1, ε/‖δ‖)
      return deltas.map((d) => d.mul(perExample(scale, d.shape.length)));
    }),
  );
}

/**
 * One projected ascent step: Π_ε(δ + α·g/‖g‖) (PGD, Madry et al. 2018; FreeLB, Zhu et al. 2020,
 * Algorithm 1 line 8; SMART, Jiang et al. 2020, Algorithm 1 line 7). Parts pair up by position.
 */
export function ascentStep(deltas: readonly Tensor[], grads: readonly Tensor[], options: AscentOptions): Tensor[] {
  if (deltas.length !== grads.length) throw new ConfigError(`δ has ${deltas.length} parts but its gradient ${grads.length}`);
  return noGrad(() =>
    tidy(() => {
      const dir = ascentDirection(grads, options.norm);
      return projectToBall(
        deltas.map((d, i) => d.add(dir[i]!.mul(options.stepSize))),
        options.norm,
        options.epsilon,
      );
    }),
  );
}

/** What a projected ascent step needs: the norm, the step size α and the radius ε. */
export interface AscentOptions {
  readonly norm: PerturbationNorm;
  readonly stepSize: number;
  readonly epsilon: number;
}
