/**
 * A classification report: per-class scores plus accuracy (or micro average), macro and weighted
 * averages, as a structured object and as text laid out exactly like scikit-learn 1.2's
 * `classification_report(y_true, y_pred, labels=…, digits=…, zero_division=0)`.
 */
import {
  averageFromCounts,
  labelCounts,
  perClassFromCounts,
  uniqueLabels,
  type ClassScores,
  type Label,
  type Scores,
  type ConfusionMatrix,
} from './classification.js';

export interface ClassificationReport {
  /** One row per scored label, in label order. */
  classes: ClassScores[];
  /**
   * Accuracy, present when every label of the data is scored (then it equals the micro average,
   * which scikit-learn prints as "accuracy"); otherwise `microAvg` is present instead.
   */
  accuracy?: number;
  microAvg?: Scores;
  macroAvg: Scores;
  weightedAvg: Scores;
}

/** Builds the report; `labels` fixes the label set and order (see classification.ts). */
export function classificationReport(
  gold: readonly Label[],
  pred: readonly Label[],
  options: { labels?: readonly Label[] } = {},
): ClassificationReport {
  const counts = labelCounts(gold, pred, options.labels);
  const present = uniqueLabels(gold, pred);
  const scored = new Set(counts.labels);
  const microIsAccuracy = present.length === scored.size && present.every((l) => scored.has(l));
  const micro = averageFromCounts(counts, 'micro');
  const report: ClassificationReport = {
    classes: perClassFromCounts(counts),
    macroAvg: averageFromCounts(counts, 'macro'),
    weightedAvg: averageFromCounts(counts, 'weighted'),
  };
  if (microIsAccuracy) report.accuracy = micro.f1;
  else report.microAvg = micro;
  return report;
}

/**
 * `x` with `digits` decimals, rounding exact ties to even as Python's `format(x, '.2f')` does
 * (`Number.prototype.toFixed` rounds them up: 0.625 → "0.63" where Python gives "0.62").
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (Math.abs(x) >= 1e21) return String(x);
  // toFixed is exact (it rounds the binary value's full decimal expansion), so 25 extra digits show
  // whether x lies exactly halfway: a double that does has at most digits + 1 decimals.
  const [whole = '', fraction = ''] = Math.abs(x)
    .toFixed(Math.min(100, digits + 25))
    .split('.');
  const kept = fraction.slice(0, digits);
  const rest = fraction.slice(digits);
  const isTie = rest[0] === '5' && /^0*$/.test(rest.slice(1));
  const lastKept = Number((digits > 0 ? kept : whole).slice(-1));
  if (!isTie || lastKept % 2 === 1) return x.toFixed(digits); // toFixed rounds ties away from zero
  return (x < 0 ? '-' : '') + (digits > 0 ? `${whole}.${kept}` : whole);
}

const pad = (s: string, width: number): string => s.padStart(width);

/**
 * The report as text, in scikit-learn's layout: a header, one row per class, a blank line, then
 * "accuracy" (or "micro avg"), "macro avg" and "weighted avg" rows.
 * @example
 * formatClassificationReport(classificationReport(['a', 'b'], ['a', 'a']))
 * //               precision    recall  f1-score   support
 * //
 * //            a       0.50      1.00      0.67         1
 * // …
 */
export function formatClassificationReport(report: ClassificationReport, digits = 2): string {
  const names = report.classes.map((c) => String(c.label));
  const width = Math.max(...names.map((n) => n.length), 'weighted avg'.length, digits);
  const num = (x: number): string => ' ' + pad(formatFixed(x, digits), 9);
  const row = (name: string, s: Scores): string =>
    `${pad(name, width)} ${num(s.precision)}${num(s.recall)}${num(s.f1)} ${pad(String(s.support), 9)}\n`;
  let text = pad('', width) + ' ' + ['precision', 'recall', 'f1-score', 'support'].map((h) => ' ' + pad(h, 9)).join('') + '\n\n';
  for (const [i, c] of report.classes.entries()) text += row(names[i]!, c);
  text += '\n';
  if (report.accuracy !== undefined) {
    const support = report.macroAvg.support;
    text += `${pad('accuracy', width)} ${' '.repeat(20)}${num(report.accuracy)} ${pad(String(support), 9)}\n`;
  } else if (report.microAvg !== undefined) {
    text += row('micro avg', report.microAvg);
  }
  text += row('macro avg', report.macroAvg);
  text += row('weighted avg', report.weightedAvg);
  return text;
}

/**
 * A confusion matrix as text: a header of predicted labels, then one row per gold label.
 * @example
 * formatConfusionMatrix(confusionMatrix(['a', 'b'], ['a', 'a']))
 * // gold \ predicted  a  b
 * //                a  1  0
 * //                b  1  0
 */
export function formatConfusionMatrix(cm: ConfusionMatrix): string {
  const names = cm.labels.map(String);
  const corner = 'gold \\ predicted';
  const first = Math.max(corner.length, ...names.map((n) => n.length));
  const width = Math.max(...names.map((n) => n.length), ...cm.matrix.flat().map((x) => String(x).length));
  let text = `${pad(corner, first)}${names.map((n) => ' ' + pad(n, width)).join('')}\n`;
  for (const [i, row] of cm.matrix.entries()) text += `${pad(names[i]!, first)}${row.map((x) => ' ' + pad(String(x), width)).join('')}\n`;
  return text;
}
