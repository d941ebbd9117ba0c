/**
 * Learning a WordPiece vocabulary from word counts, as Hugging Face's `WordPieceTrainer` does
 * (tokenizers/src/models/wordpiece/trainer.rs, which runs its BPE trainer, bpe/trainer.rs, with the
 * continuing-subword prefix `##`):
 *
 * 1. the special tokens take the first ids;
 * 2. the alphabet (every character of the words, or the `limitAlphabet` most frequent) follows, sorted
 *    by code point; each word is split into characters, every non-initial one written `##c`;
 * 3. repeatedly, the most frequent adjacent pair of pieces (ties: the pair of smaller ids) is merged
 *    into a new piece (`un` + `##able` → `unable`, `##a` + `##b` → `##ab`) in every word, until the
 *    vocabulary has `vocabSize` pieces, no pair is left, or the best pair occurs fewer than
 *    `minFrequency` times.
 *
 * Differences from the Rust code, none of which changes which pair wins a round: words are visited in
 * sorted order (Rust visits a hash map, so its ids of `##c` pieces vary run to run), and pair counts
 * are kept exact (Rust leaves the merged pair's own count stale). One that can: a word longer than
 * `maxInputCharsPerWord` (WordPiece's limit, 100 characters) gives its characters to the alphabet but
 * takes no part in the merges. The WordPiece model encodes such a word as `[UNK]` whatever the
 * vocabulary, so pieces learned from it could never be used; and merging inside one word of L
 * characters costs O(L²) (each merge rewrites the word), which made a single 320 KB "word" (a line
 * without spaces) take minutes.
 */
import { ConfigError } from '../errors.js';

/** Settings of `learnWordPieceVocab`. */
export interface WordPieceLearnOptions {
  /** Vocabulary size to stop at (tokens), special tokens and alphabet included. */
  vocabSize: number;
  /** A pair merged fewer times than this (occurrences) is not merged; 0 or 1 merges all. */
  minFrequency: number;
  /** Keep only this many characters (the most frequent) in the alphabet; undefined keeps all. */
  limitAlphabet?: number | undefined;
  /** Tokens given the first ids, in order. */
  specialTokens: readonly string[];
  /** Prefix of non-initial pieces. */
  continuingSubwordPrefix: string;
  /** Words of more characters (code points) than this enter the alphabet only (see the file comment). Default 100, WordPiece's. */
  maxInputCharsPerWord?: number | undefined;
}

/** WordPiece's `max_input_chars_per_word`: a longer word is encoded as `[UNK]` (Hugging Face's default, kept by ./bert.ts). */
export const WORDPIECE_MAX_INPUT_CHARS = 100;

/** Whether `word` has more than `limit` characters (code points), without counting past the limit. */
export function isOverlongWord(word: string, limit = WORDPIECE_MAX_INPUT_CHARS): boolean {
  if (word.length <= limit) return false; // UTF-16 units ≥ code points
  let n = 0;
  for (const _ of word) if (++n > limit) return true;
  return false;
}

/** Ids are packed two to a number: first * 2^26 + second keeps (first, second) order. */
const PAIR = 2 ** 26;

/** The vocabulary (index = id) learned from `wordCounts` (normalized, pre-tokenized word → count). */
export function learnWordPieceVocab(wordCounts: ReadonlyMap<string, number>, options: WordPieceLearnOptions): string[] {
  const vocab = new Vocab();
  options.specialTokens.forEach((t) => {
    if (vocab.has(t)) throw new ConfigError(`WordPiece training: special token "${t}" is listed twice`);
    vocab.add(t);
  });
  alphabet(wordCounts, options.limitAlphabet).forEach((c) => vocab.add(c));
  const prefix = options.continuingSubwordPrefix;
  const words = [...wordCounts.keys()].sort();
  const stats = new PairStats(words.map((w) => wordCounts.get(w) ?? 0));
  const limit = options.maxInputCharsPerWord ?? WORDPIECE_MAX_INPUT_CHARS;
  const pieces = words.map((word) => (isOverlongWord(word, limit) ? [] : initialPieces(word, vocab, prefix)));
  pieces.forEach((p, w) => {
    for (let i = 0; i + 1 < p.length; i++) stats.change((p[i] ?? 0) * PAIR + (p[i + 1] ?? 0), 1, w);
  });
  const queue = new PairQueue();
  for (const [pair, count] of stats.counts) if (count > 0) queue.push(count, pair);

  while (vocab.tokens.length < options.vocabSize) {
    const top = queue.pop();
    if (top === undefined) break;
    const count = stats.count(top.pair);
    if (count !== top.count) {
      if (count > 0) queue.push(count, top.pair); // stale entry: queue it again with its current count
      continue;
    }
    if (count < 1 || count < options.minFrequency) break;
    const a = Math.floor(top.pair / PAIR);
    const b = top.pair % PAIR;
    const partB = vocab.tokens[b] ?? '';
    const merged = vocab.add((vocab.tokens[a] ?? '') + (partB.startsWith(prefix) ? partB.slice(prefix.length) : partB));
    const touched = new Set<number>();
    for (const w of stats.takeWords(top.pair)) {
      mergeWord(pieces[w] ?? [], a, b, merged, (pair, delta) => {
        stats.change(pair, delta, w);
        touched.add(pair);
      });
    }
    for (const pair of touched) if (stats.count(pair) > 0) queue.push(stats.count(pair), pair);
  }
  return vocab.tokens;
}

/** Token ↔ id, ids in order of addition. */
class Vocab {
  readonly tokens: string[] = [];
  readonly #ids = new Map<string, number>();

  has(token: string): boolean {
    return this.#ids.has(token);
  }

  /** The id of `token`, added at the end when new. */
  add(token: string): number {
    let id = this.#ids.get(token);
    if (id === undefined) {
      id = this.tokens.length;
      if (id >= PAIR) throw new ConfigError(`WordPiece training: vocabularies above ${PAIR} tokens are not supported`);
      this.tokens.push(token);
      this.#ids.set(token, id);
    }
    return id;
  }
}

/** A word as piece ids: its characters, non-initial ones prefixed; characters outside the alphabet are dropped. */
function initialPieces(word: string, vocab: Vocab, prefix: string): number[] {
  const out: number[] = [];
  let first = true;
  for (const ch of word) {
    if (vocab.has(ch)) out.push(vocab.add(first ? ch : prefix + ch));
    first = false;
  }
  return out;
}

/** Occurrences of each adjacent pair over all words (weighted by word count), and the words that have it. */
class PairStats {
  readonly counts = new Map<number, number>();
  readonly #where = new Map<number, Set<number>>();
  constructor(readonly wordCounts: readonly number[]) {}

  count(pair: number): number {
    return this.counts.get(pair) ?? 0;
  }

  /** Word `w` gained (delta 1) or lost (-1) one occurrence of `pair`. */
  change(pair: number, delta: number, w: number): void {
    this.counts.set(pair, this.count(pair) + delta * (this.wordCounts[w] ?? 0));
    if (delta > 0) {
      const set = this.#where.get(pair);
      if (set) set.add(w);
      else this.#where.set(pair, new Set([w]));
    }
  }

  /** The words that have had `pair`, forgotten here (merging removes it from them). */
  takeWords(pair: number): number[] {
    const words = [...(this.#where.get(pair) ?? [])];
    this.#where.delete(pair);
    return words;
  }
}

/** The characters of the words, the `limit` most frequent if given, sorted by code point. */
function alphabet(wordCounts: ReadonlyMap<string, number>, limit: number | undefined): string[] {
  const freq = new Map<string, number>();
  for (const [word, count] of wordCounts) for (const ch of word) freq.set(ch, (freq.get(ch) ?? 0) + count);
  const byCodePoint = (x: string, y: string): number => (x.codePointAt(0) ?? 0) - (y.codePointAt(0) ?? 0);
  let chars = [...freq.keys()];
  if (limit !== undefined && chars.length > limit) {
    chars = chars.sort((x, y) => (freq.get(y) ?? 0) - (freq.get(x) ?? 0) || byCodePoint(x, y)).slice(0, limit);
  }
  return chars.sort(byCodePoint);
}

/**
 * Replaces every occurrence of (a, b) in `word`, left to right, by `merged`, reporting how the counts
 * of the pairs change: the neighbours' old pairs lose one, their pairs with `merged` gain one, and the
 * merged pair itself loses one.
 */
function mergeWord(word: number[], a: number, b: number, merged: number, report: (pair: number, delta: number) => void): void {
  for (let i = 0; i + 1 < word.length; i++) {
    if (word[i] !== a || word[i + 1] !== b) continue;
    report(a * PAIR + b, -1);
    const prev = i > 0 ? word[i - 1] : undefined;
    if (prev !== undefined) {
      report(prev * PAIR + a, -1);
      report(prev * PAIR + merged, 1);
    }
    word.splice(i, 2, merged);
    const next = word[i + 1];
    if (next !== undefined) {
      report(b * PAIR + next, -1);
      report(merged * PAIR + next, 1);
    }
  }
}

/** Max-heap of (count, pair): larger count first, then smaller pair (as Rust's `Merge` ordering). */
class PairQueue {
  readonly #counts: number[] = [];
  readonly #pairs: number[] = [];

  push(count: number, pair: number): void {
    this.#counts.push(count);
    this.#pairs.push(pair);
    let i = this.#counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  pop(): { count: number; pair: number } | undefined {
    const n = this.#counts.length;
    if (n === 0) return undefined;
    const top = { count: this.#counts[0] ?? 0, pair: this.#pairs[0] ?? 0 };
    this.#swap(0, n - 1);
    this.#counts.pop();
    this.#pairs.pop();
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < n - 1 && this.#before(l, best)) best = l;
      if (r < n - 1 && this.#before(r, best)) best = r;
      if (best === i) break;
      this.#swap(i, best);
      i = best;
    }
    return top;
  }

  #before(i: number, j: number): boolean {
    const ci = this.#counts[i] ?? 0;
    const cj = this.#counts[j] ?? 0;
    return ci > cj || (ci === cj && (this.#pairs[i] ?? 0) < (this.#pairs[j] ?? 0));
  }

  #swap(i: number, j: number): void {
    [this.#counts[i], this.#counts[j]] = [this.#counts[j] ?? 0, this.#counts[i] ?? 0];
    [this.#pairs[i], this.#pairs[j]] = [this.#pairs[j] ?? 0, this.#pairs[i] ?? 0];
  }
}
