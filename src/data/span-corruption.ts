/**
 * T5's span-corruption objective (Raffel et al., JMLR 2020, §3.1.4 and §3.3.4; the `span_corruption`
 * preprocessor of google-research/text-to-text-transfer-transformer, `random_spans_noise_mask`,
 * `noise_span_to_unique_sentinel`, `nonnoise_span_to_unique_sentinel`): a random 15% of a text's
 * tokens, in spans of mean length 3, are each replaced in the input by one sentinel token, and the
 * target lists the sentinels, each followed by the span it replaced.
 *
 * The mask is T5's: n = round(L·density) noise tokens (at least 1, at most L−1) in
 * s = max(1, round(n / meanSpanLength)) spans; the noise and the kept tokens are each cut into s
 * non-empty runs by a uniformly random partition, and the runs interleave kept, noise, kept, noise, …
 * (the text starts with kept tokens and ends with noise). Sentinels: the first span gets sentinels[0]
 * (T5's `<extra_id_0>`, the vocabulary's last id), the next sentinels[1], and so on.
 */
import { ConfigError } from '../errors.js';

/** A source of uniform 32-bit words (src/tensor/rng.ts's `Rng`). */
export interface RandomSource {
  nextUint32(): number;
}

export interface SpanCorruptionOptions {
  /** Fraction of tokens corrupted (T5: 0.15). */
  readonly noiseDensity?: number;
  /** Mean length of a corrupted span, in tokens (T5: 3). */
  readonly meanNoiseSpanLength?: number;
}

/** The numbers of noise tokens and noise spans T5 draws for a text of `length` tokens (`random_spans_noise_mask`). */
export function noiseCounts(length: number, options: SpanCorruptionOptions = {}): { noiseTokens: number; noiseSpans: number } {
  const density = options.noiseDensity ?? 0.15;
  const mean = options.meanNoiseSpanLength ?? 3;
  if (!(density > 0 && density < 1)) throw new ConfigError(`span corruption: noiseDensity must be in (0, 1), got ${density}`);
  if (!(mean >= 1)) throw new ConfigError(`span corruption: meanNoiseSpanLength must be ≥ 1, got ${mean}`);
  const L = Math.max(length, 2);
  const noiseTokens = Math.min(Math.max(pyRound(L * density), 1), L - 1);
  return { noiseTokens, noiseSpans: Math.max(pyRound(noiseTokens / mean), 1) };
}

/** Python's round(): halves go to the even neighbour (round(2.5) = 2), as T5's numpy / TF rounding. */
function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** A uniformly random partition of `items` into `segments` non-empty runs: their lengths, in order. */
function randomSegmentation(items: number, segments: number, rng: RandomSource): number[] {
  // T5: shuffle (items − 1) markers of which (segments − 1) start a new run.
  const starts = Array.from({ length: items - 1 }, (_, i) => i < segments - 1);
  for (let i = starts.length - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [starts[i], starts[j]] = [starts[j]!, starts[i]!];
  }
  const lengths = [1];
  for (const s of starts) {
    if (s) lengths.push(1);
    else lengths[lengths.length - 1]!++;
  }
  return lengths;
}

/**
 * T5's noise mask of a text of `length` tokens: true where a token is corrupted.
 * @throws ConfigError for options out of range.
 */
export function randomSpansNoiseMask(length: number, rng: RandomSource, options: SpanCorruptionOptions = {}): boolean[] {
  const { noiseTokens, noiseSpans } = noiseCounts(length, options);
  const L = Math.max(length, 2);
  const noise = randomSegmentation(noiseTokens, noiseSpans, rng);
  const kept = randomSegmentation(L - noiseTokens, noiseSpans, rng);
  const mask: boolean[] = [];
  for (let s = 0; s < noiseSpans; s++) {
    for (let i = 0; i < kept[s]!; i++) mask.push(false);
    for (let i = 0; i < noise[s]!; i++) mask.push(true);
  }
  return mask.slice(0, length);
}

/** One span-corruption example: the corrupted input and its target, as token ids (no EOS added). */
export interface SpanCorruptionExample {
  /** Kept tokens, each noise span replaced by its sentinel. */
  readonly inputIds: number[];
  /** Each sentinel followed by the span it replaced, in order. */
  readonly labels: number[];
}

/**
 * Corrupts `tokens` with T5's objective.
 * @param tokens the text's token ids (without EOS).
 * @param sentinels the sentinel ids in order (`<extra_id_0>`, `<extra_id_1>`, …; T5: vocabSize − 1, − 2, …).
 * @throws ConfigError when the text has more noise spans than there are sentinels, or for bad options.
 * @example spanCorruption([10, 11, 12, 13], [99, 98], rng) // e.g. { inputIds: [10, 11, 12, 99], labels: [99, 13] }
 */
export function spanCorruption(
  tokens: readonly number[],
  sentinels: readonly number[],
  rng: RandomSource,
  options: SpanCorruptionOptions = {},
): SpanCorruptionExample {
  if (tokens.length === 0) return { inputIds: [], labels: [] };
  const mask = randomSpansNoiseMask(tokens.length, rng, options);
  const inputIds: number[] = [];
  const labels: number[] = [];
  let span = -1;
  tokens.forEach((t, i) => {
    if (!mask[i]) {
      inputIds.push(t);
      return;
    }
    if (i === 0 || !mask[i - 1]) {
      span++;
      const sentinel = sentinels[span];
      if (sentinel === undefined)
        throw new ConfigError(
          `span corruption: the text needs more than the ${sentinels.length} sentinel tokens given; add <extra_id_N> tokens or shorten the text`,
        );
      inputIds.push(sentinel);
      labels.push(sentinel);
    }
    labels.push(t);
  });
  return { inputIds, labels };
}

/**
 * T5's `compute_input_and_target_lengths` (as Hugging Face's run_t5_mlm_flax.py): the raw text length
 * whose corrupted input, with EOS, is exactly `inputsLength` tokens, and the target's length then.
 * @example spanCorruptionLengths(512) // { tokensLength: 568, targetsLength: 114 }
 */
export function spanCorruptionLengths(
  inputsLength: number,
  options: SpanCorruptionOptions = {},
): { tokensLength: number; targetsLength: number } {
  const lengths = (tokens: number) => {
    const { noiseTokens, noiseSpans } = noiseCounts(tokens, options);
    // inputs: kept tokens + one sentinel per span + EOS; targets: noise tokens + one sentinel per span + EOS
    return { inputs: tokens - noiseTokens + noiseSpans + 1, targets: noiseTokens + noiseSpans + 1 };
  };
  let tokensLength = inputsLength;
  while (lengths(tokensLength + 1).inputs <= inputsLength) tokensLength++;
  const targetsLength = lengths(tokensLength).targets;
  // T5's adjustment at density 0.5: keep the targets no longer than the inputs
  if ((options.noiseDensity ?? 0.15) === 0.5 && targetsLength > inputsLength)
    return { tokensLength: tokensLength - 1, targetsLength: targetsLength - 1 };
  return { tokensLength, targetsLength };
}
