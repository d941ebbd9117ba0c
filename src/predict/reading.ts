/**
 * What the model reads of an input to predict on, and what it does not. A task over words gets the
 * text's words (`splitWords`' split for raw text, or the words as given for a text that comes split
 * into words, as the data readers split a `seq.in` line); a task over one text gets the text; a pair
 * task gets both texts whole. The encoder reads at most max_length tokens, so a words or text task is
 * given at most the first max_length words (every word gives at least one token), and a long text costs
 * what a short one does; a pair is given whole (extractive QA reads a long context in windows).
 *
 * After featurizing, the features say how far each text was read (`Features.readChars`); `unreadOf`
 * turns that into the count of words and characters the prediction did not see, which `mtl predict`
 * and `mtl serve` print with it, so that nothing cut off is silently labelled.
 */
import type { SourcePosition } from '../data/index.js';
import type { InputKind } from '../data/task-reading.js';
import type { ExplainOptions } from '../explain/options.js';
import type { ChatMessage } from '../tokenization/index.js';
import { splitWords, whitespaceWords, type Features, type InputWord } from '../tasks/index.js';

/** One input: a text, or a pair of texts for pair tasks. */
export interface PredictInput {
  readonly text: string;
  readonly textPair?: string;
  /**
   * The text comes split into words (Hugging Face's `is_split_into_words`): its words are its runs of
   * characters other than space and tab, as the data sets' `seq.in` lines and CoNLL token columns,
   * and a task over words reads them as evaluation does. Default false: raw text, whose words are
   * split at spaces with punctuation at a word's ends split off (`splitWords`).
   */
  readonly splitIntoWords?: boolean;
  /**
   * A dialogue so far, for chat tasks (`{"messages": [{"role", "content"}, …]}`): they reply to it as
   * the assistant. Absent: a chat task reads `text` as one user turn.
   */
  readonly messages?: readonly ChatMessage[];
  /** List this many of the most probable labels of each classification (`top_k`; `mtl serve`'s `parameters.top_k`); default `PredictOptions.topK`. */
  readonly topK?: number;
  /** Explain each task's prediction with these options (`mtl serve`'s `parameters.explain`); default `PredictOptions.explain`. */
  readonly explain?: ExplainOptions;
}

/** Of one text: the words (as the text's split counts them) and characters the model did not read. */
export type UnreadPart = {
  readonly words: number;
  readonly characters: number;
};

/** What an input's prediction did not read, by text (`text_pair` as JSON names the second). */
export type Unread = {
  readonly text?: UnreadPart;
  readonly text_pair?: UnreadPart;
};

/** An input as a task of one input kind reads it. */
export interface InputReading {
  /** The example given to the task type's `featurize`. */
  readonly example: unknown;
  /** The words given to the model (words kind: at most max_length of them; else none), offsets into the text. */
  readonly words: readonly InputWord[];
  /** How much of the text was given (UTF-16 units): all of it, or up to the end of its first max_length words. */
  readonly given: number;
}

/** The words of an input's text, as its `splitIntoWords` says to split them. */
export const wordsOf = (input: PredictInput, limit = Infinity): InputWord[] =>
  input.splitIntoWords === true ? whitespaceWords(input.text).slice(0, limit) : splitWords(input.text, limit);

/**
 * `text` up to the end of its first `maxWords` words (`splitWords`' words), or `text` itself when it has
 * no more; linear in the part kept, whatever the text's length.
 */
export function cutToWords(text: string, maxWords: number): string {
  const words = splitWords(text, maxWords + 1);
  return words.length <= maxWords ? text : text.slice(0, words[maxWords - 1]!.end);
}

/** The example that the tasks of input kind `kind` read for `input` (the `index`-th of a batch), at most `maxLength` words of it. */
export function readingOf(input: PredictInput, kind: InputKind, index: number, maxLength: number): InputReading {
  const source: SourcePosition = { file: 'input', line: index + 1 };
  const id = String(index);
  if (kind === 'words') {
    const words = wordsOf(input, maxLength + 1);
    const given = words.length > maxLength ? words[maxLength - 1]!.end : input.text.length;
    const example = { id, tokens: words.slice(0, maxLength).map((w) => w.word), tags: [], intent: '', source };
    return { example, words: words.slice(0, maxLength), given };
  }
  if (kind === 'messages') {
    const messages = input.messages ?? [{ role: 'user' as const, content: input.text }];
    return { example: { id, messages, source }, words: [], given: input.text.length };
  }
  if (kind === 'pair')
    return { example: { id, textA: input.text, textB: input.textPair ?? '', source }, words: [], given: input.text.length };
  const text = cutToWords(input.text, maxLength);
  return { example: { id, text, source }, words: [], given: text.length };
}

/** The read extents of an example's features (several windows: the farthest; null = whole), or undefined when none was cut. */
function readExtents(features: readonly Features[]): readonly (number | null)[] | undefined {
  const cut = features.filter((f) => f.truncated && f.readChars !== undefined);
  if (cut.length === 0) return undefined;
  return cut[0]!.readChars!.map((_, s) => {
    const ends = cut.map((f) => f.readChars![s] ?? null);
    return ends.includes(null) ? null : Math.max(...(ends as number[]));
  });
}

/** What of `text` after character `end` was not read; undefined when nothing but spaces is left. */
function unreadPart(text: string, end: number, words: () => readonly InputWord[]): UnreadPart | undefined {
  if (text.slice(end).trim() === '') return undefined;
  return { words: words().filter((w) => w.start >= end).length, characters: text.length - end };
}

/**
 * What of `input` a task's prediction did not read, from the features made of `reading.example`
 * (`featurize`'s, for one example); undefined when it read everything.
 */
export function unreadOf(input: PredictInput, kind: InputKind, reading: InputReading, features: readonly Features[]): Unread | undefined {
  const extents = readExtents(features);
  if (kind === 'words') {
    // readChars index the words joined by single spaces: a word is read when its first character is
    const end = extents?.[0] ?? Infinity;
    let read = 0;
    for (let start = 0; read < reading.words.length && start < end; read++) start += reading.words[read]!.word.length + 1;
    if (read === reading.words.length && reading.given === input.text.length) return undefined;
    const from = read === 0 ? 0 : reading.words[read - 1]!.end;
    const text = unreadPart(input.text, from, () => wordsOf(input));
    return text === undefined ? undefined : { text };
  }
  const text = unreadPart(input.text, extents?.[0] ?? reading.given, () => wordsOf(input));
  const pair =
    input.textPair === undefined || extents?.[1] === undefined || extents[1] === null
      ? undefined
      : unreadPart(input.textPair, extents[1], () => wordsOf({ ...input, text: input.textPair! }));
  if (text === undefined && pair === undefined) return undefined;
  return { ...(text === undefined ? {} : { text }), ...(pair === undefined ? {} : { text_pair: pair }) };
}
