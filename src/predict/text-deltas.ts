/**
 * The pieces a streamed generation releases (`TextGenerator.generate`'s `onText`, `mtl generate`'s
 * stdout, `mtl serve`'s Server-Sent Events): non-empty deltas of the text shown so far. Text is held
 * back while it has not grown (a byte-level BPE token that ends mid-character, a special token decoded
 * to nothing, whitespace at a reply's start), while its end may begin a stop string, and at a reply's
 * end while it is whitespace; what is held at the end comes with the last piece. The pieces joined are
 * the generation's text.
 */

/** The text of `generated` cut before the first stop string it holds, and whether it held one. */
export function cutAtStop(text: string, stopStrings: readonly string[]): { text: string; stopped: boolean } {
  const at = Math.min(...stopStrings.map((s) => text.indexOf(s)).filter((i) => i >= 0));
  return Number.isFinite(at) ? { text: text.slice(0, at), stopped: true } : { text, stopped: false };
}

/** Characters at the end of `text` that may begin a stop string (held back while streaming). */
function pendingStop(text: string, stopStrings: readonly string[]): number {
  let n = 0;
  for (const s of stopStrings) for (let k = Math.min(s.length - 1, text.length); k > n; k--) if (text.endsWith(s.slice(0, k))) n = k;
  return n;
}

export class TextDeltas {
  /** Characters of the shaped text released so far. */
  #shown = 0;

  /**
   * @param stopStrings the text ends before the first of them.
   * @param reply a conversation's reply: its text without the whitespace around it.
   */
  constructor(
    private readonly stopStrings: readonly string[],
    private readonly reply: boolean,
  ) {}

  /** The text shown for the raw generated text `raw`: cut before a stop string, a reply's leading whitespace trimmed. */
  shaped(raw: string): string {
    const text = cutAtStop(raw, this.stopStrings).text;
    return this.reply ? text.trimStart() : text;
  }

  /** The piece the generated text so far (`raw`, as the loop decodes it) releases; '' while nothing new is clear to show. */
  next(raw: string): string {
    const text = this.shaped(raw);
    const trailing = this.reply ? text.length - text.trimEnd().length : 0; // a reply's end is trimmed
    return this.#release(text, text.length - Math.max(pendingStop(text, this.stopStrings), trailing));
  }

  /**
   * The finished generation's text (`raw`: all its tokens decoded at once) and the piece still to
   * release ('' when all of it is out).
   */
  finish(raw: string): { text: string; rest: string } {
    const text = this.reply ? this.shaped(raw).trimEnd() : this.shaped(raw);
    return { text, rest: this.#release(text, text.length) };
  }

  #release(text: string, ready: number): string {
    const piece = ready > this.#shown ? text.slice(this.#shown, ready) : '';
    this.#shown = Math.max(this.#shown, ready);
    return piece;
  }
}
