/**
 * Corpus BLEU (Papineni, Roukos, Ward & Zhu, "BLEU: a Method for Automatic Evaluation of Machine
 * Translation", ACL 2002) with sacreBLEU 2.x's semantics (Post, "A Call for Clarity in Reporting BLEU
 * Scores", WMT 2018): each hypothesis and reference is tokenized with mteval-v13a's tokenizer
 * ("13a", the default) or split on whitespace ("none"); clipped n-gram counts (n = 1…4) are summed
 * over the corpus, clipped by the largest count of the n-gram in any one reference of that segment;
 * the brevity penalty uses, per segment, the reference length closest to the hypothesis length
 * (the shorter on a tie); zero-match orders are smoothed by sacreBLEU's default 'exp' (NIST's
 * geometric 1/2^k, mteval-v13a; Chen & Cherry, WMT 2014, method 3). Scores are on sacreBLEU's
 * 0–100 scale. Checked against sacreBLEU's own test values and NLTK's corpus_bleu
 * (tests/metrics/bleu.test.ts).
 */
import { ConfigError, ShapeError } from '../errors.js';

/** How BLEU splits text into words: mteval-v13a's rules, or whitespace only (pre-tokenized text). */
export type BleuTokenize = '13a' | 'none';
/** sacreBLEU's smoothing methods (Chen & Cherry 2014: none, floor = method 1, add-k = method 2, exp = method 3). */
export type BleuSmoothMethod = 'none' | 'floor' | 'add-k' | 'exp';

export interface BleuOptions {
  /** Tokenizer (default '13a', sacreBLEU's). */
  tokenize?: BleuTokenize;
  /** Lowercase both sides first (default false; signature case:lc). */
  lowercase?: boolean;
  /** Smoothing of zero-match orders (default 'exp'). */
  smoothMethod?: BleuSmoothMethod;
  /** ε for 'floor' (default 0.1) and k for 'add-k' (default 1); unused by 'none' and 'exp'. */
  smoothValue?: number;
  /** Highest n-gram order (default 4). */
  maxNgramOrder?: number;
  /** Average only the orders up to the last one with any hypothesis n-gram (for sentence BLEU; default false). */
  effectiveOrder?: boolean;
}

/** A corpus BLEU score and its sufficient statistics, as sacreBLEU's `BLEUScore`. */
export interface BleuScore {
  /** BLEU on the 0–100 scale. */
  score: number;
  /** Clipped matching n-grams per order, summed over the corpus (length maxNgramOrder). */
  counts: number[];
  /** Hypothesis n-grams per order (length maxNgramOrder). */
  totals: number[];
  /** Smoothed precisions per order, in percent. */
  precisions: number[];
  /** Brevity penalty exp(1 − r/c) when c < r, else 1. */
  bp: number;
  /** Hypothesis words c, summed over the corpus. */
  sysLen: number;
  /** Closest-reference words r, summed over the corpus. */
  refLen: number;
  /** sacreBLEU-style signature, e.g. "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|impl:multitask-lm". */
  signature: string;
}

const SMOOTH_DEFAULTS: Record<BleuSmoothMethod, number | null> = { none: null, floor: 0.1, 'add-k': 1, exp: null };

/**
 * mteval-v13a's tokenization as sacreBLEU's `Tokenizer13a`: unescapes &quot; &amp; &lt; &gt;, drops
 * "<skipped>", joins "-\n" line breaks, then splits off punctuation and symbols, periods and commas
 * except inside numbers, and a dash after a digit.
 * @example tokenize13a("It wasn't surprising.") // "It wasn't surprising ." (apostrophes stay)
 */
export function tokenize13a(line: string): string {
  let s = line
    .replaceAll('<skipped>', '')
    .replaceAll('-\n', '')
    .replaceAll('\n', ' ')
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>');
  s = ` ${s} `;
  s = s.replace(/([{-~[-\x60 -&(-+:-@/])/g, ' $1 ');
  s = s.replace(/([^0-9])([.,])/g, '$1 $2 ');
  s = s.replace(/([.,])([^0-9])/g, ' $1 $2');
  s = s.replace(/([0-9])(-)/g, '$1 $2 ');
  return splitWords(s).join(' ');
}

/** Python's `str.split()`: words between runs of whitespace, none empty. */
function splitWords(s: string): string[] {
  const t = s.trim();
  return t === '' ? [] : t.split(/\s+/);
}

/** The words of one segment as sacreBLEU sees them: right-stripped, optionally lowercased, tokenized. */
function segmentWords(text: string, tokenize: BleuTokenize, lowercase: boolean): string[] {
  const s = (lowercase ? text.toLowerCase() : text).trimEnd();
  return splitWords(tokenize === '13a' ? tokenize13a(s) : s);
}

/** Counts of the n-grams of `words` for n = 1…maxOrder, keyed by n and the words, space-separated. */
function ngramCounts(words: readonly string[], maxOrder: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= maxOrder; n++) {
    for (let i = 0; i + n <= words.length; i++) {
      // "n w1 w2 …": words hold no whitespace, so the key is unique and tells its order.
      const key = `${n} ${words.slice(i, i + n).join(' ')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** The reference length closest to the hypothesis length, the shorter on a tie (sacreBLEU's rule). */
export function closestRefLength(hypLen: number, refLens: readonly number[]): number {
  let best = -1;
  let bestDiff = -1;
  for (const len of refLens) {
    const diff = Math.abs(hypLen - len);
    if (bestDiff === -1 || diff < bestDiff || (diff === bestDiff && len < best)) {
      bestDiff = diff;
      best = len;
    }
  }
  return best;
}

/** The hypothesis and reference lists have one reference list per hypothesis, each non-empty. */
function checkReferences(hypotheses: readonly string[], references: readonly (readonly string[])[], what: string): void {
  if (hypotheses.length !== references.length) {
    throw new ShapeError(
      `${what}: ${hypotheses.length} hypotheses but ${references.length} reference lists; pass references[i] = the references of hypotheses[i]`,
    );
  }
  const empty = references.findIndex((r) => r.length === 0);
  if (empty >= 0) throw new ShapeError(`${what}: hypothesis ${empty} has no reference; each needs at least 1`);
}

/** sacreBLEU's `nrefs`: the references per segment, or "var" when segments differ. */
export function referenceCount(references: readonly (readonly string[])[]): string {
  const n = references[0]?.length ?? 0;
  return references.every((r) => r.length === n) ? String(n) : 'var';
}

/**
 * BLEU from sufficient statistics, as sacreBLEU's `BLEU.compute_bleu`: geometric mean of the
 * (smoothed) precisions times the brevity penalty; 0 when no n-gram matches at all.
 * @param counts clipped matches per order; @param totals hypothesis n-grams per order.
 * @example computeBleu([9, 7, 5, 3], [10, 8, 6, 4], 11, 11).score // 83.75922397 (sacreBLEU's test)
 */
export function computeBleu(
  counts: readonly number[],
  totals: readonly number[],
  sysLen: number,
  refLen: number,
  options: Pick<BleuOptions, 'smoothMethod' | 'smoothValue' | 'effectiveOrder'> = {},
): Omit<BleuScore, 'signature'> {
  const method = options.smoothMethod ?? 'exp';
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[method] ?? 0;
  const order = counts.length;
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(order).fill(0);
  const base = { counts: [...counts], totals: [...totals], bp, sysLen, refLen };
  if (!counts.some((c) => c !== 0)) return { score: 0, precisions, ...base };
  const correct = [...counts];
  const total = [...totals];
  let smoothMteval = 1;
  let effOrder = order;
  for (let n = 1; n <= order; n++) {
    if (method === 'add-k' && n > 1) {
      correct[n - 1]! += smoothValue;
      total[n - 1]! += smoothValue;
    }
    if (total[n - 1] === 0) break;
    if (options.effectiveOrder === true) effOrder = n;
    if (correct[n - 1] === 0) {
      if (method === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * total[n - 1]!);
      } else if (method === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / total[n - 1]!;
      }
    } else {
      precisions[n - 1] = (100 * correct[n - 1]!) / total[n - 1]!;
    }
  }
  // sacreBLEU's my_log: log(0) is floored at −9,999,999,999 (the score underflows to 0).
  let logSum = 0;
  for (const p of precisions.slice(0, effOrder)) logSum += p === 0 ? -9999999999 : Math.log(p);
  return { score: bp * Math.exp(logSum / effOrder), precisions, ...base };
}

/**
 * Corpus BLEU of hypotheses against their references, as sacreBLEU's `corpus_bleu` (its defaults:
 * 13a tokenization, mixed case, 'exp' smoothing, order 4). Empty hypotheses are kept (they count
 * 0 words and lower the brevity penalty).
 * @param hypotheses one system output per segment.
 * @param references references[i] = the reference translations of hypotheses[i] (1 or more).
 * @throws ShapeError when the lists differ in length or a segment has no reference; ConfigError for a bad option.
 * @example corpusBleu(['The dog bit the man.'], [['The dog bit the man.']]).score // 100
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuScore {
  checkReferences(hypotheses, references, 'corpusBleu');
  const tokenize = options.tokenize ?? '13a';
  const method = options.smoothMethod ?? 'exp';
  const maxOrder = options.maxNgramOrder ?? 4;
  if (tokenize !== '13a' && tokenize !== 'none')
    throw new ConfigError(`corpusBleu: tokenize must be '13a' or 'none', got '${String(tokenize)}'`);
  if (!(method in SMOOTH_DEFAULTS))
    throw new ConfigError(`corpusBleu: smoothMethod must be one of none, floor, add-k, exp; got '${method}'`);
  if (!Number.isInteger(maxOrder) || maxOrder < 1)
    throw new ConfigError(`corpusBleu: maxNgramOrder must be a positive integer, got ${maxOrder}`);
  const lowercase = options.lowercase ?? false;
  const counts = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  let sysLen = 0;
  let refLen = 0;
  hypotheses.forEach((hyp, i) => {
    const refMax = new Map<string, number>();
    const refLens: number[] = [];
    for (const ref of references[i]!) {
      const words = segmentWords(ref, tokenize, lowercase);
      refLens.push(words.length);
      for (const [g, c] of ngramCounts(words, maxOrder)) refMax.set(g, Math.max(refMax.get(g) ?? 0, c));
    }
    const words = segmentWords(hyp, tokenize, lowercase);
    sysLen += words.length;
    refLen += closestRefLength(words.length, refLens);
    for (const [g, c] of ngramCounts(words, maxOrder)) {
      const n = Number(g.slice(0, g.indexOf(' ')));
      totals[n - 1]! += c;
      counts[n - 1]! += Math.min(c, refMax.get(g) ?? 0);
    }
  });
  const result = computeBleu(counts, totals, sysLen, refLen, options);
  return { ...result, signature: bleuSignature(referenceCount(references), { ...options, tokenize, smoothMethod: method }) };
}

/**
 * The signature of a BLEU setting in sacreBLEU's format (nrefs, case, eff, tok, smooth with its value
 * in brackets for floor/add-k), ending with impl:multitask-lm where sacreBLEU writes its version.
 * @example bleuSignature('1', {}) // "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|impl:multitask-lm"
 */
export function bleuSignature(nrefs: string, options: BleuOptions): string {
  const method = options.smoothMethod ?? 'exp';
  const def = SMOOTH_DEFAULTS[method];
  const smooth = def === null ? method : `${method}[${(options.smoothValue ?? def).toFixed(2)}]`;
  const parts = [
    `nrefs:${nrefs}`,
    `case:${options.lowercase === true ? 'lc' : 'mixed'}`,
    `eff:${options.effectiveOrder === true ? 'yes' : 'no'}`,
    `tok:${options.tokenize ?? '13a'}`,
    `smooth:${smooth}`,
  ];
  if ((options.maxNgramOrder ?? 4) !== 4) parts.splice(1, 0, `order:${options.maxNgramOrder}`);
  return [...parts, 'impl:multitask-lm'].join('|');
}
