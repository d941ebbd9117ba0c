/**
 * The named choices of an explanation's settings, apart from the code that computes explanations, so
 * that `mtl`'s command definitions can check `--explain-baseline` and `--explain-rule` without loading
 * the tensor and model modules (src/cli/commands/predict.ts).
 */

/** What the integration path starts from at the text's tokens (special tokens keep their embeddings). */
export type IgBaseline = 'pad' | 'zero';
export const IG_BASELINES: readonly IgBaseline[] = ['pad', 'zero'];

/**
 * How the integral over α is approximated on m steps: 'trapezoid', the trapezoidal rule over
 * α = 0, 1/m, …, 1 (error O(1/m²) for a smooth path); 'riemann-right', the paper's eq. 3,
 * (1/m) Σₖ₌₁..ₘ of the gradient at α = k/m (error O(1/m)).
 */
export type IntegrationRule = 'trapezoid' | 'riemann-right';
export const INTEGRATION_RULES: readonly IntegrationRule[] = ['trapezoid', 'riemann-right'];
