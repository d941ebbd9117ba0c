/**
 * The characters of words, for heads with a character-level word representation (src/nn/char-cnn.ts).
 * A character's id is its Unicode code point folded into the embedding's rows, 1 + (code point mod
 * (Vc − 1)), 0 being padding: no character vocabulary to learn, save or keep in step with the data
 * (with Vc = 256 every Latin-1 character has a row of its own; rarer ones share rows).
 */
import { tensor, type Tensor } from '../tensor/index.js';
import type { Features } from './types.js';

/**
 * The ids of `word`'s first `maxWordLength` characters (code points), each in [1, charVocabSize).
 * @example wordCharIds('abc', 256, 20) // [98, 99, 100]
 */
export function wordCharIds(word: string, charVocabSize: number, maxWordLength: number): number[] {
  return [...word].slice(0, maxWordLength).map((c) => 1 + ((c.codePointAt(0) as number) % (charVocabSize - 1)));
}

/**
 * (B, T, L) int64: row i's word w's character ids at its first sub-word's position
 * `features[i].wordTokens[w]` (words without a token are left out), 0 elsewhere; L = the longest word
 * of the batch (at least 1). Undefined when no feature carries `wordChars`.
 */
export function padWordChars(features: readonly Features[], T: number): Tensor | undefined {
  if (!features.some((f) => f.wordChars !== undefined)) return undefined;
  const L = Math.max(1, ...features.flatMap((f) => (f.wordChars ?? []).map((c) => c.length)));
  const data = new BigInt64Array(features.length * T * L);
  features.forEach((f, i) => {
    const chars = f.wordChars ?? [];
    (f.wordTokens ?? []).forEach((t, w) => {
      if (t < 0 || t >= T) return;
      (chars[w] ?? []).forEach((c, j) => (data[(i * T + t) * L + j] = BigInt(c)));
    });
  });
  return tensor(data, { dtype: 'int64' }, [features.length, T, L]);
}
