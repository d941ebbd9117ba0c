/**
 * Measures of generated text that need no reference: distinct-n (diversity) and perplexity
 * (language-model fit).
 */
import { ShapeError } from '../errors.js';

/**
 * distinct-n (Li, Galley, Brockett, Gao & Dolan, "A Diversity-Promoting Objective Function for Neural
 * Conversation Models", NAACL 2016, §4.3): the number of distinct n-grams over all outputs divided by
 * the total number of n-grams, in [0, 1]; 0 when the outputs hold no n-gram. N-grams do not cross
 * output boundaries. Texts are split on whitespace; pass token arrays to count other units.
 * @throws ShapeError when n is not a positive integer.
 * @example distinctN(['a b a b'], 2) // 2 / 3 ("a b", "b a", "a b")
 */
export function distinctN(outputs: readonly (string | readonly string[])[], n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new ShapeError(`distinctN: n must be a positive integer, got ${n}`);
  const seen = new Set<string>();
  let total = 0;
  for (const out of outputs) {
    const tokens = typeof out === 'string' ? out.split(/\s+/).filter((w) => w !== '') : out;
    for (let i = 0; i + n <= tokens.length; i++) {
      seen.add(JSON.stringify(tokens.slice(i, i + n)));
      total++;
    }
  }
  return total === 0 ? 0 : seen.size / total;
}

/**
 * Perplexity exp(Σ NLL / tokens) of a language model on held-out tokens, from the summed negative
 * log-likelihood in nats (the sum of token cross-entropies, e.g. mean loss × tokens) and the number
 * of predicted tokens (Jelinek et al., "Perplexity — a measure of the difficulty of speech recognition
 * tasks", JASA 1977).
 * @throws ShapeError when tokens is not a positive integer or the NLL is negative or not finite.
 * @example perplexity(Math.log(4) * 10, 10) // 4
 */
export function perplexity(totalNll: number, tokens: number): number {
  if (!Number.isInteger(tokens) || tokens < 1) throw new ShapeError(`perplexity: tokens must be a positive integer, got ${tokens}`);
  if (!Number.isFinite(totalNll) || totalNll < 0) {
    throw new ShapeError(`perplexity: the summed negative log-likelihood must be finite and ≥ 0 (nats), got ${totalNll}`);
  }
  return Math.exp(totalNll / tokens);
}
