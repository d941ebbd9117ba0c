/**
 * Multi-label classification metrics: each example has a set of labels (ATIS's multi-intents such
 * as `atis_flight#atis_airfare`, split by the task into `['atis_airfare', 'atis_flight']`).
 *
 * Scores are computed over the label indicator view, as scikit-learn 1.2 does after
 * `MultiLabelBinarizer`: example i, label c is a positive when c is in the set. Duplicates in a set
 * count once. Without `labels` the label set is the sorted union of all sets; with `labels` only
 * those columns are scored and other labels are ignored (`MultiLabelBinarizer(classes=labels)`).
 * zero_division = 0 throughout. Checked against scikit-learn by tests/metrics/multilabel.test.ts.
 */
import {
  averageFromCounts,
  checkSameLength,
  labelIndex,
  perClassFromCounts,
  resolveLabels,
  scoresFromCounts,
  type Average,
  type ClassScores,
  type Label,
  type LabelCounts,
  type Scores,
} from './classification.js';

/** The labels of one example (order and duplicates do not matter). */
export type LabelSet = readonly Label[];

/** {@link Average} plus `samples`: scores per example, averaged over examples. */
export type MultiLabelAverage = Average | 'samples';

interface Indicators {
  labels: Label[];
  /** Per example, the positions in `labels` of its labels. */
  gold: Set<number>[];
  pred: Set<number>[];
}

function indicators(gold: readonly LabelSet[], pred: readonly LabelSet[], labels: readonly Label[] | undefined, what: string): Indicators {
  checkSameLength(gold, pred, what);
  const set = resolveLabels(labels, [gold.flat(), pred.flat()], what);
  const index = labelIndex(set);
  const toSet = (labelSet: LabelSet): Set<number> => {
    const out = new Set<number>();
    for (const label of labelSet) {
      const c = index.get(label);
      if (c !== undefined) out.add(c);
    }
    return out;
  };
  return { labels: set, gold: gold.map(toSet), pred: pred.map(toSet) };
}

/** Number of members of `a` also in `b`. */
function overlap(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n;
}

/** Per-label true-positive, predicted and gold counts over the indicator view. */
export function multiLabelCounts(gold: readonly LabelSet[], pred: readonly LabelSet[], labels?: readonly Label[]): LabelCounts {
  const view = indicators(gold, pred, labels, 'multiLabelCounts');
  const zeros = (): number[] => view.labels.map(() => 0);
  const counts: LabelCounts = { labels: view.labels, truePositives: zeros(), predicted: zeros(), gold: zeros() };
  view.gold.forEach((g, i) => {
    const p = view.pred[i]!;
    for (const c of g) counts.gold[c]!++;
    for (const c of p) {
      counts.predicted[c]!++;
      if (g.has(c)) counts.truePositives[c]!++;
    }
  });
  return counts;
}

/**
 * Subset accuracy (exact match): the fraction of examples whose predicted set equals the gold set,
 * over the scored labels (`accuracy_score` on indicator matrices). NaN for no examples.
 * @example subsetAccuracy([['a', 'b'], ['c']], [['b', 'a'], []]) // 0.5
 */
export function subsetAccuracy(gold: readonly LabelSet[], pred: readonly LabelSet[], options: { labels?: readonly Label[] } = {}): number {
  const view = indicators(gold, pred, options.labels, 'subsetAccuracy');
  let right = 0;
  view.gold.forEach((g, i) => {
    const p = view.pred[i]!;
    if (g.size === p.size && overlap(g, p) === g.size) right++;
  });
  return right / gold.length;
}

/** Precision, recall, F1 and support of each label over the indicator view. */
export function multiLabelPerClassScores(
  gold: readonly LabelSet[],
  pred: readonly LabelSet[],
  options: { labels?: readonly Label[] } = {},
): ClassScores[] {
  return perClassFromCounts(multiLabelCounts(gold, pred, options.labels));
}

/**
 * Averaged precision, recall and F1 over the indicator view (`precision_recall_fscore_support` on
 * binarized sets): micro, macro and weighted as for single-label; `samples` computes the scores of
 * each example from its own set and averages them over examples (an example with empty gold and
 * predicted sets scores 0, zero_division = 0). `support` is the total number of gold labels.
 * @example multiLabelScores([['a', 'b']], [['a']], 'micro') // precision 1, recall 0.5, f1 2/3
 */
export function multiLabelScores(
  gold: readonly LabelSet[],
  pred: readonly LabelSet[],
  average: MultiLabelAverage,
  options: { labels?: readonly Label[] } = {},
): Scores {
  if (average !== 'samples') return averageFromCounts(multiLabelCounts(gold, pred, options.labels), average);
  const view = indicators(gold, pred, options.labels, 'multiLabelScores');
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let support = 0;
  view.gold.forEach((g, i) => {
    const p = view.pred[i]!;
    const s = scoresFromCounts(overlap(g, p), p.size, g.size);
    precision += s.precision;
    recall += s.recall;
    f1 += s.f1;
    support += g.size;
  });
  const n = view.gold.length;
  return { precision: precision / n, recall: recall / n, f1: f1 / n, support };
}
