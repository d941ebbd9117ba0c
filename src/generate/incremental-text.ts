/**
 * The text of a growing token sequence, decoded a window at a time (as text-generation-inference's
 * `decode_token` and Transformers' `TextStreamer` do): each new token decodes only the tokens since
 * a recent window start, never the whole sequence, so a generation of n tokens decodes O(n) tokens in
 * all instead of n²/2. The released pieces joined are the sequence's text.
 *
 * A tokenizer's text is not a concatenation of per-token texts (byte-level BPE splits a character
 * over tokens, SentencePiece drops the first token's space, WordPiece joins `##` pieces), so each
 * step decodes the window [start, end) and releases what its text adds to what the window gave
 * before. A window whose text ends in U+FFFD (an incomplete UTF-8 character) releases nothing until
 * the character is complete. The window moves on, `CONTEXT` tokens kept before it, once it holds
 * `WINDOW` tokens and all of its text is released (so it holds more only while a character is split).
 */

/** Decodes token ids to text (a tokenizer's decode). */
export type DecodeFn = (ids: readonly number[]) => string | Promise<string>;

/** Tokens a window holds before it moves on. */
const WINDOW = 32;
/** Tokens of the window kept before the new start (the context of the next token's text). */
const CONTEXT = 4;
const REPLACEMENT = '\uFFFD';

export class IncrementalText {
  /** The text released so far. */
  text = '';
  readonly #ids: number[] = [];
  readonly #decode: DecodeFn;
  /** Index of the window's first token in `#ids`. */
  #start = 0;
  /** Characters of the window's text already released. */
  #shown = 0;

  constructor(decode: DecodeFn) {
    this.#decode = decode;
  }

  /** The tokens pushed so far. */
  get ids(): readonly number[] {
    return this.#ids;
  }

  /**
   * Appends a token and returns the text it releases: '' while a character is incomplete (or the
   * tokenizer gives no text for it), else the new characters, which `text` now ends with.
   */
  async push(token: number): Promise<string> {
    this.#ids.push(token);
    const windowText = await this.#decode(this.#ids.slice(this.#start));
    if (windowText.endsWith(REPLACEMENT)) return ''; // the window grows until the character is complete
    const piece = windowText.slice(this.#shown);
    this.#shown = Math.max(this.#shown, windowText.length);
    this.text += piece;
    if (this.#ids.length - this.#start >= WINDOW) {
      this.#start = this.#ids.length - CONTEXT;
      this.#shown = (await this.#decode(this.#ids.slice(this.#start))).length; // all of it released already
    }
    return piece;
  }
}
