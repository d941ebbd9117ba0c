/**
 * Where each token of an explained input came from: its characters in the text as given (UTF-16
 * units, `text.slice(start, end)`), and the word it belongs to, so attributions per token can be
 * shown on the text and added up per word.
 *
 * Words are those the task read: for an input of words (SNIPS, CoNLL), the input's words with their
 * offsets (the encoding's offsets index the words joined by single spaces and are moved onto the
 * text); for a text or a pair, the tokenizer's pre-tokenized words (its word ids), each spanning its
 * first token's start to its last token's end.
 */
import { DataError } from '../errors.js';
import type { Encoding } from '../tokenization/index.js';
import type { InputWord } from '../tasks/index.js';

/** One token of the explained input. Special tokens ([CLS], [SEP]) have no characters and no word. */
export interface LaidToken {
  /** The vocabulary's token string ('play', '##ing', '[CLS]'). */
  readonly token: string;
  /** [start, end) in its text (the first text, or `text_pair` when `sequence` is 1); null for a special token. */
  readonly start: number | null;
  readonly end: number | null;
  /** Index into `words`; null for a special token. */
  readonly word: number | null;
  /** 0 for the first text, 1 for a pair's second; null for a special token. */
  readonly sequence: 0 | 1 | null;
}

/** One word of the explained input and its tokens. */
export interface LaidWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
  readonly sequence: 0 | 1;
  /** Positions of its tokens. */
  readonly tokens: number[];
}

export interface TokenLayout {
  readonly tokens: LaidToken[];
  readonly words: LaidWord[];
}

/**
 * The layout of `encoding` (the tokens the model read, after truncation) over the input.
 * @param texts the input's texts: [text] or [text, textPair].
 * @param inputWords for an input of words: its words with their offsets in `texts[0]` (the encoding
 *   was made of these words joined by single spaces); undefined for a text or a pair.
 * @throws DataError when a token's word id points past `inputWords`.
 */
export function tokenLayout(encoding: Encoding, texts: readonly string[], inputWords?: readonly InputWord[]): TokenLayout {
  if (inputWords !== undefined) return wordsLayout(encoding, inputWords);
  const words: { start: number; end: number; sequence: 0 | 1; tokens: number[] }[] = [];
  const wordOf = new Map<string, number>(); // "sequence:wordId" → index into words
  const tokens = encoding.inputIds.map((_, t): LaidToken => {
    const sequence = encoding.sequenceIds[t] as 0 | 1 | null;
    const wordId = encoding.wordIds[t];
    if (sequence === null || wordId === null || wordId === undefined) return special(encoding, t);
    const [start, end] = encoding.offsets[t]!;
    const key = `${sequence}:${wordId}`;
    let w = wordOf.get(key);
    if (w === undefined) {
      w = words.push({ start, end, sequence, tokens: [] }) - 1;
      wordOf.set(key, w);
    }
    const word = words[w]!;
    word.start = Math.min(word.start, start);
    word.end = Math.max(word.end, end);
    word.tokens.push(t);
    return { token: encoding.tokens[t]!, start, end, word: w, sequence };
  });
  return { tokens, words: words.map((w) => ({ ...w, word: texts[w.sequence]!.slice(w.start, w.end) })) };
}

const special = (encoding: Encoding, t: number): LaidToken => ({
  token: encoding.tokens[t]!,
  start: null,
  end: null,
  word: null,
  sequence: null,
});

/** The layout of an encoding of pre-split words, moved from the joined words onto the input's text. */
function wordsLayout(encoding: Encoding, inputWords: readonly InputWord[]): TokenLayout {
  const joinedStart: number[] = [];
  inputWords.reduce((at, w) => (joinedStart.push(at), at + w.word.length + 1), 0);
  const words: LaidWord[] = inputWords.map((w) => ({ word: w.word, start: w.start, end: w.end, sequence: 0, tokens: [] }));
  const tokens = encoding.inputIds.map((_, t): LaidToken => {
    const w = encoding.wordIds[t];
    if (encoding.sequenceIds[t] === null || w === null || w === undefined) return special(encoding, t);
    const word = inputWords[w];
    if (word === undefined) throw new DataError(`token ${t} belongs to word ${w}, but the input has ${inputWords.length} words`);
    const [s, e] = encoding.offsets[t]!;
    const shift = word.start - joinedStart[w]!;
    words[w]!.tokens.push(t);
    return { token: encoding.tokens[t]!, start: s + shift, end: e + shift, word: w, sequence: 0 };
  });
  return { tokens, words };
}
