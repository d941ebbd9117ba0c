/**
 * ROUGE-N, ROUGE-L and ROUGE-Lsum (Lin, "ROUGE: A Package for Automatic Evaluation of Summaries",
 * ACL Workshop Text Summarization Branches Out 2004, §2–3) with the semantics of Google's
 * `rouge-score` package (the one Hugging Face `evaluate` calls):
 * - tokens: lowercase, every run of characters other than a–z and 0–9 becomes a space, split on
 *   spaces; with stemming, words longer than 3 letters are Porter-stemmed (NLTK's stemmer, see
 *   porter-stemmer.ts);
 * - ROUGE-N: clipped n-gram overlap, precision = overlap / prediction n-grams, recall = overlap /
 *   reference n-grams (each denominator at least 1), F1 = 2PR / (P + R) (0 when P + R = 0);
 * - ROUGE-L: longest common subsequence of the whole texts (newlines ignored), P = LCS / |prediction|,
 *   R = LCS / |reference|, 0 when either is empty;
 * - ROUGE-Lsum: the summary-level LCS of §3.2 — texts split into sentences at newlines, for each
 *   reference sentence the union of its LCS with every prediction sentence, each token counted at most
 *   as often as it occurs in either text.
 * Scores are fractions in [0, 1]. Checked against rouge-score's own tests (values from ROUGE-1.5.5)
 * and a Python port with NLTK's stemmer (tests/metrics/rouge.test.ts).
 */
import { ConfigError, ShapeError } from '../errors.js';
import { porterStem } from './porter-stemmer.js';

/** Precision, recall and F1 of one ROUGE type, as rouge-score's `Score`. */
export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** 'rouge1' … 'rouge9', 'rougeL', 'rougeLsum'. */
export type RougeType = `rouge${number}` | 'rougeL' | 'rougeLsum';

export interface RougeOptions {
  /** Which scores (default rouge1, rouge2, rougeL, rougeLsum). */
  types?: readonly RougeType[];
  /** Porter-stem words of more than 3 letters (default false, as rouge-score). */
  useStemmer?: boolean;
}

const DEFAULT_TYPES: readonly RougeType[] = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'];

/**
 * rouge-score's tokenizer (`tokenize.tokenize`): lowercase, non-alphanumerics to spaces, split,
 * optional stemming of words longer than 3 letters.
 * @example rougeTokenize("The dog's bones.", true) // ['the', 'dog', 's', 'bone']
 */
export function rougeTokenize(text: string, useStemmer = false): string[] {
  const words = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
  return useStemmer ? words.map((w) => (w.length > 3 ? porterStem(w) : w)) : words;
}

function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(' ');
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/** ROUGE-N of token lists (rouge-score's `_score_ngrams`). */
export function rougeN(reference: readonly string[], prediction: readonly string[], n: number): RougeScore {
  const ref = ngramCounts(reference, n);
  const pred = ngramCounts(prediction, n);
  let overlap = 0;
  for (const [g, c] of pred) overlap += Math.min(c, ref.get(g) ?? 0);
  const refTotal = Math.max(1, reference.length - n + 1);
  const predTotal = Math.max(1, prediction.length - n + 1);
  const precision = overlap / predTotal;
  const recall = overlap / refTotal;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** The LCS length table: table[i][j] = LCS of a[0..i) and b[0..j), shape (|a|+1, |b|+1). */
function lcsTable(a: readonly string[], b: readonly string[]): Int32Array[] {
  const table = Array.from({ length: a.length + 1 }, () => new Int32Array(b.length + 1));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i]![j] = a[i - 1] === b[j - 1] ? table[i - 1]![j - 1]! + 1 : Math.max(table[i - 1]![j]!, table[i]![j - 1]!);
    }
  }
  return table;
}

/** ROUGE-L of token lists (rouge-score's `_score_lcs`). */
export function rougeL(reference: readonly string[], prediction: readonly string[]): RougeScore {
  if (reference.length === 0 || prediction.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsTable(reference, prediction)[reference.length]![prediction.length]!;
  const precision = lcs / prediction.length;
  const recall = lcs / reference.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Indices into `ref` of one LCS with `can`, found by rouge-score's backtracking (`_backtrack_norec`). */
function lcsIndices(ref: readonly string[], can: readonly string[]): number[] {
  const t = lcsTable(ref, can);
  const out: number[] = [];
  let i = ref.length;
  let j = can.length;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      out.push(i - 1);
      i--;
      j--;
    } else if (t[i]![j - 1]! > t[i - 1]![j]!) j--;
    else i--;
  }
  return out.reverse();
}

function counts(sentences: readonly (readonly string[])[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of sentences) for (const t of s) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** Summary-level ROUGE-L of sentence-split token lists (rouge-score's `_summary_level_lcs`). */
export function rougeLsum(reference: readonly (readonly string[])[], prediction: readonly (readonly string[])[]): RougeScore {
  const m = reference.reduce((s, x) => s + x.length, 0);
  const n = prediction.reduce((s, x) => s + x.length, 0);
  if (m === 0 || n === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const refCounts = counts(reference);
  const predCounts = counts(prediction);
  let hits = 0;
  for (const r of reference) {
    const union = new Set<number>();
    for (const c of prediction) for (const i of lcsIndices(r, c)) union.add(i);
    for (const i of [...union].sort((a, b) => a - b)) {
      const token = r[i]!;
      if ((predCounts.get(token) ?? 0) > 0 && (refCounts.get(token) ?? 0) > 0) {
        hits++;
        predCounts.set(token, predCounts.get(token)! - 1);
        refCounts.set(token, refCounts.get(token)! - 1);
      }
    }
  }
  const precision = hits / n;
  const recall = hits / m;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

function checkType(type: string): number | 'L' | 'Lsum' {
  if (type === 'rougeL') return 'L';
  if (type === 'rougeLsum') return 'Lsum';
  const m = /^rouge([1-9])$/.exec(type);
  if (m === null) throw new ConfigError(`rouge: unknown ROUGE type '${type}'; expected rouge1 … rouge9, rougeL or rougeLsum`);
  return Number(m[1]);
}

/** Sentences of a text for ROUGE-Lsum: its non-empty lines, as rouge-score's `get_sents`. */
function sentences(text: string, useStemmer: boolean): string[][] {
  return text
    .split('\n')
    .filter((s) => s.length > 0)
    .map((s) => rougeTokenize(s, useStemmer));
}

/**
 * ROUGE scores of one prediction against one reference, as rouge-score's
 * `RougeScorer(types, use_stemmer).score(target, prediction)` (reference first, as there).
 * @throws ConfigError for an unknown type.
 * @example rougeScores('testing one two', 'testing one').rouge2 // {precision: 1, recall: 0.5, fmeasure: 2/3}
 */
export function rougeScores(reference: string, prediction: string, options: RougeOptions = {}): Record<string, RougeScore> {
  const stem = options.useStemmer ?? false;
  const out: Record<string, RougeScore> = {};
  const ref = rougeTokenize(reference, stem);
  const pred = rougeTokenize(prediction, stem);
  for (const type of options.types ?? DEFAULT_TYPES) {
    const kind = checkType(type);
    if (kind === 'L') out[type] = rougeL(ref, pred);
    else if (kind === 'Lsum') out[type] = rougeLsum(sentences(reference, stem), sentences(prediction, stem));
    else out[type] = rougeN(ref, pred, kind);
  }
  return out;
}

/**
 * Corpus ROUGE: the mean over pairs of each type's precision, recall and F1 (what Hugging Face
 * `evaluate`'s rouge reports as the mean of per-pair scores; rouge-score's BootstrapAggregator's "mid"
 * estimates the same mean by resampling). With several references a pair takes, per type, the
 * reference with the best F1 (rouge-score's `score_multi`).
 * @param references references[i] = the references of predictions[i] (1 or more).
 * @throws ShapeError when the lists differ in length, are empty, or a prediction has no reference.
 */
export function corpusRouge(
  predictions: readonly string[],
  references: readonly (readonly string[])[],
  options: RougeOptions = {},
): Record<string, RougeScore> {
  if (predictions.length !== references.length || predictions.length === 0) {
    throw new ShapeError(
      `corpusRouge: needs as many reference lists as predictions (≥ 1), got ${predictions.length} and ${references.length}`,
    );
  }
  const types = options.types ?? DEFAULT_TYPES;
  const sum: Record<string, RougeScore> = {};
  for (const t of types) sum[t] = { precision: 0, recall: 0, fmeasure: 0 };
  predictions.forEach((pred, i) => {
    const refs = references[i]!;
    if (refs.length === 0) throw new ShapeError(`corpusRouge: prediction ${i} has no reference; each needs at least 1`);
    const all = refs.map((r) => rougeScores(r, pred, options));
    for (const t of types) {
      const best = all.reduce((a, b) => (b[t]!.fmeasure > a[t]!.fmeasure ? b : a))[t]!;
      sum[t]!.precision += best.precision;
      sum[t]!.recall += best.recall;
      sum[t]!.fmeasure += best.fmeasure;
    }
  });
  for (const t of types) {
    sum[t]!.precision /= predictions.length;
    sum[t]!.recall /= predictions.length;
    sum[t]!.fmeasure /= predictions.length;
  }
  return sum;
}
