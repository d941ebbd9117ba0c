/**
 * Replaced-token detection's arithmetic (Clark et al., "ELECTRA: Pre-training Text Encoders as
 * Discriminators Rather Than Generators", ICLR 2020, §2): the corrupted input the discriminator reads,
 * its labels, the head's packed output and the combined loss
 *
 *   L = L_MLM(x, θ_G) + λ · L_Disc(x, θ_D)                                          (§2, the last equation)
 *
 * where L_MLM is the generator's mean cross-entropy over the masked positions and L_Disc the
 * discriminator's mean per-token binary cross-entropy over every real token (special tokens included,
 * padding not: the `input_mask` weights of ELECTRA's released code). A position whose sampled token
 * equals the original counts as original (§2: "if the generator happens to generate the correct
 * token, that token is considered 'real' instead of 'fake'").
 *
 * Everything here is a pure function of tensors, so the loss can be checked against a torch script
 * (scripts/fixtures/rtd.py) without a model.
 */
import {
  binaryCrossEntropyWithLogits,
  clamp,
  log,
  logSoftmax,
  onesLike,
  rand,
  stack,
  tidy,
  where,
  zeros,
  type Tensor,
} from '../../tensor/index.js';
import { IGNORE_INDEX } from '../../tokenization/index.js';

/**
 * The channels of the head's output (B, T, 4), per token: the discriminator's logit, the replaced
 * label (1 replaced, 0 original; a constant), the generator's ln p(original) (0 where not masked),
 * and the original's rank among the generator's V tokens (1 = its argmax; 0 where not masked; a constant).
 */
export const RTD_CHANNEL = { discriminatorLogit: 0, replaced: 1, generatorLogProb: 2, generatorRank: 3 } as const;
export const RTD_CHANNELS = 4;

/**
 * One token per row of `logits` (N, V), drawn from softmax(logits) with the Gumbel-max trick
 * (argmax of logits + Gumbel noise, as ELECTRA's released code samples): (N) int64. Draws from
 * libtorch's generator (the training step seeds it per micro-batch, so a resumed run draws the same).
 */
export function sampleTokens(logits: Tensor): Tensor {
  return tidy(() => {
    const u = rand(logits.shape); // U(0, 1)
    const gumbel = log(log(u.add(1e-9)).neg().add(1e-9)).neg(); // −ln(−ln u)
    return logits.detach().add(gumbel).argmax(-1);
  });
}

/** The discriminator's input and labels. */
export interface Corruption {
  /** (B, T) int64: the original ids with each masked position's sampled token. */
  readonly corruptedIds: Tensor;
  /** (B, T) int64: the original ids (the masked inputs with each masked position's label put back). */
  readonly originalIds: Tensor;
}

/**
 * x^corrupt = REPLACE(x, m, x̂) (§2, eq. under "replaced token detection").
 * @param maskedIds (B, T) int64 the generator's input.
 * @param maskedLabels (B, T) int64 the original id at each masked position, -100 elsewhere.
 * @param positions (N) int64 flat masked positions (`maskedPositions`, ../masked-positions.ts).
 * @param sampledIds (N) int64 the generator's sample at each of them.
 */
export function corrupt(maskedIds: Tensor, maskedLabels: Tensor, positions: Tensor, sampledIds: Tensor): Corruption {
  return tidy(() => {
    const originalIds = where(maskedLabels.eq(IGNORE_INDEX), maskedIds, maskedLabels); // (B, T)
    const corruptedIds = originalIds.reshape([-1]).scatter(0, positions, sampledIds).reshape(maskedIds.shape); // (B, T)
    return { corruptedIds, originalIds };
  });
}

/**
 * The head's output (B, T, 4) (channels: `RTD_CHANNEL`).
 * @param discriminatorLogits (B, T) the discriminator's logit of "replaced" per token.
 * @param generatorLogits (N, V) the generator's logits at the masked positions, in `positions` order.
 * @param positions (N) int64 flat masked positions.
 * @param c the corrupted and original ids (B, T).
 */
export function packOutputs(discriminatorLogits: Tensor, generatorLogits: Tensor, positions: Tensor, c: Corruption): Tensor {
  return tidy(() => {
    const shape = c.originalIds.shape;
    const BT = c.originalIds.numel;
    const target = c.originalIds.reshape([-1]).indexSelect(0, positions).unsqueeze(1); // (N, 1)
    const lp = logSoftmax(generatorLogits, -1); // (N, V)
    const targetLp = lp.gather(1, target); // (N, 1)
    const rank = lp.gt(targetLp.detach()).sum(-1).add(1).to('float32'); // (N): 1 + tokens scored above
    const spread = (values: Tensor) => zeros([BT], { dtype: values.dtype }).scatter(0, positions, values).reshape(shape); // (B, T)
    const replaced = c.corruptedIds.ne(c.originalIds).to(discriminatorLogits.dtype); // (B, T)
    return stack([discriminatorLogits, replaced, spread(targetLp.squeeze(1)), spread(rank)], -1); // (B, T, 4)
  });
}

/** The parts of the combined loss, each a scalar. */
export interface RtdLosses {
  /** L_MLM: mean −ln p_G(original) over the masked positions (0 when none). */
  readonly generator: Tensor;
  /** L_Disc: mean binary cross-entropy of the discriminator over the real tokens. */
  readonly discriminator: Tensor;
  /** L_MLM + λ · L_Disc. */
  readonly total: Tensor;
}

/**
 * The combined loss from the head's output.
 * @param output (B, T, 4) `packOutputs`.
 * @param maskedLabels (B, T) int64 (-100 where not masked).
 * @param attentionMask (B, T) 1 = real token; absent = all real.
 * @param discriminatorWeight λ (ELECTRA: 50).
 */
export function rtdLosses(output: Tensor, maskedLabels: Tensor, attentionMask: Tensor | undefined, discriminatorWeight: number): RtdLosses {
  return tidy(() => {
    const dtype = output.dtype;
    const masked = maskedLabels.ne(IGNORE_INDEX).to(dtype); // (B, T)
    const generator = output.select(-1, RTD_CHANNEL.generatorLogProb).mul(masked).sum().neg().div(clamp(masked.sum(), 1));
    const real = attentionMask === undefined ? onesLike(masked) : attentionMask.to(dtype); // (B, T)
    const logits = output.select(-1, RTD_CHANNEL.discriminatorLogit);
    const labels = output.select(-1, RTD_CHANNEL.replaced).detach();
    const bce = binaryCrossEntropyWithLogits(logits, labels, { weight: real, reduction: 'sum' });
    const discriminator = bce.div(clamp(real.sum(), 1));
    return { generator, discriminator, total: generator.add(discriminator.mul(discriminatorWeight)) };
  });
}
