/**
 * Word-level labels on sub-word tokens, and back (token classification: slots, named entities).
 *
 * A word's label goes to its FIRST sub-word; every other token (later pieces `##…`, special tokens, a
 * pair's second text) gets -100, which the loss ignores. Predictions come back the same way: a word's
 * prediction is that of its first sub-word. Words a truncated encoding cut off have no sub-word: they
 * come back as null and are counted, so the caller can report them.
 */
import { DataError } from '../errors.js';
import type { Encoding } from './encoding.js';

/** The label of tokens the loss ignores. */
export const IGNORE_INDEX = -100;

/**
 * (numWords) index of each word's first token in `encoding`, or null for a word with no token.
 * Words are those of the first sequence (`wordIds` of an encoding from `encodeWords`).
 */
export function firstTokenOfWords(encoding: Encoding, numWords: number): Array<number | null> {
  const first: Array<number | null> = new Array<number | null>(numWords).fill(null);
  encoding.wordIds.forEach((w, t) => {
    if (w === null || encoding.sequenceIds[t] !== 0) return;
    if (w >= numWords) {
      throw new DataError(`token ${t} ("${encoding.tokens[t] ?? ''}") belongs to word ${w}, but only ${numWords} words were given`);
    }
    if (first[w] === null) first[w] = t;
  });
  return first;
}

/**
 * (T) token labels: `wordLabels[w]` on the first token of word w, IGNORE_INDEX (-100) elsewhere.
 * @example
 * // words ['play', 'thunderstruck'] → tokens [CLS] play thunder ##struck [SEP]
 * alignLabels(encoding, [0, 7]); // [-100, 0, 7, -100, -100]
 */
export function alignLabels(encoding: Encoding, wordLabels: readonly number[]): number[] {
  const labels = new Array<number>(encoding.inputIds.length).fill(IGNORE_INDEX);
  firstTokenOfWords(encoding, wordLabels.length).forEach((t, w) => {
    if (t !== null) labels[t] = wordLabels[w] ?? IGNORE_INDEX;
  });
  return labels;
}

/** One prediction per word, and why some words have none. */
export interface WordPredictions<P> {
  /** (numWords) the prediction of each word's first token; null for a word without tokens. */
  readonly predictions: Array<P | null>;
  /** Words cut off by truncation (null in `predictions`). */
  readonly truncatedWords: number;
  /** Words the normalizer emptied (only removed characters, such as control characters): null too. */
  readonly emptyWords: number;
}

/**
 * Per-word predictions from per-token ones. `tokenPredictions` (T or more: a padded batch row is fine)
 * is indexed like the encoding's tokens.
 */
export function predictionsPerWord<P>(encoding: Encoding, tokenPredictions: readonly P[], numWords: number): WordPredictions<P> {
  if (tokenPredictions.length < encoding.inputIds.length) {
    throw new DataError(
      `predictionsPerWord: ${tokenPredictions.length} token predictions for an encoding of ${encoding.inputIds.length} tokens`,
    );
  }
  const first = firstTokenOfWords(encoding, numWords);
  const lastPresent = first.reduce<number>((last, t, w) => (t === null ? last : w), -1);
  let truncatedWords = 0;
  let emptyWords = 0;
  const predictions = first.map((t, w) => {
    if (t !== null) return tokenPredictions[t] ?? null;
    if (encoding.truncated && w > lastPresent) truncatedWords++;
    else emptyWords++;
    return null;
  });
  return { predictions, truncatedWords, emptyWords };
}
