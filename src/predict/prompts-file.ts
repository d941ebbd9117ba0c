/** The prompts of `mtl generate --input FILE`: JSON Lines of prompts, each a JSON string or {"text": "…"}. */
import { readInputLines } from './input-lines.js';

/** A line's prompt, or (a string) why it is not one: a pair, words and messages are other inputs than a prompt. */
function promptOf(value: unknown): { prompt: string } | string {
  if (typeof value === 'string') return { prompt: value };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `a prompt must be a JSON string or an object with "text", got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`;
  const o = value as Record<string, unknown>;
  if (o.messages !== undefined) return '"messages" is a conversation: give the file with --messages FILE instead of --input';
  if (o.text_pair !== undefined || o.words !== undefined)
    return `a prompt is one text; "${o.words !== undefined ? 'words' : 'text_pair'}" is an input of mtl predict`;
  if (typeof o.text !== 'string') return o.text === undefined ? 'no "text" in the object' : '"text" must be a string';
  return { prompt: o.text };
}

/**
 * Reads the prompts of a JSON Lines file (`STDIN` for standard input); blank lines are ignored.
 * @throws DataError naming file:line of the first line that is not a prompt, and what a prompt is.
 */
export function readPrompts(file: string): string[] {
  return readInputLines(file, promptOf, {
    expected: 'prompts, one per line: a JSON string ("Once upon a time") or an object {"text": "…"}',
    instead: 'the prompts',
  }).map((p) => p.prompt);
}
