/**
 * Word dropout for training batches: every real, non-special input token is replaced by the unknown
 * token with probability p, drawn afresh for each batch, so a tagger learns to read a word's context
 * instead of memorising the word, and copes with words it never saw (most slot values of SNIPS's test
 * split that are missed contain a word absent from training). The regulariser of Lample et al.,
 * "Neural Architectures for Named Entity Recognition", NAACL 2016 (training words replaced by the UNK
 * embedding at random) and of Gal & Ghahramani, "A Theoretically Grounded Application of Dropout in
 * Recurrent Neural Networks", NeurIPS 2016 (word-type dropout), applied to sub-word ids. Labels are
 * unchanged; evaluation and prediction never drop words.
 */
import { ConfigError } from '../errors.js';
import { logicalAnd, rand, tidy, where } from '../tensor/index.js';
import type { BatchInputs } from '../tasks/index.js';

/** The ids word dropout needs: the replacement and the tokens it never replaces. */
export interface WordDropoutIds {
  readonly unk: number;
  /** [CLS], [SEP] and any other token kept as is (padding is kept by the attention mask). */
  readonly keep: readonly number[];
}

/**
 * `inputs` with each real token (attentionMask 1) whose id is not in `ids.keep` replaced by `ids.unk`
 * with probability `p`. Draws from libtorch's generator (seed it with `manualSeed` for a reproducible
 * run). Returns `inputs` itself when p = 0.
 * @param inputs (B, T) int64 inputIds, attentionMask, tokenTypeIds.
 * @param p replacement probability in [0, 1).
 * @returns the same shapes; only inputIds differ.
 * @throws ConfigError when p is outside [0, 1).
 */
export function dropWords(inputs: BatchInputs, p: number, ids: WordDropoutIds): BatchInputs {
  if (!(p >= 0 && p < 1)) throw new ConfigError(`word dropout must be a probability in [0, 1), got ${p}`);
  if (p === 0) return inputs;
  const inputIds = tidy(() => {
    let eligible = inputs.attentionMask.eq(1);
    for (const id of ids.keep) eligible = logicalAnd(eligible, inputs.inputIds.ne(id));
    const dropped = logicalAnd(eligible, rand(inputs.inputIds.shape).lt(p));
    return where(dropped, ids.unk, inputs.inputIds);
  });
  return { ...inputs, inputIds };
}
