/**
 * The pieces every encoder-decoder family shares (t5, bart, marian): the key/value cache they write
 * to during incremental decoding, the additive bias of a padding (and causal) mask, and attention over
 * (B, nh, ·, hs) heads given keys and values (a layer's own, cached ones, or the encoder's).
 */
import { probeAttention } from './attention-probe.js';
import { ShapeError } from '../errors.js';
import { arange, cat, full, matmul, softmax, tidy, where, type DType, type Tensor } from '../tensor/index.js';
import type { Backbone, BackboneConfig, ModelInputs, ModelOutput } from './backbone.js';

/** Keys and values of one attention layer, (B, nh, S, hs) each: what a cache holds. */
export interface KeyValues {
  readonly key: Tensor;
  readonly value: Tensor;
}

/**
 * The part of a key/value cache (the decoding loop's `KeyValueCache`) an encoder-decoder's layers use:
 * appending a step's self-attention keys and values, and cross-attention keys and values computed once
 * from the encoder states.
 */
export interface AttentionCache {
  /** P: tokens already cached. */
  readonly length: number;
  /** Appends (B, nh, T, hs) keys and values of layer `layer`; returns all (B, nh, P + T, hs), owned by the cache. */
  update(layer: number, key: Tensor, value: Tensor): KeyValues;
  /** The entry `name`, computed by `compute` on first use and kept (owned by the cache). */
  staticEntry(name: string, compute: () => KeyValues): KeyValues;
  /**
   * A tensor of no row (a position bias table), computed by `compute` on first use and again when
   * `fits` rejects the kept one; owned by the cache, never reordered. Optional: without it, callers compute it per step.
   */
  sharedEntry?(name: string, compute: () => Tensor, fits?: (kept: Tensor) => boolean): Tensor;
  /**
   * A per-row tensor (B, …) (an encoder mask's bias), computed by `compute` on first use, owned by the
   * cache and reordered with the rows. Optional: without it, callers compute it per step.
   */
  rowEntry?(name: string, compute: () => Tensor): Tensor;
}

/** What a decoder layer's cross-attention reads: the encoder states and their mask's bias. */
export interface CrossInputs {
  /** (B, S, H) the encoder's last hidden states. */
  readonly encoder: Tensor;
  /**
   * (B or 1, 1, 1, S) 0 on real encoder tokens, the dtype's lowest value on padding (`maskBias`), or
   * undefined when every encoder token is real (nothing to add).
   */
  readonly bias: Tensor | undefined;
}

/** Lowest finite value per floating dtype (torch.finfo(dtype).min): the bias of a masked key. */
const FLOAT_MIN: Partial<Record<DType, number>> = {
  float16: -65504,
  bfloat16: -3.3895313892515355e38,
  float32: -3.4028234663852886e38,
  float64: -Number.MAX_VALUE,
};

/**
 * The additive bias of a key mask: 0 where attended, the dtype's lowest finite value elsewhere (Hugging
 * Face's extended attention mask, so a masked key's probability is exactly 0). Causal: query i, the
 * token at position S−T+i, also sees only keys j ≤ S−T+i (the cached ones and itself).
 * @param mask (B, S) 1 = real token, or undefined (all real).
 * @param B rows; @param T queries; @param S keys.
 * @returns (B or 1, 1, T or 1, S) in `dtype`.
 * @throws ShapeError for a mask of another shape or a non-floating dtype.
 */
export function maskBias(mask: Tensor | undefined, B: number, T: number, S: number, causal: boolean, dtype: DType): Tensor {
  const min = FLOAT_MIN[dtype];
  if (min === undefined) throw new ShapeError(`attention needs floating hidden states, got ${dtype}`);
  if (mask !== undefined && (mask.shape.length !== 2 || mask.shape[0] !== B || mask.shape[1] !== S))
    throw new ShapeError(`an attention mask must be (B, keys) = [${B}, ${S}], got [${mask.shape.join(', ')}]`);
  return tidy(() => {
    let allowed: Tensor | undefined = mask?.ne(0).view([B, 1, 1, S]);
    if (causal) {
      const visible = arange(S)
        .view([1, S])
        .le(arange(S - T, S).view([T, 1]))
        .view([1, 1, T, S]); // (1, 1, T, S)
      allowed = allowed === undefined ? visible : allowed.logicalAnd(visible);
    }
    if (allowed === undefined) return where(arange(S).view([1, 1, 1, S]).ge(0), 0, min).to(dtype); // all 0
    return where(allowed, 0, min).to(dtype);
  });
}

/**
 * softmax(q·kᵀ + bias)·v over heads (Vaswani et al., NeurIPS 2017, §3.2.1), with any scaling already
 * in q (BART) or in the weights (T5).
 * @param q (B, nh, T, hs); @param keyValues (B, nh, S, hs) each; @param bias broadcastable to (B, nh, T, S),
 *   or undefined (no bias: every key attended).
 * @param dropout applied to the probabilities (identity in eval).
 * @param probe hand the probabilities to an open attention recording (./attention-probe.ts): an encoder's self-attention.
 * @returns (B, T, nh·hs) the heads' contexts side by side.
 */
export function attendHeads(
  q: Tensor,
  keyValues: KeyValues,
  bias: Tensor | undefined,
  dropout: (p: Tensor) => Tensor,
  probe = false,
): Tensor {
  return tidy(() => {
    const [B, nh, T, hs] = q.shape as [number, number, number, number];
    const products = matmul(q, keyValues.key.transpose(2, 3)); // (B, nh, T, S)
    const scores = bias === undefined ? products : products.add(bias);
    const p = softmax(scores, -1);
    const probs = dropout(probe ? probeAttention(p, B) : p);
    return matmul(probs, keyValues.value)
      .transpose(1, 2)
      .reshape([B, T, nh * hs]);
  });
}

/** The decoder's inputs beside the encoder's (`EncoderDecoderBackbone.decode`). */
export interface DecoderInputs {
  /** (B, T) int64: the targets shifted right behind decoderStartTokenId (teacher forcing), or a step's new tokens. */
  readonly decoderInputIds: Tensor;
  /** (B, S, H) the encoder's last hidden states. */
  readonly encoderHiddenStates: Tensor;
  /** (B, S) 1 = real source token, or undefined (all real). */
  readonly encoderAttentionMask?: Tensor;
  /** (B, P + T) 1 = real target token over cached and new tokens, or undefined (all real). */
  readonly decoderAttentionMask?: Tensor;
  /** Incremental decoding: keys/values of the P tokens decoded before (appended to); cross-attention keys/values kept in it. */
  readonly cache?: AttentionCache;
}

/** `forward`'s inputs for an encoder-decoder: the encoder's, and the decoder's when a decoder output is wanted. */
export interface EncoderDecoderInputs extends ModelInputs {
  /** (B, T) int64: with it, `lastHiddenState` is the decoder's (Hugging Face `T5Model`, `BartModel`); without, the encoder's. */
  readonly decoderInputIds?: Tensor;
  /** (B, T) 1 = real target token. */
  readonly decoderAttentionMask?: Tensor;
  /**
   * (B, T) int64 target ids, -100 where ignored (teacher forcing): without `decoderInputIds`, the decoder
   * reads them shifted right behind decoderStartTokenId (`shiftTokensRight`), as Hugging Face's
   * `…ForConditionalGeneration` does with its `labels`.
   */
  readonly decoderLabels?: Tensor;
}

/**
 * Teacher forcing's decoder inputs (Hugging Face `shift_tokens_right`, T5's `_shift_right`): each row's
 * targets moved one place right behind the decoder start token, the last dropped, ignored ids (-100)
 * read as the pad token. Padding at a row's end needs no mask: causal attention never lets a real
 * target token see a later one.
 * @param labels (B, T) int64 target ids, -100 where ignored.
 * @returns (B, T) int64.
 * @example shiftTokensRight([[5, 6, 1, -100]], 0, 0) // [[0, 5, 6, 1]]
 */
export function shiftTokensRight(labels: Tensor, decoderStartTokenId: number, padTokenId: number): Tensor {
  return tidy(() => {
    const [B, T] = labels.shape as [number, number];
    const start = full([B, 1], decoderStartTokenId, { dtype: 'int64' });
    const shifted = cat([start, labels.narrow(1, 0, T - 1)], 1); // (B, T)
    return where(shifted.eq(-100), padTokenId, shifted);
  });
}

export interface EncoderDecoderOutput extends ModelOutput {
  /** (B, S, H) the encoder's last hidden states, when the decoder ran (beside its `lastHiddenState`). */
  readonly encoderLastHiddenState?: Tensor;
}

/** The config fields every encoder-decoder has beside the common ones. */
export interface EncoderDecoderConfig extends BackboneConfig {
  /** The first decoder input of every target. */
  readonly decoderStartTokenId: number;
  readonly eosTokenId: number;
}

/**
 * An encoder-decoder backbone (t5, bart, marian): the `Backbone` contract plus its two halves and its
 * LM head, which the seq2seq task and the decoding loop use.
 */
export interface EncoderDecoderBackbone extends Backbone {
  readonly kind: 'encoder-decoder';
  readonly config: EncoderDecoderConfig;
  /** (B, S) ids and mask → (B, S, H) encoder states. @throws ShapeError for bad shapes or too long inputs. */
  encode(inputIds: Tensor, attentionMask?: Tensor): Tensor;
  /** Decoder states (B, T, H) over encoder states. @throws ShapeError for inconsistent shapes. */
  decode(inputs: DecoderInputs): Tensor;
  /** Vocabulary logits (…, V) of decoder states (…, H), with the family's head (tied or not, scaled, biased). */
  lmLogits(hiddenStates: Tensor): Tensor;
  forward(inputs: EncoderDecoderInputs): EncoderDecoderOutput;
}

/** Whether `backbone` is an encoder-decoder (and offers encode / decode / lmLogits). */
export function isEncoderDecoder(backbone: Backbone): backbone is EncoderDecoderBackbone {
  return backbone.kind === 'encoder-decoder';
}
