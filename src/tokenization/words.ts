/**
 * Encoding of pre-split words (as SNIPS, ATIS and CoNLL files provide them), so that each token knows
 * which INPUT word it came from.
 *
 * The `tokenizers` package 0.23 accepts an `isPretokenized` option but ignores it (its binding marks it
 * TODO) and takes only strings. So the words are joined with single spaces, the text is encoded as
 * usual, and each token is given the input word that contains the start of its offsets. For BERT's
 * normalizer and pre-tokenizer, which act per character and split on every space, this gives the same
 * tokens as Hugging Face's `is_split_into_words=True`; a word with punctuation inside (`don't`) is one
 * input word here although the pre-tokenizer splits it into three.
 */
import type { Encoding } from './encoding.js';
import { DataError } from '../errors.js';

/** Words joined by single spaces, and for each UTF-16 index of that text the word it belongs to. */
export interface JoinedWords {
  readonly text: string;
  /** (length of text) index of the word at each position; a separating space counts to the next word. */
  readonly owner: Int32Array;
  readonly numWords: number;
}

/** Joins `words` with single spaces and records which word owns each position. */
export function joinWords(words: readonly string[]): JoinedWords {
  if (!Array.isArray(words)) throw new DataError(`words must be an array of strings, got ${typeof words}`);
  const text = words.join(' ');
  const owner = new Int32Array(text.length);
  let pos = 0;
  words.forEach((word, w) => {
    if (typeof word !== 'string') throw new DataError(`word ${w} must be a string, got ${typeof word}`);
    if (w > 0) owner[pos++] = w; // the space before word w
    owner.fill(w, pos, pos + word.length);
    pos += word.length;
  });
  return { text, owner, numWords: words.length };
}

/**
 * The encoding of `joined.text` with `wordIds` replaced by input-word indices (null for special
 * tokens). Offsets stay indices into `joined.text` (that is, `words.join(' ')`).
 */
export function withInputWordIds(encoding: Encoding, joined: JoinedWords): Encoding {
  const last = joined.text.length - 1;
  const wordIds = encoding.offsets.map(([start], t) => {
    if (encoding.sequenceIds[t] === null || last < 0) return null;
    return joined.owner[Math.min(start, last)] ?? null;
  });
  return { ...encoding, wordIds };
}
