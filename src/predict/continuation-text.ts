/**
 * The text of a continuation from a WordPiece tokenizer, as a person writes it, released a piece at a
 * time. WordPiece's decoder cannot know where spaces were: decoding the continuation's ids alone gives
 * `##able story` for a continuation of `unbeliev`, and a space around every punctuation mark
 * (`the dog ' s bowl .`). So the prompt's and the continuation's ids are decoded together and the
 * prompt's text cut off (what Transformers' `TextStreamer` does with `skip_prompt`), and the spaces the
 * tokenizer put around punctuation are taken out with `detokenize` (Moses' English rules: `the dog's
 * bowl.`), as the seq2seq option `detokenize` does for predictions.
 *
 * Streaming: those rules join a word to what comes after it (`it ' s` → `it's`), so the text of the
 * last two words may still change: a piece is released only once two more words follow it, and the
 * rest when the continuation ends. Each step decodes the whole sequence (O(n²) tokens for n generated,
 * cheap beside the model's steps at generation lengths).
 */
import { detokenize } from '../data/index.js';
import type { DecodeFn } from '../generate/incremental-text.js';

/** Words at the end of the text that a later token may still join to (`w ' s` is the longest rule's span). */
const HELD_WORDS = 2;

export class ContinuationText {
  /** The text released so far. */
  released = '';
  readonly #ids: number[];
  readonly #promptLength: number;
  readonly #decode: DecodeFn;
  #promptText: string | undefined;

  /** @param promptIds the prompt's token ids (special tokens among them are left out of the text, as decode leaves them). */
  constructor(decode: DecodeFn, promptIds: readonly number[]) {
    this.#decode = decode;
    this.#ids = [...promptIds];
    this.#promptLength = promptIds.length;
  }

  /** Appends a generated token; the text it releases ('' while the last words may still change). */
  async push(token: number): Promise<string> {
    this.#ids.push(token);
    const text = await this.text();
    const lastWords = text.match(new RegExp(`(\\s+\\S+){0,${HELD_WORDS}}\\s*$`))?.[0] ?? '';
    return this.#release(text.slice(0, text.length - lastWords.length));
  }

  /** What is left to release once the continuation has ended. */
  async end(): Promise<string> {
    return this.#release(await this.text());
  }

  /** The continuation's text for the tokens so far (the leading space kept when it starts a new word). */
  async text(): Promise<string> {
    this.#promptText ??= detokenize(await this.#decode(this.#ids.slice(0, this.#promptLength)));
    const whole = detokenize(await this.#decode(this.#ids));
    if (whole.startsWith(this.#promptText)) return whole.slice(this.#promptText.length);
    const alone = detokenize(await this.#decode(this.#ids.slice(this.#promptLength))); // the prompt's text changed (`it '` + `s`)
    return alone === '' ? '' : ` ${alone}`;
  }

  /** The text of the continuation `tokens` of `promptIds` (see the class). */
  static async of(decode: DecodeFn, promptIds: readonly number[], tokens: readonly number[]): Promise<string> {
    const text = new ContinuationText(decode, promptIds);
    text.#ids.push(...tokens);
    return text.text();
  }

  /** Releases what `text` adds to the released text, if it extends it. */
  #release(text: string): string {
    if (!text.startsWith(this.released) || text.length <= this.released.length) return '';
    const piece = text.slice(this.released.length);
    this.released = text;
    return piece;
  }
}
