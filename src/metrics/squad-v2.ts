/**
 * SQuAD 2.0's exact match and F1 (Rajpurkar, Jia and Liang, "Know What You Don't Know: Unanswerable
 * Questions for SQuAD", ACL 2018; evaluate-v2.0.py): SQuAD v1.1's scores (./squad.ts) for questions
 * with an answer, and for a question without one (no gold answer, or only answers that normalise to
 * nothing) the single gold answer '': it scores 1 in both measures exactly when the prediction
 * normalises to '' too, else 0. On data without unanswerable questions the scores equal v1.1's.
 * Checked against the script's definitions in scripts/fixtures/squad_v2.py.
 */
import { ShapeError } from '../errors.js';
import { answerExactMatch, answerF1, normalizeAnswer } from './squad.js';

/** Mean exact match and F1 (fractions), with the numbers of answerable and unanswerable questions. */
export interface SquadV2Scores {
  readonly exactMatch: number;
  readonly f1: number;
  /** Questions with a gold answer ('HasAns' of evaluate-v2.0.py). */
  readonly answerable: number;
  /** Questions without one ('NoAns'). */
  readonly unanswerable: number;
}

/**
 * Corpus exact match and F1 of evaluate-v2.0.py: each question's best over its gold answers, averaged.
 * @param golds golds[i]: the gold answers of question i; empty (or all normalising to '') for an unanswerable question.
 * @throws ShapeError when the lists differ in length or are empty.
 * @example squadV2Scores(['Denver Broncos', ''], [['the Denver Broncos'], []]) // { exactMatch: 1, f1: 1, answerable: 1, unanswerable: 1 }
 */
export function squadV2Scores(predictions: readonly string[], golds: readonly (readonly string[])[]): SquadV2Scores {
  if (predictions.length !== golds.length || predictions.length === 0)
    throw new ShapeError(
      `squadV2Scores: needs one gold answer list per prediction (at least one), got ${predictions.length} predictions and ${golds.length} lists`,
    );
  let [em, f1, answerable] = [0, 0, 0];
  predictions.forEach((prediction, i) => {
    const answers = golds[i]!.filter((a) => normalizeAnswer(a) !== '');
    if (answers.length === 0) {
      const right = normalizeAnswer(prediction) === '' ? 1 : 0;
      [em, f1] = [em + right, f1 + right];
      return;
    }
    answerable++;
    em += Math.max(...answers.map((a) => answerExactMatch(prediction, a)));
    f1 += Math.max(...answers.map((a) => answerF1(prediction, a)));
  });
  const n = predictions.length;
  return { exactMatch: em / n, f1: f1 / n, answerable, unanswerable: n - answerable };
}
