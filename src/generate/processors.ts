/**
 * Decoding rules over one row's next-token scores (V floats, read back from the model), each a small
 * function of (the row's tokens, scores) that rewrites the scores in place, in the order Hugging
 * Face's logits-processor chain applies them: repetition penalty, no-repeat n-grams, minimum length;
 * then, for sampling only, the warpers: temperature, top-k, top-p. A banned token's score is −∞.
 *
 * A row's tokens are its real tokens (prompt without padding, then what was generated), so a
 * left-padded batch is processed as each row alone would be.
 */

/** One row's scores over the vocabulary (V): logits (float32) or log-probabilities (float64, beam search). */
export type Scores = Float32Array | Float64Array;
import { mulberry32 } from '../random.js';
import type { ResolvedGenerateOptions } from './options.js';

/**
 * Divides positive scores of the tokens already in `tokens` by `penalty` and multiplies negative
 * ones by it (Keskar et al., 2019, "CTRL", §4.1; Hugging Face `RepetitionPenaltyLogitsProcessor`).
 */
export function applyRepetitionPenalty(scores: Scores, tokens: readonly number[], penalty: number): void {
  if (penalty === 1) return;
  for (const t of new Set(tokens)) {
    const s = scores[t] as number;
    scores[t] = s < 0 ? s * penalty : s / penalty;
  }
}

/**
 * Bans every token that would complete an n-gram already in `tokens` (Paulus et al., ICLR 2018,
 * "A Deep Reinforced Model for Abstractive Summarization", §2.5; Hugging Face `NoRepeatNGramLogitsProcessor`).
 */
export function banRepeatedNgrams(scores: Scores, tokens: readonly number[], n: number): void {
  const T = tokens.length;
  if (n <= 0 || T + 1 < n) return;
  // the last n − 1 tokens, which the next token would extend into an n-gram
  const start = T - n + 1;
  for (let i = 0; i + n <= T; i++) {
    let same = true;
    for (let j = 0; j < n - 1 && same; j++) same = tokens[i + j] === tokens[start + j];
    if (same) scores[tokens[i + n - 1] as number] = -Infinity;
  }
}

/** Bans the end-of-sequence tokens (Hugging Face `MinNewTokensLengthLogitsProcessor`, before `minNewTokens` tokens). */
export function banTokens(scores: Scores, ids: readonly number[]): void {
  for (const id of ids) if (id < scores.length) scores[id] = -Infinity;
}

/**
 * Whether `processScores` reads a row's own tokens (repetition penalty, n-gram bans): then the scores must
 * come back to the host; otherwise it only bans EOS before `minNewTokens`, which libtorch can do.
 */
export function readsRowTokens(o: ResolvedGenerateOptions): boolean {
  return o.repetitionPenalty !== 1 || o.noRepeatNgramSize !== 0;
}

/** The processors every search applies, in Hugging Face's order. `generated`: tokens generated so far in this row. */
export function processScores(scores: Scores, tokens: readonly number[], generated: number, o: ResolvedGenerateOptions): void {
  applyRepetitionPenalty(scores, tokens, o.repetitionPenalty);
  banRepeatedNgrams(scores, tokens, o.noRepeatNgramSize);
  if (generated < o.minNewTokens) banTokens(scores, o.eosTokenIds);
}

/**
 * Keeps the k highest scores (ties at the k-th kept too), −∞ elsewhere (Fan et al., ACL 2018; Hugging
 * Face `TopKLogitsWarper`). The k-th highest score comes from a min-heap of the k best seen (O(V log k)),
 * not from sorting all V scores (O(V log V): 32,128 scores sorted through a comparator every step).
 */
export function keepTopK(scores: Float32Array, k: number): void {
  if (k <= 0 || k >= scores.length) return;
  const kth = kthHighest(scores, k);
  for (let i = 0; i < scores.length; i++) if ((scores[i] as number) < kth) scores[i] = -Infinity;
}

/** The k-th highest of `values` (1 ≤ k ≤ length; repeated values count once each): the root of a min-heap of the k highest. */
export function kthHighest(values: ArrayLike<number>, k: number): number {
  const heap = new Float64Array(k); // heap[0] the smallest of the k highest so far
  for (let i = 0; i < k; i++) {
    let j = i; // sift up
    const v = values[i] as number;
    while (j > 0 && (heap[(j - 1) >> 1] as number) > v) {
      heap[j] = heap[(j - 1) >> 1] as number;
      j = (j - 1) >> 1;
    }
    heap[j] = v;
  }
  for (let i = k; i < values.length; i++) {
    const v = values[i] as number;
    if (!(v > (heap[0] as number))) continue; // not among the k highest (NaN never is)
    let j = 0; // replace the root, sift down
    for (;;) {
      const l = 2 * j + 1;
      if (l >= k) break;
      const c = l + 1 < k && (heap[l + 1] as number) < (heap[l] as number) ? l + 1 : l;
      if (!((heap[c] as number) < v)) break;
      heap[j] = heap[c] as number;
      j = c;
    }
    heap[j] = v;
  }
  return heap[0] as number;
}

/**
 * Keeps the smallest set of most likely tokens whose probabilities sum to at least `p` (nucleus
 * sampling: Holtzman et al., ICLR 2020, "The Curious Case of Neural Text Degeneration", §3.1; Hugging
 * Face `TopPLogitsWarper`: a token goes when the tokens more likely than it already hold p). Tokens are
 * visited most likely first (equal probabilities by index), taken from a max-heap only until the mass
 * before the next one reaches p — the same order and sums as sorting all V, without the sort.
 */
export function keepTopP(scores: Float32Array, p: number): void {
  if (p >= 1) return;
  const probs = softmax(scores);
  const n = probs.length;
  // heap of token ids, the most likely at the root; ties: the lower id first (as a stable sort)
  const before = (a: number, b: number): boolean => (probs[a] as number) > (probs[b] as number) || (probs[a] === probs[b] && a < b);
  const heap = new Int32Array(n);
  for (let i = 0; i < n; i++) heap[i] = i;
  const siftDown = (start: number, size: number): void => {
    let j = start;
    const id = heap[j] as number;
    for (;;) {
      const l = 2 * j + 1;
      if (l >= size) break;
      const c = l + 1 < size && before(heap[l + 1] as number, heap[l] as number) ? l + 1 : l;
      if (!before(heap[c] as number, id)) break;
      heap[j] = heap[c] as number;
      j = c;
    }
    heap[j] = id;
  };
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(i, n);
  let mass = 0;
  let size = n;
  while (size > 0 && mass < p) {
    const top = heap[0] as number; // the most likely token left: kept, as the mass before it is under p
    mass += probs[top] as number;
    heap[0] = heap[--size] as number;
    siftDown(0, size);
  }
  for (let i = 0; i < size; i++) scores[heap[i] as number] = -Infinity; // the rest: the mass before each reached p
}

/** The warpers of sampling: temperature, top-k, top-p (Hugging Face's order). */
export function warpScores(scores: Float32Array, o: ResolvedGenerateOptions): void {
  if (o.temperature !== 1) for (let i = 0; i < scores.length; i++) scores[i] = (scores[i] as number) / o.temperature;
  keepTopK(scores, o.topK);
  keepTopP(scores, o.topP);
}

/** softmax(scores) in float64 (−∞ → 0). */
export function softmax(scores: Float32Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if ((scores[i] as number) > max) max = scores[i] as number;
  const out = new Float64Array(scores.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += out[i] = Math.exp((scores[i] as number) - max);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

/**
 * log softmax(scores) in float64: what beam search adds to its beams' scores. Indexed loops into a
 * preallocated array: with `for…of` and `Float64Array.from(scores, fn)` four GPT-2 rows (V = 50,257)
 * took 28 ms of CPU a step here, as much as half the model's step; these loops take 4 ms.
 */
export function logSoftmax(scores: Float32Array): Float64Array {
  const n = scores.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if ((scores[i] as number) > max) max = scores[i] as number;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp((scores[i] as number) - max);
  const logZ = max + Math.log(sum);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (scores[i] as number) - logZ;
  return out;
}

/** Index of the highest score (the first of equal ones, as torch.argmax). */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if ((scores[i] as number) > (scores[best] as number)) best = i;
  return best;
}

/** A token drawn from softmax(scores) with the uniform draw `u` ∈ [0, 1). */
export function sampleToken(scores: Float32Array, u: number): number {
  const probs = softmax(scores);
  let acc = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    const q = probs[i] as number;
    if (q === 0) continue;
    last = i;
    acc += q;
    if (u < acc) return i;
  }
  return last; // rounding left the cumulative sum a hair under u
}

/**
 * A seeded uniform generator on [0, 1) (mulberry32): the same seed gives the same draws on every
 * machine, independent of libtorch's generator.
 */
export const seededUniform = (seed: number): (() => number) => mulberry32(seed);
