/**
 * Attention rollout (Abnar and Zuidema, "Quantifying Attention Flow in Transformers", ACL 2020, §3):
 * how much each input token flows into each position of the last layer, through the attention of
 * every layer and the residual connections. Each layer's attention is averaged over its heads, the
 * identity is added for the residual path and each row renormalised to sum to 1,
 * Ã = (A + I) / rowsum(A + I) (their 0.5·A + 0.5·I, since A's rows sum to 1), and the layers are
 * multiplied from the first up: R = Ã_L ⋯ Ã_2 · Ã_1. Row t of R is position t's distribution over the
 * input tokens.
 */
import { ShapeError } from '../errors.js';
import { eye, tidy, type Tensor } from '../tensor/index.js';

/**
 * Rollout of a forward pass's self-attention probabilities.
 * @param attentions per layer, first to last, (B, nh, T, T) probabilities (rows sum to 1; a padding
 *   key's column is 0, so padding gets no flow into real tokens).
 * @returns (B, T, T) float32: row t is the share of each input token in position t's last hidden state.
 * @throws ShapeError for no layer, or layers that are not (B, nh, T, T) of one B and T.
 */
export function attentionRollout(attentions: readonly Tensor[]): Tensor {
  const first = attentions[0];
  if (first === undefined) throw new ShapeError('attention rollout: no attention probabilities were recorded (a backbone with no layer?)');
  const [B, , T] = first.shape as [number, number, number, number];
  return tidy(() => {
    const identity = eye(T, { dtype: 'float32' }).unsqueeze(0); // (1, T, T)
    let rollout: Tensor | undefined;
    for (const [l, a] of attentions.entries()) {
      const s = a.shape;
      if (s.length !== 4 || s[0] !== B || s[2] !== T || s[3] !== T)
        throw new ShapeError(`attention rollout: layer ${l}'s probabilities must be (B, nh, T, T) = (${B}, nh, ${T}, ${T}), got [${s}]`);
      const withResidual = a.to('float32').mean(1).add(identity); // (B, T, T): heads averaged, plus the residual
      const normalised = withResidual.div(withResidual.sum(-1, true)); // rows sum to 1
      rollout = rollout === undefined ? normalised : normalised.matmul(rollout);
    }
    return rollout as Tensor;
  });
}
