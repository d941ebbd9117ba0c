/**
 * The text of a continuation from a WordPiece tokenizer, as a person writes it, released a piece at a
 * time. WordPiece's decoder cannot know where spaces were: decoding the continuation's ids alone gives
 * `##able story` for a continuation of `unbeliev`, and a space around every punctuation mark
 * (`the dog ' s bowl .`). So the prompt's and the continuation's ids are decoded together and the
 * prompt's text cut off (what Transformers' `TextStreamer` does with `skip_prompt`), and the spaces the
 * tokenizer put around punctuation are taken out with `detokenize` (Moses' English rules: `the dog's
 * bowl.`), as the seq2seq option `detokenize` does for predictions. When the continuation changes the
 * prompt's own text (`it '` + `s` → `it's`), the continuation is read alone, after a space.
 *
 * Streaming: those rules join a word to what comes after it (`it ' s` → `it's`), so the text of the
 * last two words may still change: a piece is released only once two more words follow it, and the
 * rest when the continuation ends.
 *
 * Each token decodes a window, not the whole sequence (as ../generate/incremental-text.ts does for
 * other tokenizers): the text before a word boundary that no rule reaches across is final, and the
 * window starts at the last such boundary. A boundary lies between two tokens (special tokens between
 * them aside) when the first ends in a character that joins nothing after it (not an opening bracket,
 * currency sign, quote or apostrophe) and the second starts a word with one that joins nothing before it
 * (not `##`, closing punctuation, a quote, an apostrophe or `n't`): WordPiece's decoder then puts one
 * space there, and `detokenize` of the two sides joined by it is their texts joined by it, given the
 * state of straight quotes (`detokenizeFrom`). So the work per token is the length of the window (the
 * tokens since the last boundary: a few in text, more only in a run such as `( ( (` or one word of
 * many pieces), whatever the lengths of the prompt and the continuation. `ContinuationText.of` is the
 * whole computation, which the windowed one equals.
 */
import { detokenize, detokenizeFrom } from '../data/index.js';
import type { DecodeFn } from '../generate/incremental-text.js';

/** Words at the end of the text that a later token may still join to (`w ' s` is the longest rule's span). */
const HELD_WORDS = 2;
/** A token's text (alone) that joins nothing before it: a word's start (not a `##` piece, closing punctuation, a quote, an apostrophe, `n't`). */
const JOINS_BEFORE = /^(?:##|n't|[.,!?;:%)\]}”»。、'’"])|\s/u;
/** A token's text that joins nothing after it: not ending in an opening bracket, currency sign, quote or apostrophe. */
const JOINS_AFTER = /[([{$£¥€‘“«'’"]$|\s/u;

/** The detokenized text of a window of tokens, and whether a straight quote is open at its end. */
type WindowText = ReturnType<typeof detokenizeFrom>;

/** Where the text is final: the window starts at token `start`, the continuation's text before it is `head` (then a space). */
interface Boundary {
  readonly start: number;
  readonly head: string;
  readonly quoteOpen: boolean;
}

/** The prompt's last boundary `start` (0: none), the state of quotes there, and the text of the prompt from it on. */
interface PromptWindow {
  readonly start: number;
  readonly quoteOpen: boolean;
  readonly text: string;
}

export class ContinuationText {
  /** The text released so far. */
  released = '';
  readonly #ids: number[];
  readonly #promptLength: number;
  readonly #decode: DecodeFn;
  /** Each id's text decoded alone ('' for a special token), for finding boundaries. */
  readonly #pieces = new Map<number, string>();
  #prompt: PromptWindow | undefined;
  /** The last boundary in the continuation; undefined until there is one (the window then starts in the prompt). */
  #boundary: Boundary | undefined;
  /** The window's text at the last computation (`end` tokens), reused when the next token makes a boundary. */
  #last: { end: number; window: WindowText; alone?: WindowText } | undefined;
  /** Index of the last token with text (not a special token). */
  #lastWord: number | undefined;
  /** Leading characters of `released` known to equal the final text. */
  #agreed = 0;

  /** @param promptIds the prompt's token ids (special tokens among them are left out of the text, as decode leaves them). */
  constructor(decode: DecodeFn, promptIds: readonly number[]) {
    this.#decode = decode;
    this.#ids = [...promptIds];
    this.#promptLength = promptIds.length;
  }

  /** Appends a generated token; the text it releases ('' while the last words may still change). */
  async push(token: number): Promise<string> {
    await this.#start();
    this.#ids.push(token);
    await this.#advance(this.#ids.length - 1);
    const { head, tail } = await this.#parts();
    return this.#release(head, tail, heldFrom(head, tail));
  }

  /** What is left to release once the continuation has ended. */
  async end(): Promise<string> {
    await this.#start();
    const { head, tail } = await this.#parts();
    return this.#release(head, tail, head.length + tail.length);
  }

  /** The continuation's text for the tokens so far (the leading space kept when it starts a new word). */
  async text(): Promise<string> {
    await this.#start();
    const { head, tail } = await this.#parts();
    return head + tail;
  }

  /** The text of the continuation `tokens` of `promptIds`, decoding the whole sequence (see the class). */
  static async of(decode: DecodeFn, promptIds: readonly number[], tokens: readonly number[]): Promise<string> {
    const promptText = detokenize(await decode(promptIds));
    const whole = detokenize(await decode([...promptIds, ...tokens]));
    if (whole.startsWith(promptText)) return whole.slice(promptText.length);
    const alone = detokenize(await decode(tokens)); // the prompt's text changed (`it '` + `s`)
    return alone === '' ? '' : ` ${alone}`;
  }

  /** The text of `id` decoded alone (cached). */
  async #piece(id: number): Promise<string> {
    let piece = this.#pieces.get(id);
    if (piece === undefined) {
      piece = await this.#decode([id]);
      this.#pieces.set(id, piece);
    }
    return piece;
  }

  /** Finds the prompt's last boundary and its text from there (once: the only step that reads the whole prompt). */
  async #start(): Promise<void> {
    if (this.#prompt !== undefined) return;
    const p = this.#promptLength;
    let start = 0;
    let next: { index: number; piece: string } | undefined; // the nearest token with text after i
    for (let i = p - 1; i >= 0; i--) {
      const piece = await this.#piece(this.#ids[i]!);
      if (piece === '') continue;
      this.#lastWord ??= i;
      if (next !== undefined && isBoundary(piece, next.piece)) {
        start = next.index;
        break;
      }
      next = { index: i, piece };
    }
    const quoteOpen = start === 0 ? false : detokenizeFrom(await this.#decode(this.#ids.slice(0, start)), false).quoteOpen;
    const window = detokenizeFrom(await this.#decode(this.#ids.slice(start, p)), quoteOpen);
    this.#prompt = { start, quoteOpen, text: window.text };
    this.#last = { end: p, window };
  }

  /**
   * Moves the window's start to token `k` when a boundary lies before it and the text before it is
   * the previous computation's (the continuation's text from there on then depends on the window alone).
   */
  async #advance(k: number): Promise<void> {
    const piece = await this.#piece(this.#ids[k]!);
    if (piece === '') return; // a special token: no text, no boundary
    const before = this.#lastWord;
    this.#lastWord = k;
    const last = this.#last;
    if (before === undefined || last === undefined || last.end !== k) return;
    if (!isBoundary(await this.#piece(this.#ids[before]!), piece)) return;
    const b = this.#boundary;
    if (b !== undefined) {
      this.#boundary = { start: k, head: `${b.head} ${last.window.text}`, quoteOpen: last.window.quoteOpen };
      return;
    }
    const prompt = this.#prompt!;
    if (last.window.text.length < prompt.text.length) return; // the prompt's text may still change
    if (last.window.text.startsWith(prompt.text)) {
      this.#boundary = { start: k, head: last.window.text.slice(prompt.text.length), quoteOpen: last.window.quoteOpen };
    } else if (before >= this.#promptLength && last.alone !== undefined) {
      // the continuation is read alone for good: its text up to k is final
      this.#boundary = { start: k, head: ` ${last.alone.text}`, quoteOpen: last.alone.quoteOpen };
    }
  }

  /** The continuation's text as `head` (final) and `tail` (the window's text, which may still change). */
  async #parts(): Promise<{ head: string; tail: string }> {
    const end = this.#ids.length;
    const b = this.#boundary;
    if (b !== undefined) {
      const window = detokenizeFrom(await this.#decode(this.#ids.slice(b.start)), b.quoteOpen);
      this.#last = { end, window };
      return { head: b.head, tail: ` ${window.text}` };
    }
    const prompt = this.#prompt!;
    const window = detokenizeFrom(await this.#decode(this.#ids.slice(prompt.start)), prompt.quoteOpen);
    this.#last = { end, window };
    if (window.text.startsWith(prompt.text)) return { head: '', tail: window.text.slice(prompt.text.length) };
    const alone = detokenizeFrom(await this.#decode(this.#ids.slice(this.#promptLength)), false); // the prompt's text changed (`it '` + `s`)
    this.#last = { end, window, alone };
    return { head: '', tail: alone.text === '' ? '' : ` ${alone.text}` };
  }

  /** Releases what `head + tail` up to character `end` adds to the released text, if it extends it. */
  #release(head: string, tail: string, end: number): string {
    const r = this.released;
    if (end <= r.length || !this.#extends(head, tail)) return '';
    const piece = slice(head, tail, r.length, end);
    this.released = r + piece;
    return piece;
  }

  /** Whether `head + tail` starts with the released text (the part within the final `head` checked once). */
  #extends(head: string, tail: string): boolean {
    const r = this.released;
    const inHead = Math.min(r.length, head.length);
    if (this.#agreed < inHead) {
      if (r.slice(this.#agreed, inHead) !== head.slice(this.#agreed, inHead)) return false;
      this.#agreed = inHead;
    }
    return r.length <= head.length || r.slice(head.length) === tail.slice(0, r.length - head.length);
  }
}

/** Whether a boundary lies between a token whose text is `before` and the next token with text, `after` (see the file's comment). */
const isBoundary = (before: string, after: string): boolean =>
  before !== '' && after !== '' && !JOINS_AFTER.test(before) && !JOINS_BEFORE.test(after);

/** `(head + tail).slice(from, to)` without joining them. */
function slice(head: string, tail: string, from: number, to: number): string {
  const h = head.length;
  if (from >= h) return tail.slice(from - h, to - h);
  return head.slice(from, Math.min(to, h)) + (to > h ? tail.slice(0, to - h) : '');
}

/**
 * Where the held words of `head + tail` begin: its last `HELD_WORDS` words that follow whitespace, with
 * that whitespace and any after them (what `/(\s+\S+){0,2}\s*$/` matches), found from the end.
 */
function heldFrom(head: string, tail: string): number {
  const h = head.length;
  const isSpace = (i: number) => /\s/.test(i < h ? head[i]! : tail[i - h]!);
  let i = h + tail.length;
  while (i > 0 && isSpace(i - 1)) i--;
  for (let k = 0; k < HELD_WORDS; k++) {
    let j = i;
    while (j > 0 && !isSpace(j - 1)) j--;
    if (j === 0) break; // a word at the very start follows no whitespace (or nothing is left)
    while (j > 0 && isSpace(j - 1)) j--;
    i = j;
  }
  return i;
}
