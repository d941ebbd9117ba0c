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

/** The processors every search applies, in Hugging Face's order. `generated`: tokens generated so far in this row. */
export function processScores(scores: Scores, tokens: readonly number[], generated: number, o: ResolvedGenerateOptions): void {
  applyRepetitionPenalty(scores, tokens, o.repetitionPenalty);
  banRepeatedNgrams(scores, tokens, o.noRepeatNgramSize);
  if (generated < o.minNewTokens) banTokens(scores, o.eosTokenIds);
}

/** Keeps the k highest scores (ties at the k-th kept too), −∞ elsewhere (Fan et al., ACL 2018; Hugging Face `TopKLogitsWarper`). */
export function keepTopK(scores: Float32Array, k: number): void {
  if (k <= 0 || k >= scores.length) return;
  const kth = [...scores].sort((a, b) => b - a)[k - 1] as number;
  for (let i = 0; i < scores.length; i++) if ((scores[i] as number) < kth) scores[i] = -Infinity;
}

/**
 * Keeps the smallest set of most likely tokens whose probabilities sum to at least `p` (nucleus
 * sampling: Holtzman et al., ICLR 2020, "The Curious Case of Neural Text Degeneration", §3.1; Hugging
 * Face `TopPLogitsWarper`: a token goes when the tokens more likely than it already hold p).
 */
export function keepTopP(scores: Float32Array, p: number): void {
  if (p >= 1) return;
  const probs = softmax(scores);
  const order = [...probs.keys()].sort((a, b) => (probs[b] as number) - (probs[a] as number));
  let before = 0;
  for (const i of order) {
    if (before >= p) scores[i] = -Infinity;
    before += probs[i] as number;
  }
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
