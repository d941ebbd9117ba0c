/**
 * libtorch's fused transformer encoder layer (`aten::_transformer_encoder_layer_fwd`: the kernel
 * behind PyTorch's `nn.TransformerEncoderLayer` inference fast path and BetterTransformer). Forward
 * only: it has no autograd formula, so call it with gradients off.
 */
import { defineOp } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { run } from './run.js';

const ENCODER_LAYER = defineOp('aten::_transformer_encoder_layer_fwd');

/** mask_type 1 of the op: a (B, T) key padding mask. */
const KEY_PADDING_MASK = 1;

/** The weights of one encoder layer; H hidden, I feed-forward width. */
export interface EncoderLayerWeights {
  /** (3H, H): the query, key and value projections stacked in this order. */
  qkvWeight: Tensor;
  /** (3H) */
  qkvBias: Tensor;
  /** (H, H), (H): the attention output projection. */
  projWeight: Tensor;
  projBias: Tensor;
  /** (H), (H): the LayerNorm after attention. */
  norm1Weight: Tensor;
  norm1Bias: Tensor;
  /** (I, H), (I) and (H, I), (H): the feed-forward expansion and contraction. */
  ffn1Weight: Tensor;
  ffn1Bias: Tensor;
  ffn2Weight: Tensor;
  ffn2Bias: Tensor;
  /** (H), (H): the LayerNorm after the feed-forward block. */
  norm2Weight: Tensor;
  norm2Bias: Tensor;
}

export interface EncoderLayerOptions {
  numHeads: number;
  /** Exact GELU (x·Φ(x)) after the expansion when true, ReLU when false. */
  gelu: boolean;
  /** LayerNorm ε (BERT: 1e-12). */
  eps: number;
  /** (B, T) bool, true at padding keys (attended by no query); omit when nothing is padded. */
  keyPaddingMask?: Tensor;
}

/**
 * One post-LayerNorm encoder layer in a single call: y = LN₁(x + MHA(x)), out = LN₂(y + W₂·act(W₁·y + b₁) + b₂),
 * attention scores scaled by 1/√(H/numHeads), padding keys given probability 0.
 * @param x (B, T, H) float, or a nested tensor of B (T_b, H) rows (`nestedFromMask`; then no mask).
 * @returns (B, T, H), a new tensor (nested for a nested `x`).
 * @throws TorchError when gradients are being recorded for an input, or for shapes that do not fit.
 */
export function transformerEncoderLayer(x: Tensor, w: EncoderLayerWeights, o: EncoderLayerOptions): Tensor {
  const H = w.qkvWeight.shape[1] as number; // x may be nested, whose shape cannot be read
  const mask = o.keyPaddingMask;
  return run(
    ENCODER_LAYER,
    x.id,
    H,
    o.numHeads,
    w.qkvWeight.id,
    w.qkvBias.id,
    w.projWeight.id,
    w.projBias.id,
    o.gelu,
    false, // norm_first: BERT normalises after each residual add
    o.eps,
    w.norm1Weight.id,
    w.norm1Bias.id,
    w.norm2Weight.id,
    w.norm2Bias.id,
    w.ffn1Weight.id,
    w.ffn1Bias.id,
    w.ffn2Weight.id,
    w.ffn2Bias.id,
    mask === undefined ? null : mask.id,
    mask === undefined ? null : KEY_PADDING_MASK,
  );
}

const NESTED_FROM_MASK = defineOp('aten::_nested_tensor_from_mask');
const TO_PADDED = defineOp('aten::to_padded_tensor');

/**
 * The rows of a padded batch as a nested tensor (libtorch's ragged layout, what PyTorch's
 * TransformerEncoder fast path builds): example b keeps its first positions where `keep` is true,
 * so `transformerEncoderLayer` on it computes no padded position. Forward only.
 * @param x (B, T, H) float.
 * @param keep (B, T) bool, true at real tokens; each row's true entries must come first (right padding).
 * @returns a nested tensor of B (T_b, H) rows; its shape cannot be read — convert back with `fromNested`.
 * @throws TorchError when `keep` is not left-aligned or the shapes do not fit.
 */
export function nestedFromMask(x: Tensor, keep: Tensor): Tensor {
  return run(NESTED_FROM_MASK, x.id, keep.id, true);
}

/**
 * A nested tensor back as a padded batch, zeros at the padded positions.
 * @param nested from `nestedFromMask` (or an op on one).
 * @param shape the padded shape, (B, T, H).
 * @returns (B, T, H)
 */
export function fromNested(nested: Tensor, shape: readonly number[]): Tensor {
  return run(TO_PADDED, nested.id, 0, shape);
}
