/**
 * Single-label classification metrics: accuracy, precision / recall / F1 (per class and averaged),
 * confusion matrix. Semantics follow scikit-learn 1.2 (`sklearn.metrics.accuracy_score`,
 * `precision_recall_fscore_support` with `zero_division=0`, `confusion_matrix`), checked against it
 * by tests/metrics/classification.test.ts with fixtures from scripts/fixtures/metrics.py.
 *
 * Labels are strings or numbers (not both in one call). Without a `labels` argument the label set is
 * the sorted union of gold and predicted labels (numbers numerically, strings by code unit), so a
 * label that only ever appears in predictions still counts (as false positives). With `labels`, the
 * scores cover exactly those labels, in that order: a gold label outside the set (an intent never
 * seen in training, say) is not scored as a class, but the prediction made for it still counts as a
 * false positive of the predicted class, and as an error in accuracy. Nothing throws for it.
 */
import { ConfigError, ShapeError } from '../errors.js';

export type Label = string | number;

/** Precision, recall and F1 in [0, 1]; `support` = number of gold occurrences. */
export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The scores of one class. */
export interface ClassScores extends Scores {
  label: Label;
}

/**
 * How per-class scores are combined (scikit-learn's `average`):
 * - `micro`: pool true positives, predicted and gold counts over the labels, then divide;
 * - `macro`: unweighted mean of the per-class scores (classes with no support included);
 * - `weighted`: mean of the per-class scores weighted by support (0 when the support is 0).
 */
export type Average = 'micro' | 'macro' | 'weighted';

/** Per-label counts over which every precision/recall/F1 variant is computed. */
export interface LabelCounts {
  labels: Label[];
  /** truePositives[c]: examples with gold = pred = labels[c]. */
  truePositives: number[];
  /** predicted[c]: examples predicted as labels[c] (tp + fp). */
  predicted: number[];
  /** gold[c]: examples whose gold label is labels[c] (tp + fn), the support. */
  gold: number[];
}

/** Throws unless `gold` and `pred` have the same length. */
export function checkSameLength(gold: ArrayLike<unknown>, pred: ArrayLike<unknown>, what: string): void {
  if (gold.length !== pred.length) {
    throw new ShapeError(
      `${what}: gold has ${gold.length} items but predictions have ${pred.length}; pass one prediction per gold example`,
    );
  }
}

/** Orders labels as numpy's `np.unique` does: numbers numerically, strings by code unit. */
export function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Throws if strings and numbers are mixed (scikit-learn refuses "Mix of label input types"). */
function checkLabelTypes(labels: Iterable<Label>, what: string): void {
  let seen: string | undefined;
  for (const label of labels) {
    const type = typeof label;
    if (seen !== undefined && type !== seen) {
      throw new ConfigError(
        `${what}: labels mix strings and numbers (${seen} and ${type}, e.g. ${JSON.stringify(label)}); use one type, e.g. map numbers with String()`,
      );
    }
    seen = type;
  }
}

/** The sorted union of the labels in the given arrays (scikit-learn's `unique_labels`). */
export function uniqueLabels(...arrays: readonly (readonly Label[])[]): Label[] {
  const set = new Set<Label>();
  for (const array of arrays) for (const label of array) set.add(label);
  checkLabelTypes(set, 'uniqueLabels');
  return [...set].sort(compareLabels);
}

/**
 * The label set to score: `labels` as given (validated), or the sorted union of `arrays`.
 * @internal shared with multilabel.ts
 */
export function resolveLabels(labels: readonly Label[] | undefined, arrays: readonly (readonly Label[])[], what: string): Label[] {
  if (labels === undefined) return uniqueLabels(...arrays);
  if (labels.length === 0) throw new ConfigError(`${what}: labels is empty; pass at least one label or omit it to use the labels present`);
  if (new Set(labels).size !== labels.length)
    throw new ConfigError(`${what}: labels has duplicates (${JSON.stringify(labels)}); pass each label once`);
  checkLabelTypes([...labels, ...arrays.flat()], what);
  return [...labels];
}

/** Label → position in `labels`. */
export function labelIndex(labels: readonly Label[]): Map<Label, number> {
  return new Map(labels.map((label, i) => [label, i]));
}

/**
 * Fraction of examples whose prediction equals the gold label (`accuracy_score`).
 * NaN for no examples, as scikit-learn.
 * @example accuracy(['a', 'b', 'b'], ['a', 'b', 'a']) // 2/3
 */
export function accuracy(gold: readonly Label[], pred: readonly Label[]): number {
  checkSameLength(gold, pred, 'accuracy');
  let right = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] === pred[i]) right++;
  return right / gold.length;
}

/** True-positive, predicted and gold counts per label (scikit-learn's `multilabel_confusion_matrix`). */
export function labelCounts(gold: readonly Label[], pred: readonly Label[], labels?: readonly Label[]): LabelCounts {
  checkSameLength(gold, pred, 'labelCounts');
  const set = resolveLabels(labels, [gold, pred], 'labelCounts');
  const index = labelIndex(set);
  const counts: LabelCounts = { labels: set, truePositives: set.map(() => 0), predicted: set.map(() => 0), gold: set.map(() => 0) };
  for (let i = 0; i < gold.length; i++) {
    const g = index.get(gold[i]!);
    const p = index.get(pred[i]!);
    if (g !== undefined) counts.gold[g]!++;
    if (p !== undefined) counts.predicted[p]!++;
    if (g !== undefined && g === p) counts.truePositives[g]!++;
  }
  return counts;
}

/** tp / denominator, or 0 when the denominator is 0 (scikit-learn's `zero_division=0`). */
function divide(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/**
 * Precision tp/(tp+fp), recall tp/(tp+fn) and their harmonic mean F1 = 2PR/(P+R), each 0 when
 * undefined (van Rijsbergen's F-measure with β = 1; scikit-learn's formula and zero division).
 */
export function scoresFromCounts(truePositives: number, predicted: number, gold: number): Scores {
  const precision = divide(truePositives, predicted);
  const recall = divide(truePositives, gold);
  const sum = precision + recall;
  const f1 = (2 * precision * recall) / (sum === 0 ? 1 : sum);
  return { precision, recall, f1, support: gold };
}

/** Scores per label, in the order of `counts.labels`. */
export function perClassFromCounts(counts: LabelCounts): ClassScores[] {
  return counts.labels.map((label, c) => ({ label, ...scoresFromCounts(counts.truePositives[c]!, counts.predicted[c]!, counts.gold[c]!) }));
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Mean of `xs` weighted by `weights` (unweighted if omitted); NaN for none, as `np.average`. */
function mean(xs: readonly number[], weights?: readonly number[]): number {
  if (weights === undefined) return sum(xs) / xs.length;
  return sum(xs.map((x, i) => x * weights[i]!)) / sum(weights);
}

/**
 * Combines per-label counts into one set of scores (see {@link Average}); `support` is the total
 * gold count. Weighted averages are 0 when nothing has support (scikit-learn with zero_division=0);
 * macro averages over no labels are NaN.
 */
export function averageFromCounts(counts: LabelCounts, average: Average): Scores {
  const support = sum(counts.gold);
  if (average === 'micro') return scoresFromCounts(sum(counts.truePositives), sum(counts.predicted), support);
  if (average === 'weighted' && support === 0) return { precision: 0, recall: 0, f1: 0, support };
  if (average !== 'macro' && average !== 'weighted') {
    throw new ConfigError(`average must be "micro", "macro" or "weighted", got ${JSON.stringify(average)}`);
  }
  const perClass = perClassFromCounts(counts);
  const weights = average === 'weighted' ? counts.gold : undefined;
  const pick = (key: 'precision' | 'recall' | 'f1'): number =>
    mean(
      perClass.map((s) => s[key]),
      weights,
    );
  return { precision: pick('precision'), recall: pick('recall'), f1: pick('f1'), support };
}

/**
 * Precision, recall, F1 and support of each label (`precision_recall_fscore_support(average=None)`).
 * @example perClassScores(['a', 'b'], ['a', 'a']) // [{label: 'a', precision: 0.5, recall: 1, f1: 2/3, support: 1}, {label: 'b', …0…, support: 1}]
 */
export function perClassScores(gold: readonly Label[], pred: readonly Label[], options: { labels?: readonly Label[] } = {}): ClassScores[] {
  return perClassFromCounts(labelCounts(gold, pred, options.labels));
}

/**
 * Averaged precision, recall and F1 (`precision_recall_fscore_support(average=…)`); `support` is the
 * total gold count over the scored labels. Micro-F1 equals accuracy when every label is scored.
 * @example averageScores(['a', 'b', 'b'], ['a', 'b', 'a'], 'macro').f1 // (2/3 + 2/3) / 2
 */
export function averageScores(
  gold: readonly Label[],
  pred: readonly Label[],
  average: Average,
  options: { labels?: readonly Label[] } = {},
): Scores {
  return averageFromCounts(labelCounts(gold, pred, options.labels), average);
}

/** A confusion matrix: `matrix[i][j]` counts examples with gold `labels[i]` predicted as `labels[j]`. */
export interface ConfusionMatrix {
  labels: Label[];
  matrix: number[][];
}

/**
 * The confusion matrix in scikit-learn's orientation (rows gold, columns predicted). With `labels`,
 * examples whose gold or predicted label is outside the set are left out, as `confusion_matrix`.
 */
export function confusionMatrix(
  gold: readonly Label[],
  pred: readonly Label[],
  options: { labels?: readonly Label[] } = {},
): ConfusionMatrix {
  checkSameLength(gold, pred, 'confusionMatrix');
  const labels = resolveLabels(options.labels, [gold, pred], 'confusionMatrix');
  const index = labelIndex(labels);
  const matrix = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < gold.length; i++) {
    const g = index.get(gold[i]!);
    const p = index.get(pred[i]!);
    if (g !== undefined && p !== undefined) matrix[g]![p]!++;
  }
  return { labels, matrix };
}
