/**
 * The words of a text to predict on, for task types that read pre-split words (the tagging data sets
 * SNIPS, ATIS and CoNLL write "boston ." not "boston."): runs of non-space characters, with
 * punctuation at a word's ends split off as words of its own, each with its offsets in the text; or, for a
 * text that comes split into words, its runs of non-space characters.
 */
import type { InputWord } from './types.js';

const EDGE_PUNCTUATION = /[.,!?;:"()[\]{}]/;

/** Whether `word` is one punctuation character that `splitWords` splits off a word's end. */
export const isPunctuation = (word: string): boolean => word.length === 1 && EDGE_PUNCTUATION.test(word);

/**
 * The words of `text`: runs of non-space characters, with punctuation at either end split off as words
 * of its own; only the first `limit` of them when given (the rest of the text is not looked at).
 */
export function splitWords(text: string, limit = Infinity): InputWord[] {
  const words: InputWord[] = [];
  for (const m of text.matchAll(/\S+/g)) {
    let [s, e] = [m.index, m.index + m[0].length];
    const tail: InputWord[] = [];
    while (s < e && words.length < limit && EDGE_PUNCTUATION.test(text[s] as string))
      words.push({ word: text[s] as string, start: s, end: ++s });
    if (words.length >= limit) break;
    while (e > s && EDGE_PUNCTUATION.test(text[e - 1] as string)) tail.push({ word: text[e - 1] as string, start: e - 1, end: e-- });
    if (e > s) words.push({ word: text.slice(s, e), start: s, end: e });
    for (let k = tail.length - 1; k >= 0; k--) words.push(tail[k]!); // pushed from the end: push + reverse order, not unshift (quadratic)
    if (words.length >= limit) break;
  }
  return words.length > limit ? words.slice(0, limit) : words;
}

/**
 * The words of a text that comes already split into words (Hugging Face's `is_split_into_words`):
 * its runs of characters other than space and tab, exactly the words the data readers' `splitWhitespace`
 * cuts a SNIPS/ATIS `seq.in` line into, each with its offsets in the text. Nothing else is split off.
 */
export function whitespaceWords(text: string): InputWord[] {
  return [...text.matchAll(/[^ \t]+/g)].map((m) => ({ word: m[0], start: m.index, end: m.index + m[0].length }));
}
