/**
 * The pieces of causal (decoder) self-attention that every decoder family shares (gpt2, llama, and the
 * decoders of t5 and bart): the mask bias over cached and new tokens, position ids from the attention
 * mask (so a left-padded row numbers its real tokens from 0, as Hugging Face's `generate` does), and
 * scaled dot-product attention over (B, nh, T, hs) heads with grouped key/value heads.
 */
import { ShapeError } from '../errors.js';
import { arange, matmul, softmax, tidy, where, type DType, type Tensor } from '../tensor/index.js';
import { probeAttention } from './attention-probe.js';

/** Lowest finite value per floating dtype (torch.finfo(dtype).min): a masked score, whose probability is then exactly 0. */
const FLOAT_MIN: Partial<Record<DType, number>> = {
  float16: -65504,
  bfloat16: -3.3895313892515355e38,
  float32: -3.4028234663852886e38,
  float64: -Number.MAX_VALUE,
};

/**
 * The additive bias of causal self-attention: query i (the (P+i)-th token) may attend to key j when
 * j ≤ P + i and key j is a real token — and, with a sliding window w (Mistral; Beltagy et al., 2020,
 * "Longformer"), when P + i − j < w, positions counted in the cache as Hugging Face counts them; 0 there,
 * the dtype's lowest finite value elsewhere. A row with no key to attend (a padding query) gets a
 * uniform distribution, finite, never read.
 * @param attentionMask (B, P + T) 1 = real token, or undefined (all real).
 * @param B rows; @param T new tokens; @param P cached tokens.
 * @param window the sliding window w (keys), or undefined (every earlier key).
 * @returns (B or 1, 1, T, P + T) in `dtype`.
 */
export function causalBias(attentionMask: Tensor | undefined, B: number, T: number, P: number, dtype: DType, window?: number): Tensor {
  const min = FLOAT_MIN[dtype];
  if (min === undefined) throw new ShapeError(`attention needs floating hidden states, got ${dtype}`);
  const S = P + T;
  if (attentionMask !== undefined) {
    const s = attentionMask.shape;
    if (s.length !== 2 || s[0] !== B || s[1] !== S)
      throw new ShapeError(`attentionMask must be (B, cached + new tokens) = [${B}, ${S}] (${P} cached, ${T} new), got [${s.join(', ')}]`);
  }
  return tidy(() => {
    const keyPos = arange(S).view([1, S]);
    const queryPos = arange(P, S).view([T, 1]);
    let allowed = keyPos.le(queryPos); // (T, S) bool
    if (window !== undefined) allowed = allowed.logicalAnd(queryPos.sub(keyPos).lt(window));
    allowed = allowed.view([1, 1, T, S]);
    if (attentionMask !== undefined) allowed = allowed.logicalAnd(attentionMask.ne(0).view([B, 1, 1, S])); // (B, 1, T, S)
    return where(allowed, 0, min).to(dtype);
  });
}

/**
 * Position ids of the new tokens: each row's count of real tokens before it (cumsum(mask) − 1, 0 on
 * padding), so left padding does not shift positions; P … P+T−1 without a mask.
 * @param attentionMask (B, P + T) or undefined.
 * @returns (B or 1, T) int64.
 */
export function positionIds(attentionMask: Tensor | undefined, T: number, P: number): Tensor {
  return tidy(() => {
    if (attentionMask === undefined) return arange(P, P + T).view([1, T]);
    const S = attentionMask.shape[1] as number;
    const real = attentionMask.ne(0);
    const pos = real.to('int64').cumsum(1).sub(1).clamp(0); // (B, S)
    return pos.narrow(1, S - T, T);
  });
}

/**
 * softmax(q·kᵀ/√hs + bias)·v with grouped key/value heads (Ainslie et al., EMNLP 2023, "GQA": each
 * key/value head serves nh/nkv query heads; nkv = nh is multi-head attention).
 * @param q (B, nh, T, hs) queries.
 * @param k (B, nkv, S, hs) keys; @param v (B, nkv, S, hs) values.
 * @param bias (B or 1, 1, T, S) from `causalBias`.
 * @param dropout applied to the probabilities (the family's attention dropout; identity in eval).
 * @returns (B, T, nh·hs) the heads' contexts side by side.
 */
export function attend(q: Tensor, k: Tensor, v: Tensor, bias: Tensor, dropout: (p: Tensor) => Tensor, scale?: number): Tensor {
  return tidy(() => {
    const [B, nh, T, hs] = q.shape as [number, number, number, number];
    const [, nkv, S] = k.shape as [number, number, number, number];
    const grouped = (t: Tensor): Tensor =>
      nkv === nh
        ? t
        : t
            .unsqueeze(2)
            .expand([B, nkv, nh / nkv, S, hs])
            .reshape([B, nh, S, hs]);
    const scores = matmul(q, grouped(k).transpose(2, 3))
      .mul(scale ?? 1 / Math.sqrt(hs))
      .add(bias); // (B, nh, T, S)
    const probs = dropout(probeAttention(softmax(scores, -1), B));
    return matmul(probs, grouped(v))
      .transpose(1, 2)
      .reshape([B, T, nh * hs]); // (B, T, H)
  });
}
