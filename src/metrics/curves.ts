/**
 * Curves and areas over scores: the ROC curve and its area (ROC-AUC), the precision–recall curve
 * and average precision, for a binary problem and, one-vs-rest, for multi-class and multi-label
 * ones. Semantics follow scikit-learn 1.2 (`roc_curve`, `roc_auc_score`, `precision_recall_curve`,
 * `average_precision_score`), checked against it by tests/metrics/curves.test.ts with fixtures from
 * scripts/fixtures/scores.py. Scores are any real numbers ordered like the positive class's
 * likelihood (probabilities, logits, margins); tied scores form one threshold.
 */
import { ConfigError } from '../errors.js';
import { checkSameLength } from './classification.js';

/** Points of the ROC curve, thresholds decreasing; the first threshold is max(score) + 1 (nothing predicted positive). */
export interface RocCurve {
  readonly fpr: number[];
  readonly tpr: number[];
  readonly thresholds: number[];
}

/** Points of the precision–recall curve, recall decreasing, ending at (recall 0, precision 1); thresholds increasing. */
export interface PrecisionRecallCurve {
  readonly precision: number[];
  readonly recall: number[];
  readonly thresholds: number[];
}

/** How the per-class areas of a one-vs-rest problem are combined (scikit-learn's `average`). */
export type CurveAverage = 'macro' | 'weighted' | 'micro';

/** Counts at each distinct score, highest first: positives and negatives scored ≥ it. */
interface Counts {
  readonly tps: number[];
  readonly fps: number[];
  readonly thresholds: number[];
}

function binaryCounts(gold: readonly number[], scores: readonly number[], what: string): Counts {
  checkSameLength(gold, scores, what);
  for (const [i, g] of gold.entries()) {
    if (g !== 0 && g !== 1) throw new ConfigError(`${what}: gold[${i}] is ${g}; expected 0 (negative) or 1 (positive)`);
  }
  for (const [i, s] of scores.entries()) {
    if (!Number.isFinite(s)) throw new ConfigError(`${what}: scores[${i}] is ${s}; expected a finite number`);
  }
  const order = scores.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (const [rank, i] of order.entries()) {
    tp += gold[i] as number;
    const next = order[rank + 1];
    if (next !== undefined && scores[next] === scores[i]) continue; // ties form one threshold
    tps.push(tp);
    fps.push(rank + 1 - tp);
    thresholds.push(scores[i] as number);
  }
  return { tps, fps, thresholds };
}

/**
 * The ROC curve of a binary problem.
 * @param gold (N) 1 = positive, 0 = negative.
 * @param scores (N) higher = more likely positive.
 * @param options.dropIntermediate (default true, as scikit-learn) drop points on straight segments
 *   (they change no area).
 * @throws ConfigError when a class is absent from `gold` (a rate would divide by zero) or for a non-finite score.
 */
export function rocCurve(gold: readonly number[], scores: readonly number[], options: { dropIntermediate?: boolean } = {}): RocCurve {
  const { tps, fps, thresholds } = binaryCounts(gold, scores, 'rocCurve');
  const positives = tps.at(-1) ?? 0;
  const negatives = fps.at(-1) ?? 0;
  if (positives === 0 || negatives === 0)
    throw new ConfigError(`rocCurve: gold has ${positives === 0 ? 'no positive' : 'no negative'} example; a ROC curve needs both classes`);
  let keep = tps.map((_, i) => i);
  if (options.dropIntermediate ?? true) {
    // a point is kept where the curve bends: its second differences in fps or tps are non-zero
    keep = keep.filter((i) => {
      if (i === 0 || i === tps.length - 1) return true;
      const bend = (xs: number[]) => (xs[i + 1] as number) - 2 * (xs[i] as number) + (xs[i - 1] as number) !== 0;
      return bend(fps) || bend(tps);
    });
  }
  return {
    fpr: [0, ...keep.map((i) => (fps[i] as number) / negatives)],
    tpr: [0, ...keep.map((i) => (tps[i] as number) / positives)],
    thresholds: [(thresholds[0] as number) + 1, ...keep.map((i) => thresholds[i] as number)],
  };
}

/** The area under a curve through the points (x, y), by the trapezoidal rule; x must be monotonic. */
export function trapezoidArea(x: readonly number[], y: readonly number[]): number {
  checkSameLength(x, y, 'trapezoidArea');
  let area = 0;
  for (let i = 1; i < x.length; i++) area += (((x[i] as number) - (x[i - 1] as number)) * ((y[i] as number) + (y[i - 1] as number))) / 2;
  return Math.abs(area);
}

/**
 * ROC-AUC of a binary problem: the probability that a random positive is scored above a random
 * negative (ties count half). 0.5 for a constant scorer, 1 for a perfect one.
 * @throws ConfigError when `gold` lacks a class.
 */
export function rocAuc(gold: readonly number[], scores: readonly number[]): number {
  const { fpr, tpr } = rocCurve(gold, scores, { dropIntermediate: false });
  return trapezoidArea(fpr, tpr);
}

/**
 * The precision–recall curve of a binary problem: at each distinct score t, precision and recall
 * of predicting positive every example scored ≥ t; then the point (recall 0, precision 1).
 * Without positives, recall is 1 at every threshold (scikit-learn's convention).
 */
export function precisionRecallCurve(gold: readonly number[], scores: readonly number[]): PrecisionRecallCurve {
  const { tps, fps, thresholds } = binaryCounts(gold, scores, 'precisionRecallCurve');
  const positives = tps.at(-1) ?? 0;
  const precision = tps.map((tp, i) => (tp + (fps[i] as number) === 0 ? 0 : tp / (tp + (fps[i] as number))));
  const recall = tps.map((tp) => (positives === 0 ? 1 : tp / positives));
  return { precision: [...precision.reverse(), 1], recall: [...recall.reverse(), 0], thresholds: [...thresholds].reverse() };
}

/**
 * Average precision: Σ_n (R_n − R_{n−1}) P_n over thresholds (the step-wise area under the PR curve,
 * no interpolation; Zhu 2004, as scikit-learn). 0 when `gold` has no positive.
 */
export function averagePrecision(gold: readonly number[], scores: readonly number[]): number {
  const { precision, recall } = precisionRecallCurve(gold, scores);
  let ap = 0;
  for (let i = 0; i + 1 < recall.length; i++) ap += ((recall[i] as number) - (recall[i + 1] as number)) * (precision[i] as number);
  return Math.max(0, ap);
}

/**
 * A binary area metric over a one-vs-rest problem.
 * @param indicator (N, C) 1 where example n has class/label c (one 1 per row for multi-class: see `oneHot`).
 * @param scores (N, C) the score of each class for each example.
 * @param average `macro`: mean of per-class areas; `weighted`: weighted by each class's positives;
 *   `micro`: one binary problem over all (n, c) cells.
 * @throws ConfigError for ragged input, or (macro/weighted) a class whose column lacks positives or negatives for ROC-AUC.
 */
export function oneVsRest(
  metric: (gold: readonly number[], scores: readonly number[]) => number,
  indicator: readonly (readonly number[])[],
  scores: readonly (readonly number[])[],
  average: CurveAverage,
): number {
  checkSameLength(indicator, scores, 'oneVsRest');
  const classes = indicator[0]?.length ?? 0;
  for (const [n, row] of indicator.entries()) {
    if (row.length !== classes || scores[n]?.length !== classes)
      throw new ConfigError(
        `oneVsRest: row ${n} has ${row.length} gold and ${scores[n]?.length} score columns; expected ${classes} of each`,
      );
  }
  if (average === 'micro') return metric(indicator.flat(), scores.flat());
  const column = (m: readonly (readonly number[])[], c: number) => m.map((row) => row[c] as number);
  const support = Array.from({ length: classes }, (_, c) => column(indicator, c).reduce((a, b) => a + b, 0));
  const areas = Array.from({ length: classes }, (_, c) => metric(column(indicator, c), column(scores, c)));
  if (average === 'macro') return areas.reduce((a, b) => a + b, 0) / classes;
  const total = support.reduce((a, b) => a + b, 0);
  return areas.reduce((sum, area, c) => sum + (area * (support[c] as number)) / total, 0);
}

/**
 * (N, C) one-hot rows of class ids, for `oneVsRest` on a multi-class problem.
 * @throws ConfigError for an id outside [0, classes).
 */
export function oneHot(ids: readonly number[], classes: number): number[][] {
  return ids.map((id, n) => {
    if (!Number.isInteger(id) || id < 0 || id >= classes)
      throw new ConfigError(`oneHot: ids[${n}] is ${id}; expected a class id in [0, ${classes})`);
    return Array.from({ length: classes }, (_, c) => (c === id ? 1 : 0));
  });
}
