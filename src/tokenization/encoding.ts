/**
 * The result of encoding one input (a text or a pair of texts): plain arrays of length T, in Hugging
 * Face's vocabulary, converted from the `tokenizers` package's native `Encoding` in exactly one place.
 */
import type { NativeEncoding } from './native.js';

/** One encoded input. Every array has the same length T (tokens, special tokens included). */
export interface Encoding {
  /** (T) vocabulary ids. */
  readonly inputIds: number[];
  /** (T) 1 = attend (a real token), 0 = padding. */
  readonly attentionMask: number[];
  /** (T) segment of each token: 0 for `[CLS] a [SEP]`, 1 for `b [SEP]` of a pair. */
  readonly tokenTypeIds: number[];
  /** (T) 1 where the post-processor added the token (`[CLS]`, `[SEP]`), else 0. */
  readonly specialTokensMask: number[];
  /** (T) the token strings (`##` marks a continuation piece in WordPiece vocabularies). */
  readonly tokens: string[];
  /**
   * (T) `[start, end)` of each token in the ORIGINAL text of its own sequence (the first text or the
   * pair's second text), as JavaScript string indices: `text.slice(start, end)` is the token's source.
   * Special tokens have `[0, 0]`.
   */
  readonly offsets: Array<[number, number]>;
  /** (T) index of the word each token came from, within its own sequence; null for special tokens. */
  readonly wordIds: Array<number | null>;
  /** (T) 0 for tokens of the first text, 1 for the pair's second text, null for special tokens. */
  readonly sequenceIds: Array<number | null>;
  /** True when tokens were cut off to fit the tokenizer's maximum length. */
  readonly truncated: boolean;
}

/**
 * Converts a native encoding (each getter of the package costs about 10 µs, so only the ones that
 * carry information are called). The package reports offsets in Unicode code points; they are turned
 * into UTF-16 indices (JavaScript's) with the text each sequence came from (`texts[sequenceId]`).
 * Assumes padding is off (every attention-mask entry 1) and takes token strings from `vocab` (id → token).
 */
export function fromHfEncoding(native: NativeEncoding, texts: readonly string[], vocab: readonly string[]): Encoding {
  const inputIds = native.getIds();
  const sequenceIds = native.getSequenceIds().map((s) => s ?? null);
  const maps = texts.map(codePointToUtf16);
  const offsets = native.getOffsets().map((pair, t): [number, number] => {
    const start = pair[0] ?? 0;
    const end = pair[1] ?? 0;
    const map = maps[sequenceIds[t] ?? -1];
    return map ? [map[start] ?? start, map[end] ?? end] : [start, end];
  });
  return {
    inputIds,
    attentionMask: inputIds.map(() => 1),
    tokenTypeIds: native.getTypeIds(),
    // The post-processor's tokens are exactly those outside every sequence.
    specialTokensMask: sequenceIds.map((s) => (s === null ? 1 : 0)),
    tokens: inputIds.map((id) => vocab[id] ?? ''),
    offsets,
    wordIds: native.getWordIds().map((w) => w ?? null),
    sequenceIds,
    truncated: native.getOverflowing().length > 0,
  };
}

/** How many of `encodings` were truncated: the number to report after encoding a data set. */
export function countTruncated(encodings: readonly Encoding[]): number {
  let n = 0;
  for (const e of encodings) if (e.truncated) n++;
  return n;
}

/**
 * UTF-16 index of each code point of `text` (one entry more: the length), or undefined when the two
 * agree (no character outside the Basic Multilingual Plane), which is the common case.
 */
export function codePointToUtf16(text: string): number[] | undefined {
  if (!/[\uD800-\uDFFF]/.test(text)) return undefined;
  const map: number[] = [];
  let u = 0;
  for (const ch of text) {
    map.push(u);
    u += ch.length;
  }
  map.push(u);
  return map;
}
