/**
 * Prediction's JSON: an input as a JSON Lines line or a request element gives it (`predictInputOf`, and
 * `readPredictInputs` for `mtl predict --input`), and a prediction record as `mtl predict` prints it and
 * `mtl serve` answers it (`predictionToJson`: snake_case `text_pair`).
 */
import { chatMessagesOf } from '../data/index.js';
import { readInputLines } from './input-lines.js';
import type { PredictionRecord } from './predict.js';
import type { PredictInput } from './reading.js';

/**
 * One input to predict as JSON has it (a JSON Lines file's line, an element of a request to
 * `mtl serve`): a string (the text), an object with `text` and, for pair tasks, `text_pair`, or an
 * object with `words`, a list of words (Hugging Face's `is_split_into_words`: the text is the words
 * joined by spaces, read as those words), or an object with `messages`, a dialogue so far for chat
 * tasks (`[{"role": "user", "content": "…"}, …]`; `text` is then its last message's content). Other keys, such as a labelled file's label, are ignored.
 * @returns the input, or what is wrong with `value` (a sentence, for the caller to place).
 */
export function predictInputOf(value: unknown): PredictInput | string {
  if (typeof value === 'string') return { text: value };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `expected a string or an object with "text", got ${described(value)}`;
  const o = value as Record<string, unknown>;
  if (o.text_pair !== undefined && typeof o.text_pair !== 'string') return `"text_pair" must be a string, got ${described(o.text_pair)}`;
  const pair = o.text_pair === undefined ? {} : { textPair: o.text_pair };
  if (o.words !== undefined) {
    if (o.text !== undefined) return 'give "text" or "words", not both';
    const words = o.words;
    if (!Array.isArray(words) || words.length === 0) return `"words" must be a non-empty list of words, got ${described(words)}`;
    const bad = words.findIndex((w) => typeof w !== 'string' || !/^[^ \t]+$/.test(w));
    if (bad >= 0) return `"words"[${bad}] must be a word (a non-empty string without spaces or tabs), got ${described(words[bad])}`;
    return { text: words.join(' '), splitIntoWords: true, ...pair };
  }
  if (o.messages !== undefined) {
    if (o.text !== undefined || o.words !== undefined) return 'give "messages" alone, not with "text" or "words"';
    const messages = chatMessagesOf(o.messages, 'messages', false);
    if (typeof messages === 'string') return messages;
    return { text: messages.at(-1)!.content, messages };
  }
  if (o.text === undefined) return `no "text" (nor "words" or "messages") in the object; its keys: ${keysOf(o)}`;
  if (typeof o.text !== 'string') return `"text" must be a string, got ${described(o.text)}`;
  return { text: o.text, ...pair };
}

/** The first keys of an object, quoted, for an error message (at most 5; an empty object says so). */
function keysOf(o: Record<string, unknown>): string {
  const keys = Object.keys(o);
  if (keys.length === 0) return 'none';
  return (
    keys
      .slice(0, 5)
      .map((k) => JSON.stringify(k.slice(0, 40)))
      .join(', ') + (keys.length > 5 ? `, … (${keys.length})` : '')
  );
}

/**
 * A value that is not a string, named for an error message: scalars as JSON, arrays and objects by
 * kind only (stringifying them would echo a megabyte back, or overflow the stack on deep nesting).
 */
function described(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' && value !== null ? 'an object' : String(JSON.stringify(value));
}

/** A prediction record as JSON prints it (`mtl predict`'s lines, `mtl serve`'s answers): snake_case `text_pair`. */
export function predictionToJson(record: PredictionRecord): Record<string, unknown> {
  const { text, textPair, predictions } = record;
  return textPair === undefined ? { text, predictions } : { text, text_pair: textPair, predictions };
}

/**
 * The inputs of a JSON Lines file: each line a JSON string (the text), an object with `text` (and
 * `text_pair` for pair tasks), or one with `words` (`predictInputOf`); blank lines are ignored.
 * @throws DataError naming file:line of the first line that is neither, what was expected, and how many lines are bad.
 */
export function readPredictInputs(file: string): PredictInput[] {
  return readInputLines(file, predictInputOf, {
    expected:
      'inputs to predict, one per line: a JSON string ("play some jazz") or an object {"text": "…"} ' +
      '(with "text_pair" for pair tasks; {"words": ["…", …]} for words already split)',
    instead: 'the texts',
  });
}
