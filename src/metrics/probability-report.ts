/**
 * The detailed report of a classifier that outputs class probabilities (what `mtl eval --report`
 * writes per classification task): the per-class report and confusion matrix, the one-vs-rest ROC
 * and precision–recall curves with their areas, agreement (Cohen's kappa, Matthews correlation),
 * calibration (ECE) and top-k accuracy. Built only from the metric functions of this folder.
 */
import { matthewsCorrcoef, cohenKappa } from './agreement.js';
import { expectedCalibrationError, topKAccuracy } from './calibration.js';
import { confusionMatrix, type ConfusionMatrix, type Label } from './classification.js';
import { classificationReport, type ClassificationReport } from './classification-report.js';
import { averagePrecision, precisionRecallCurve, rocAuc, rocCurve, type PrecisionRecallCurve, type RocCurve } from './curves.js';

/** One class's curves against the rest; absent for a class whose gold column lacks positives or negatives. */
export interface ClassCurves {
  readonly label: string;
  readonly roc: RocCurve & { readonly auc: number };
  readonly pr: PrecisionRecallCurve & { readonly averagePrecision: number };
}

export interface ProbabilityReport {
  readonly report: ClassificationReport;
  /** Rows gold, columns predicted, over every label seen (a gold label outside the label list included). */
  readonly confusion: ConfusionMatrix;
  readonly curves: ClassCurves[];
  /** Means of the per-class areas over `curves` (macro), weighted by positives (weighted), and micro over all cells. */
  readonly rocAuc: AreaAverages | null;
  readonly averagePrecision: AreaAverages | null;
  readonly cohenKappa: number;
  readonly matthewsCorrcoef: number;
  /** Expected calibration error over 15 bins (Guo et al. 2017); only over examples whose gold label is in the list. */
  readonly expectedCalibrationError: number;
  /** Top-k accuracy for k = 1, 2, 3, 5 (those below the class count). */
  readonly topK: Readonly<Record<string, number>>;
}

/**
 * @param gold (N) gold labels (a label outside `labels` is kept in the report and confusion matrix, left out of curves).
 * @param predicted (N) predicted labels.
 * @param labels (C) the classifier's labels, in the order of `probs`' columns.
 * @param probs (N, C) class probabilities per example.
 */
export function probabilityReport(
  gold: readonly string[],
  predicted: readonly string[],
  labels: readonly string[],
  probs: readonly (readonly number[])[],
): ProbabilityReport {
  const index = new Map(labels.map((l, c) => [l, c]));
  const known = gold.map((g, n) => n).filter((n) => index.has(gold[n] as string));
  const ids = known.map((n) => index.get(gold[n] as string) as number);
  const rows = known.map((n) => probs[n] as readonly number[]);
  const indicator = ids.map((id) => labels.map((_, c) => (c === id ? 1 : 0)));
  const { curves, rocAuc: roc, averagePrecision: ap } = oneVsRestCurves(indicator, rows, labels);
  const topK: Record<string, number> = {};
  for (const k of [1, 2, 3, 5]) if (k < labels.length || k === 1) topK[String(k)] = known.length === 0 ? 0 : topKAccuracy(ids, rows, k);
  return {
    report: classificationReport(gold as Label[], predicted as Label[], { labels }),
    confusion: confusionMatrix(gold, predicted),
    curves,
    rocAuc: roc,
    averagePrecision: ap,
    cohenKappa: cohenKappa(gold, predicted),
    matthewsCorrcoef: matthewsCorrcoef(gold, predicted),
    expectedCalibrationError: known.length === 0 ? 0 : expectedCalibrationError(ids, rows),
    topK,
  };
}

/** Areas averaged over classes: macro (unweighted), weighted by positives, and micro (all cells as one problem). */
export interface AreaAverages {
  readonly macro: number;
  readonly weighted: number;
  readonly micro: number;
}

/**
 * Each class's ROC and precision–recall curves against the rest, for the classes whose gold column
 * has positives and negatives (scikit-learn refuses the others; here they are left out of the
 * averages, which are null when no class qualifies).
 * @param indicator (N, C) 1 where example n has class c; @param scores (N, C).
 */
export function oneVsRestCurves(
  indicator: readonly (readonly number[])[],
  scores: readonly (readonly number[])[],
  labels: readonly string[],
): { curves: ClassCurves[]; rocAuc: AreaAverages | null; averagePrecision: AreaAverages | null } {
  const column = (m: readonly (readonly number[])[], c: number) => m.map((r) => r[c] as number);
  const curves: ClassCurves[] = [];
  const support: number[] = [];
  for (const [c, label] of labels.entries()) {
    const g = column(indicator, c);
    const positives = g.reduce((a, b) => a + b, 0);
    if (positives === 0 || positives === g.length) continue;
    const s = column(scores, c);
    curves.push({
      label,
      roc: { ...rocCurve(g, s), auc: rocAuc(g, s) },
      pr: { ...precisionRecallCurve(g, s), averagePrecision: averagePrecision(g, s) },
    });
    support.push(positives);
  }
  if (curves.length === 0) return { curves, rocAuc: null, averagePrecision: null };
  const total = support.reduce((a, b) => a + b, 0);
  const flatGold = indicator.flat();
  const flatScores = scores.flat();
  const averages = (area: (c: ClassCurves) => number, micro: number): AreaAverages => ({
    macro: curves.reduce((sum, c) => sum + area(c), 0) / curves.length,
    weighted: curves.reduce((sum, c, i) => sum + (area(c) * (support[i] as number)) / total, 0),
    micro,
  });
  return {
    curves,
    rocAuc: averages((c) => c.roc.auc, rocAuc(flatGold, flatScores)),
    averagePrecision: averages((c) => c.pr.averagePrecision, averagePrecision(flatGold, flatScores)),
  };
}
