/**
 * chrF (Popović, "chrF: character n-gram F-score for automatic MT evaluation", WMT 2015) and chrF++
 * (Popović, WMT 2017: word n-grams added) with sacreBLEU 2.x's semantics and defaults: character
 * n-grams n = 1…6 taken after deleting whitespace, no word n-grams (chrF; word order 2 gives chrF++),
 * β = 2 (recall weighted twice). Statistics (hypothesis, reference and matching n-grams per order)
 * are summed over the corpus, each segment taking the reference with the best F; precision and recall
 * are averaged over the orders with hypothesis and reference n-grams (sacreBLEU's default, "eff:yes"),
 * or, with `epsSmoothing`, the per-order F scores are averaged with ε = 1e-16 for empty orders
 * (chrF++.py, NLTK and Moses). Scores on the 0–100 scale. Checked against sacreBLEU's test values
 * (tests/metrics/chrf.test.ts).
 */
import { ShapeError } from '../errors.js';
import { referenceCount } from './bleu.js';

export interface ChrfOptions {
  /** Character n-gram order (default 6). */
  charOrder?: number;
  /** Word n-gram order (default 0 = chrF; 2 = chrF++). */
  wordOrder?: number;
  /** Recall weight β (default 2). */
  beta?: number;
  /** Lowercase both sides first (default false). */
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams (default false). */
  whitespace?: boolean;
  /** Average per-order F scores with ε smoothing instead of sacreBLEU's effective order (default false). */
  epsSmoothing?: boolean;
}

/** A chrF score with its signature in sacreBLEU's format. */
export interface ChrfScore {
  /** chrF on the 0–100 scale. */
  score: number;
  /** e.g. "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|impl:multitask-lm". */
  signature: string;
}

const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

function counter(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(it, (m.get(it) ?? 0) + 1);
  return m;
}

/** Character n-grams of order n (code points, as Python strings index them). */
function charNgrams(chars: readonly string[], n: number): Map<string, number> {
  const grams: string[] = [];
  for (let i = 0; i + n <= chars.length; i++) grams.push(chars.slice(i, i + n).join(''));
  return counter(grams);
}

/** chrF++'s word split: a trailing (else leading) punctuation mark of a word of 2+ characters stands alone. */
function chrfWords(sentence: string): string[] {
  const out: string[] = [];
  for (const w of sentence.split(/\s+/).filter((x) => x !== '')) {
    const chars = [...w];
    if (chars.length === 1) out.push(w);
    else if (PUNCTUATION.has(chars[chars.length - 1]!)) out.push(chars.slice(0, -1).join(''), chars[chars.length - 1]!);
    else if (PUNCTUATION.has(chars[0]!)) out.push(chars[0]!, chars.slice(1).join(''));
    else out.push(w);
  }
  return out;
}

function wordNgrams(words: readonly string[], n: number): Map<string, number> {
  const grams: string[] = [];
  for (let i = 0; i + n <= words.length; i++) grams.push(words.slice(i, i + n).join(' '));
  return counter(grams);
}

/** The n-gram counters of one segment: charOrder character orders, then wordOrder word orders. */
function segmentNgrams(text: string, o: Required<ChrfOptions>): Map<string, number>[] {
  const s = o.lowercase ? text.toLowerCase() : text;
  const chars = [...(o.whitespace ? s : s.split(/\s+/).join(''))];
  const grams: Map<string, number>[] = [];
  for (let n = 1; n <= o.charOrder; n++) grams.push(charNgrams(chars, n));
  const words = o.wordOrder > 0 ? chrfWords(s) : [];
  for (let n = 1; n <= o.wordOrder; n++) grams.push(wordNgrams(words, n));
  return grams;
}

/** [hyp, ref, match] per order; hypothesis n-grams count 0 where the reference has none of that order. */
function matchStatistics(hyp: Map<string, number>[], ref: Map<string, number>[]): number[] {
  const stats: number[] = [];
  hyp.forEach((h, i) => {
    const r = ref[i]!;
    let hypCount = 0;
    let match = 0;
    for (const [g, c] of h) {
      hypCount += c;
      match += Math.min(c, r.get(g) ?? 0);
    }
    let refCount = 0;
    for (const c of r.values()) refCount += c;
    stats.push(r.size > 0 ? hypCount : 0, refCount, match);
  });
  return stats;
}

/** chrF from summed [hyp, ref, match] statistics per order, as sacreBLEU's `CHRF._compute_f_score`. */
export function chrfFromStatistics(statistics: readonly number[], beta: number, epsSmoothing: boolean): number {
  const eps = 1e-16;
  const factor = beta ** 2;
  const order = statistics.length / 3;
  let score = 0;
  let effectiveOrder = 0;
  let avgPrec = 0;
  let avgRec = 0;
  for (let i = 0; i < order; i++) {
    const [nHyp, nRef, nMatch] = statistics.slice(3 * i, 3 * i + 3) as [number, number, number];
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    const denom = factor * prec + rec;
    score += denom > 0 ? ((1 + factor) * prec * rec) / denom : eps;
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effectiveOrder++;
    }
  }
  if (epsSmoothing) return (100 * score) / order;
  if (effectiveOrder === 0) return 0;
  avgPrec /= effectiveOrder;
  avgRec /= effectiveOrder;
  if (avgPrec + avgRec === 0) return 0;
  return (100 * (1 + factor) * avgPrec * avgRec) / (factor * avgPrec + avgRec);
}

/**
 * Corpus chrF of hypotheses against their references, as sacreBLEU's `corpus_chrf` with its defaults.
 * @param references references[i] = the references of hypotheses[i] (1 or more; the best-F one counts).
 * @throws ShapeError when the lists differ in length or a segment has no reference.
 * @example corpusChrf(['a b c'], [['abc']]).score // 100 (whitespace is deleted)
 */
export function corpusChrf(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: ChrfOptions = {},
): ChrfScore {
  if (hypotheses.length !== references.length) {
    throw new ShapeError(`corpusChrf: ${hypotheses.length} hypotheses but ${references.length} reference lists`);
  }
  const o: Required<ChrfOptions> = {
    charOrder: options.charOrder ?? 6,
    wordOrder: options.wordOrder ?? 0,
    beta: options.beta ?? 2,
    lowercase: options.lowercase ?? false,
    whitespace: options.whitespace ?? false,
    epsSmoothing: options.epsSmoothing ?? false,
  };
  const total = new Array<number>(3 * (o.charOrder + o.wordOrder)).fill(0);
  hypotheses.forEach((hyp, i) => {
    const refs = references[i]!;
    if (refs.length === 0) throw new ShapeError(`corpusChrf: hypothesis ${i} has no reference; each needs at least 1`);
    const h = segmentNgrams(hyp, o);
    let best: number[] = [];
    let bestF = -1;
    for (const ref of refs) {
      const stats = matchStatistics(h, segmentNgrams(ref, o));
      const f = chrfFromStatistics(stats, o.beta, o.epsSmoothing);
      if (f > bestF) [best, bestF] = [stats, f];
    }
    best.forEach((v, k) => (total[k]! += v));
  });
  const signature = [
    `nrefs:${referenceCount(references)}`,
    `case:${o.lowercase ? 'lc' : 'mixed'}`,
    `eff:${o.epsSmoothing ? 'no' : 'yes'}`,
    `nc:${o.charOrder}`,
    `nw:${o.wordOrder}`,
    `space:${o.whitespace ? 'yes' : 'no'}`,
    'impl:multitask-lm',
  ].join('|');
  return { score: chrfFromStatistics(total, o.beta, o.epsSmoothing), signature };
}
