/**
 * What a classification head reads of the encoder's states: one vector per text ('cls', the pooled [CLS]
 * state; 'mean', the mean token state) or every token ('tokens', token-level intent detection). The
 * functions here are the pooling arithmetic; the heads that use them are in ./sequence-classification.ts
 * and ./regression.ts.
 */
import { clamp, logSoftmax, tidy, type Tensor } from '../tensor/index.js';

/** What a head over one vector per text reads (sequence classification and regression). */
export const POOLINGS = ['cls', 'mean'] as const;
export type Pooling = (typeof POOLINGS)[number];
/** Sequence classification's poolings: those of `POOLINGS` and 'tokens' (a label per token, `tokenLogProbs`). */
export const CLASSIFIER_POOLINGS = [...POOLINGS, 'tokens'] as const;
export type ClassifierPooling = (typeof CLASSIFIER_POOLINGS)[number];

/**
 * The mean of `hidden` (B, T, H) over the tokens where `attentionMask` (B, T) is 1 (all T when absent):
 * (B, H), float32.
 */
export function meanPool(hidden: Tensor, attentionMask: Tensor | undefined): Tensor {
  return tidy(() => {
    if (attentionMask === undefined) return hidden.mean(1);
    const m = attentionMask.to('float32').unsqueeze(-1); // (B, T, 1)
    return hidden
      .mul(m)
      .sum(1)
      .div(clamp(m.sum(1), 1)); // (B, H) / (B, 1)
  });
}

/**
 * Token-level intent detection's soft vote (Qin et al., EMNLP 2019, §3.3): each real token's
 * log-softmax over the classes, averaged over the row's real tokens,
 *
 *   z_bc = (1 / n_b) Σ_{t real} log softmax(logits_bt)_c,
 *
 * so −z_by is the mean over row b's tokens of each token's cross-entropy against label y (the token-level
 * loss, `nllLoss(z, y)`), and argmax_c z_bc is the class with the highest product of the tokens'
 * probabilities (Stack-Propagation votes with each token's argmax instead). Because a token's log-softmax
 * differs from its logits by a per-token constant, softmax(z) equals the softmax of the mean token logits:
 * a linear classifier predicts as mean pooling does; only the loss (every token trained to show the label) differs.
 * @param logits (B, T, C) float32, each token's class scores.
 * @param attentionMask (B, T), 1 = real token; absent: every token is real. Padding does not change z.
 * @returns z (B, C) float32, log-probabilities (each row's exp-sum ≤ 1, = 1 when its tokens agree).
 */
export function tokenLogProbs(logits: Tensor, attentionMask: Tensor | undefined): Tensor {
  return tidy(() => meanPool(logSoftmax(logits, -1), attentionMask)); // (B, C)
}
