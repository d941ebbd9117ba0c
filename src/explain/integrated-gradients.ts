/**
 * Integrated gradients (Sundararajan, Taly and Yan, "Axiomatic Attribution for Deep Networks", ICML
 * 2017, eq. 1 and its Riemann approximation, eq. 3): the attribution of input feature i to a scalar
 * output F is (xᵢ − x'ᵢ) · ∫₀¹ ∂F(x' + α(x − x'))/∂xᵢ dα, for an input x and a baseline x'. The
 * attributions add up to F(x) − F(x') (completeness, their Proposition 1); an approximation of the
 * integral misses it by the completeness gap |Σᵢ attributionᵢ − (F(x) − F(x'))|, which shrinks as the
 * number of steps grows and is reported with every explanation.
 *
 * Here x is a sequence's embeddings (T, H) and the attribution of a token is the sum of its H
 * features' attributions. All m + 1 points α = 0, 1/m, …, 1 run as one batch through the model, so one
 * forward pass and one backward pass per explained output give every gradient; F(x') and F(x) are the
 * batch's first and last rows.
 */
import { ConfigError, ShapeError } from '../errors.js';
import { enableGrad, grad, tensor, tidy, type Tensor } from '../tensor/index.js';
import { INTEGRATION_RULES, type IntegrationRule } from './choices.js';

/** The m + 1 points α = k/m (k = 0 … m) and the weight of each point's gradient in the integral (they sum to 1). */
export function integrationPoints(steps: number, rule: IntegrationRule): { alphas: number[]; weights: number[] } {
  if (!Number.isInteger(steps) || steps < 1) throw new ConfigError(`integrated gradients: steps must be an integer ≥ 1, got ${steps}`);
  if (!INTEGRATION_RULES.includes(rule))
    throw new ConfigError(`integrated gradients: rule must be one of ${INTEGRATION_RULES.join(', ')}, got '${String(rule)}'`);
  const alphas = Array.from({ length: steps + 1 }, (_, k) => k / steps);
  const weights = alphas.map((_, k) => {
    if (rule === 'riemann-right') return k === 0 ? 0 : 1 / steps;
    return k === 0 || k === steps ? 1 / (2 * steps) : 1 / steps;
  });
  return { alphas, weights };
}

export interface IntegratedGradientsOptions {
  /** m, the number of steps of the path (m + 1 points run as one batch). */
  readonly steps: number;
  readonly rule: IntegrationRule;
}

/** Integrated gradients of K outputs over T positions. */
export interface IntegratedGradientsResult {
  /** (K, T) attribution of each position to each output, summed over the embedding dimension H. */
  readonly attributions: number[][];
  /** (K) F(x): each output at the input. */
  readonly outputs: number[];
  /** (K) F(x'): each output at the baseline. */
  readonly baselineOutputs: number[];
  /** (K) |Σₜ attributionₜ − (F(x) − F(x'))|, the error of the approximation of the integral (in the output's units). */
  readonly completenessGaps: number[];
}

/**
 * Integrated gradients of the K outputs of `forward` with respect to its input embeddings.
 * @param forward points (n, T, H) → outputs (n, K), row by row (row i's outputs depend on row i
 *   alone: a model in evaluation mode). Called once, with gradients enabled.
 * @param input x, (T, H) float.
 * @param baseline x', (T, H) float.
 * @returns plain numbers; every tensor made here is freed.
 * @throws ShapeError when input and baseline differ in shape or `forward` does not return (n, K).
 * @example
 *   const { attributions } = integratedGradients((p) => p.sum([1, 2]).unsqueeze(1), x, zerosLike(x), { steps: 8, rule: 'trapezoid' });
 */
export function integratedGradients(
  forward: (points: Tensor) => Tensor,
  input: Tensor,
  baseline: Tensor,
  options: IntegratedGradientsOptions,
): IntegratedGradientsResult {
  if (input.shape.length !== 2 || input.shape.join() !== baseline.shape.join())
    throw new ShapeError(`integrated gradients: input and baseline must both be (T, H), got [${input.shape}] and [${baseline.shape}]`);
  const { alphas, weights } = integrationPoints(options.steps, options.rule);
  const n = alphas.length;
  return tidy(() =>
    enableGrad(() => {
      const delta = input.sub(baseline).detach(); // (T, H)
      const alpha = tensor(alphas, { dtype: input.dtype }).view([n, 1, 1]);
      const points = baseline
        .detach()
        .unsqueeze(0)
        .add(alpha.mul(delta.unsqueeze(0)))
        .requiresGrad_(); // (n, T, H), a leaf
      const out = forward(points); // (n, K)
      if (out.shape.length !== 2 || out.shape[0] !== n)
        throw new ShapeError(`integrated gradients: forward must return (n, K) = (${n}, K) outputs, got [${out.shape}]`);
      const K = out.shape[1] as number;
      const w = tensor(weights, { dtype: input.dtype }).view([n, 1, 1]);
      const values = out.detach().toArray() as number[][]; // (n, K)
      const attributions = Array.from({ length: K }, (_, k) => {
        const [g] = grad(out.select(1, k).sum(), [points], { retainGraph: k < K - 1 }); // (n, T, H)
        return g!.mul(w).sum(0).mul(delta).sum(-1).toArray() as number[]; // Σᵢ wᵢ ∂F/∂x at αᵢ, times (x − x'), summed over H: (T)
      });
      const outputs = values[n - 1]!;
      const baselineOutputs = values[0]!;
      const completenessGaps = attributions.map((a, k) => Math.abs(a.reduce((s, v) => s + v, 0) - (outputs[k]! - baselineOutputs[k]!)));
      return { attributions, outputs, baselineOutputs, completenessGaps };
    }),
  );
}
