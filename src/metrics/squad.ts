/**
 * Exact match and token F1 of extractive / generative question answering with the normalisation of
 * the official SQuAD v1.1 evaluation script (Rajpurkar, Zhang, Lopyrev & Liang, "SQuAD: 100,000+
 * Questions for Machine Comprehension of Text", EMNLP 2016): lowercase, delete ASCII punctuation
 * (Python's `string.punctuation`), delete the articles a / an / the as whole words, collapse
 * whitespace. A prediction takes its best score over the gold answers. Scores are fractions in
 * [0, 1] (the script prints percentages). Checked by tests/metrics/squad.test.ts.
 */
import { ShapeError } from '../errors.js';

const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
// Python 3's \b is Unicode-aware: a word character is a letter, digit or underscore of any script.
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/**
 * SQuAD's `normalize_answer`.
 * @example normalizeAnswer('The  Denver Broncos!') // 'denver broncos'
 */
export function normalizeAnswer(text: string): string {
  const lower = text.toLowerCase();
  let noPunct = '';
  for (const ch of lower) if (!PUNCTUATION.has(ch)) noPunct += ch;
  return noPunct
    .replace(ARTICLES, ' ')
    .split(/\s+/)
    .filter((w) => w !== '')
    .join(' ');
}

/** 1 when the normalised texts are equal, else 0. */
export function answerExactMatch(prediction: string, gold: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(gold) ? 1 : 0;
}

/**
 * Token F1 of the normalised texts: bag-of-words overlap, 2PR / (P + R), 0 with no common token.
 * @example answerF1('the cat sat', 'a cat sat down') // 0.8 (P = 2/2, R = 2/3)
 */
export function answerF1(prediction: string, gold: string): number {
  const p = normalizeAnswer(prediction)
    .split(' ')
    .filter((w) => w !== '');
  const g = normalizeAnswer(gold)
    .split(' ')
    .filter((w) => w !== '');
  const goldCounts = new Map<string, number>();
  for (const w of g) goldCounts.set(w, (goldCounts.get(w) ?? 0) + 1);
  let same = 0;
  for (const w of p) {
    const c = goldCounts.get(w) ?? 0;
    if (c > 0) {
      same++;
      goldCounts.set(w, c - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / p.length;
  const recall = same / g.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Mean exact match and F1 (fractions) of predictions, each against the best of its gold answers. */
export interface SquadScores {
  exactMatch: number;
  f1: number;
}

/**
 * SQuAD v1.1's corpus scores: per question the maximum over gold answers, then the mean.
 * @param golds golds[i] = the accepted answers of predictions[i] (1 or more).
 * @throws ShapeError when the lists differ in length, are empty, or a question has no gold answer.
 */
export function squadScores(predictions: readonly string[], golds: readonly (readonly string[])[]): SquadScores {
  if (predictions.length !== golds.length || predictions.length === 0) {
    throw new ShapeError(`squadScores: needs as many gold lists as predictions (≥ 1), got ${predictions.length} and ${golds.length}`);
  }
  let em = 0;
  let f1 = 0;
  predictions.forEach((pred, i) => {
    const answers = golds[i]!;
    if (answers.length === 0) throw new ShapeError(`squadScores: question ${i} has no gold answer; each needs at least 1`);
    em += Math.max(...answers.map((a) => answerExactMatch(pred, a)));
    f1 += Math.max(...answers.map((a) => answerF1(pred, a)));
  });
  return { exactMatch: em / predictions.length, f1: f1 / predictions.length };
}
