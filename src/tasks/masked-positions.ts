/**
 * The masked positions of a batch whose labels are -100 where nothing was masked (masked-LM,
 * replaced-token detection): the flat row-major indices a head gathers its hidden states at, so
 * that it predicts only there (BERT's `gather_indexes` at `masked_lm_positions`, Google's
 * run_pretraining.py).
 */
import { nonzero, tidy, type Tensor } from '../tensor/index.js';
import { IGNORE_INDEX } from '../tokenization/index.js';

/**
 * Flat indices (N) int64, in row-major order, of the masked positions of `maskedLabels` (B, T)
 * (entries other than -100).
 */
export function maskedPositions(maskedLabels: Tensor): Tensor {
  return tidy(() => nonzero(maskedLabels.reshape([-1]).ne(IGNORE_INDEX)).reshape([-1]));
}
