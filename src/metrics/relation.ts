/**
 * The official measure of SemEval-2010 Task 8 (Hendrickx et al., "SemEval-2010 Task 8: Multi-Way
 * Classification of Semantic Relations between Pairs of Nominals", SemEval 2010, §5): the
 * macro-averaged F1 of the "(9+1)-way evaluation with directionality taken into account", as the
 * task's scorer `semeval2010_task8_scorer-v1.2.pl` computes it.
 *
 * Labels are directed (`Cause-Effect(e1,e2)`, `Cause-Effect(e2,e1)`) or the undirected `Other`. The
 * scorer compares relation TYPES (the label without its `(e1,e2)` suffix), counting direction as
 * follows, for each type R:
 * - correct(R): examples whose predicted label equals the gold label exactly and whose type is R;
 * - predicted(R): examples predicted as type R, except those whose gold type is R too but whose
 *   direction is wrong; those are counted apart, as wrongDirection(R), and count as predicted R in
 *   the precision's denominator (and as missed in the recall), so a wrong direction is an error twice;
 * - P = correct / (predicted + wrongDirection) (0 when predicted is 0), R = correct / gold(R),
 *   F1 = 2PR / (P + R) (0 when P + R is 0).
 * The official score averages F1 over the relation types present in the gold labels, `Other` left
 * out (nine for the task's test set); micro-averaged scores pool the same counts. `Other` is never
 * scored as a class, but predicting it for a relation is a miss, and predicting a relation for
 * `Other` is a false positive of that relation.
 *
 * Checked against scikit-learn (scripts/fixtures/relation.py) and a hand-counted case
 * (tests/metrics/relation.test.ts).
 */
import { checkSameLength } from './classification.js';

/** The suffix that gives a label its direction: `(e1,e2)` or `(e2,e1)` (the scorer also accepts `(e1,e1)`, `(e2,e2)`). */
const DIRECTION = /\((e[12]),(e[12])\)$/;

/** The relation type of a label: `Cause-Effect(e2,e1)` → `Cause-Effect`; an undirected label (`Other`) is its own type. */
export function relationType(label: string): string {
  return label.replace(DIRECTION, '');
}

/** One relation type's counts and scores (fractions in [0, 1]). */
export interface RelationTypeScores {
  readonly relation: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Examples of this type predicted with the right type and direction. */
  readonly correct: number;
  /** Examples predicted as this type, those of this gold type with the wrong direction left out. */
  readonly predicted: number;
  /** Examples of this gold type predicted as this type with the wrong direction. */
  readonly wrongDirection: number;
  /** Gold examples of this type (the support). */
  readonly gold: number;
}

/** The (9+1)-way confusion matrix of the scorer: rows gold types, columns predicted types; wrong directions apart. */
export interface RelationConfusion {
  /** The relation types (gold and predicted), sorted, `Other` included. */
  readonly labels: string[];
  /** `matrix[g][p]`: examples of gold type `labels[g]` predicted as type `labels[p]`, wrong directions left out. */
  readonly matrix: number[][];
  /** `wrongDirection[g]`: examples of gold type `labels[g]` predicted as that type with the wrong direction (the scorer's xDIRx column). */
  readonly wrongDirection: number[];
}

/** What `semevalScores` returns. */
export interface SemevalScores {
  /** The official score: macro-averaged F1 over the gold relation types other than `Other`. */
  readonly macroF1: number;
  readonly macroPrecision: number;
  readonly macroRecall: number;
  readonly microF1: number;
  readonly microPrecision: number;
  readonly microRecall: number;
  /** Exact (directed, 2×9+1-way) label accuracy. */
  readonly accuracy: number;
  /** One entry per gold relation type other than `Other`, sorted. */
  readonly perRelation: RelationTypeScores[];
  readonly confusion: RelationConfusion;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
const harmonic = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

/**
 * The scorer's (9+1)-way scores with direction taken into account, for one predicted label per gold label.
 * @param options.other the undirected label left out of the averages (default `Other`).
 * @throws ShapeError when `gold` and `pred` differ in length.
 * @example
 *   semevalScores(['Cause-Effect(e1,e2)', 'Other'], ['Cause-Effect(e2,e1)', 'Other']).macroF1 // 0: the direction is wrong
 */
export function semevalScores(gold: readonly string[], pred: readonly string[], options: { other?: string } = {}): SemevalScores {
  checkSameLength(gold, pred, 'semevalScores');
  const other = options.other ?? 'Other';
  const labels = [...new Set([...gold, ...pred].map(relationType))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  const wrongDirection = labels.map(() => 0);
  let exact = 0;
  gold.forEach((g, i) => {
    const p = pred[i] as string;
    const [gt, pt] = [index.get(relationType(g))!, index.get(relationType(p))!];
    if (g === p) exact++;
    if (g !== p && gt === pt) wrongDirection[gt]!++;
    else matrix[gt]![pt]!++;
  });
  const perRelation: RelationTypeScores[] = [];
  labels.forEach((relation, r) => {
    const goldCount = matrix[r]!.reduce((a, b) => a + b, 0) + wrongDirection[r]!;
    if (relation === other || goldCount === 0) return;
    const correct = matrix[r]![r]!;
    const predicted = matrix.reduce((a, row) => a + row[r]!, 0);
    const precision = predicted === 0 ? 0 : correct / (predicted + wrongDirection[r]!);
    const recall = correct / goldCount;
    perRelation.push({
      relation,
      precision,
      recall,
      f1: harmonic(precision, recall),
      correct,
      predicted,
      wrongDirection: wrongDirection[r]!,
      gold: goldCount,
    });
  });
  const n = perRelation.length;
  const mean = (f: (s: RelationTypeScores) => number): number =>
    ratio(
      perRelation.reduce((a, s) => a + f(s), 0),
      n,
    );
  const sum = (f: (s: RelationTypeScores) => number): number => perRelation.reduce((a, s) => a + f(s), 0);
  const microPrecision = ratio(
    sum((s) => s.correct),
    sum((s) => s.predicted + s.wrongDirection),
  );
  const microRecall = ratio(
    sum((s) => s.correct),
    sum((s) => s.gold),
  );
  return {
    macroF1: mean((s) => s.f1),
    macroPrecision: mean((s) => s.precision),
    macroRecall: mean((s) => s.recall),
    microF1: harmonic(microPrecision, microRecall),
    microPrecision,
    microRecall,
    accuracy: ratio(exact, gold.length),
    perRelation,
    confusion: { labels, matrix, wrongDirection },
  };
}
