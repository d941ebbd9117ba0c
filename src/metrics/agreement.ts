/**
 * Agreement between two labelings beyond chance: Cohen's kappa (unweighted, or linear / quadratic
 * weights for ordinal classes; Cohen 1960, 1968) and the Matthews correlation coefficient (Matthews
 * 1975; its multi-class form by Gorodkin 2004). Both are read off the confusion matrix of
 * ./classification.ts. Semantics follow scikit-learn 1.2 (`cohen_kappa_score`, `matthews_corrcoef`),
 * checked against it by tests/metrics/agreement.test.ts (fixtures: scripts/fixtures/scores.py).
 */
import { confusionMatrix, type Label } from './classification.js';

/** Disagreement weights of Cohen's kappa: `none` counts every disagreement alike; `linear` |i − j|; `quadratic` (i − j)². */
export type KappaWeights = 'none' | 'linear' | 'quadratic';

/**
 * Cohen's kappa κ = 1 − Σ w·O / Σ w·E, with O the confusion matrix of `a` against `b`, E the matrix
 * expected by chance from their marginals, and w the disagreement weights (class order: `labels`, or
 * the sorted union). 1 = perfect agreement, 0 = chance, negative = worse than chance. NaN when both
 * raters give one same class throughout (0/0, as scikit-learn).
 */
export function cohenKappa(
  a: readonly Label[],
  b: readonly Label[],
  options: { weights?: KappaWeights; labels?: readonly Label[] } = {},
): number {
  const { matrix } = confusionMatrix(a, b, options.labels === undefined ? {} : { labels: options.labels });
  const k = matrix.length;
  const rows = matrix.map((row) => row.reduce((s, x) => s + x, 0));
  const cols = matrix.map((_, j) => matrix.reduce((s, row) => s + (row[j] as number), 0));
  const total = rows.reduce((s, x) => s + x, 0);
  const weight = (i: number, j: number): number => {
    if (options.weights === 'linear') return Math.abs(i - j);
    if (options.weights === 'quadratic') return (i - j) ** 2;
    return i === j ? 0 : 1;
  };
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      observed += weight(i, j) * (matrix[i]![j] as number);
      expected += (weight(i, j) * (rows[i] as number) * (cols[j] as number)) / total;
    }
  }
  return 1 - observed / expected;
}

/**
 * The Matthews correlation coefficient of predictions against gold, for any number of classes:
 * (c·s − Σ_k p_k t_k) / √((s² − Σ p_k²)(s² − Σ t_k²)), with c correct predictions, s examples,
 * t_k gold and p_k predicted counts of class k. In [−1, 1]; 0 when either side has one class only.
 */
export function matthewsCorrcoef(gold: readonly Label[], pred: readonly Label[]): number {
  const { matrix } = confusionMatrix(gold, pred);
  const t = matrix.map((row) => row.reduce((s, x) => s + x, 0));
  const p = matrix.map((_, j) => matrix.reduce((s, row) => s + (row[j] as number), 0));
  const s = t.reduce((x, y) => x + y, 0);
  const correct = matrix.reduce((sum, row, i) => sum + (row[i] as number), 0);
  const dot = (x: number[], y: number[]) => x.reduce((sum, v, i) => sum + v * (y[i] as number), 0);
  const covTP = correct * s - dot(t, p);
  const covPP = s * s - dot(p, p);
  const covTT = s * s - dot(t, t);
  return covPP * covTT === 0 ? 0 : covTP / Math.sqrt(covTT * covPP);
}
