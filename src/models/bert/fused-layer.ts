/**
 * BertLayer's inference fast path: the whole layer in one call of libtorch's fused encoder layer
 * (`transformerEncoderLayer`, the kernel of PyTorch's TransformerEncoderLayer fast path and of
 * BetterTransformer), reading the q, k and v weights stacked where they live (BertSelfAttention keeps
 * them in one buffer). The kernel computes q, k and v with one GEMM, adds their biases and scales q
 * while splitting the heads in one pass, normalises the scores with a masked softmax, and runs the
 * feed-forward activation in place. It does the eager path's arithmetic (same products, same padded
 * positions) in fewer passes over memory, so outputs agree up to float rounding; tests/models/bert.test.ts
 * checks both paths against PyTorch.
 */
import type { Module } from '../../nn/module.js';
import {
  all,
  arange,
  eq,
  fromNested,
  isGradEnabled,
  lt,
  ne,
  nestedFromMask,
  sum,
  tidy,
  transformerEncoderLayer,
  unsqueeze,
  type Tensor,
} from '../../tensor/index.js';
import type { HiddenAct } from './config.js';
import { isRecordingAttention } from '../attention-probe.js';
import { applyInTurn, type BertLayer } from './layer.js';

/** The kernel's activations: exact GELU (use_gelu) or ReLU; the tanh GELUs have no fused form. */
const FUSED_GELU: Partial<Record<HiddenAct, boolean>> = { gelu: true, relu: false };

/** Whether `m` or a module under it has its forward replaced on the instance (as LoRA and bottleneck adapters do). */
function hasOverriddenForward(m: Module): boolean {
  return Object.prototype.hasOwnProperty.call(m, 'forward') || m.namedChildren().some(([, c]) => hasOverriddenForward(c));
}

/**
 * Whether `layer` may run fused on `x`: gradients off (the kernel has no backward), evaluation mode
 * (no dropout), no attention recording open (the kernel gives no probabilities), an activation the
 * kernel has, float32 hidden states, and no adapter in the layer.
 */
export function canFuse(layer: BertLayer, x: Tensor): boolean {
  return (
    !layer.training &&
    !isGradEnabled() &&
    !isRecordingAttention() &&
    FUSED_GELU[layer.hiddenAct] !== undefined &&
    x.dtype === 'float32' &&
    !hasOverriddenForward(layer)
  );
}

/** Whether every row of `keep` (B, T) bool is true on a prefix and false after it (right padding). */
function isRightPadded(keep: Tensor): boolean {
  return tidy(() => {
    const lengths = unsqueeze(sum(keep, 1), 1); // (B, 1)
    const prefix = lt(unsqueeze(arange(0, keep.shape[1] as number, 1, { dtype: 'int64' }), 0), lengths); // (B, T)
    return all(eq(prefix, keep)).item() as boolean;
  });
}

/**
 * `layers` applied in turn to `x`, each in one kernel call (check `canFuse` first). A right-padded
 * batch runs as a nested tensor (libtorch's ragged layout, as PyTorch's TransformerEncoder fast path
 * and BetterTransformer do), so no padded position is computed and padded rows come back as zeros —
 * the real positions get the eager path's values up to float rounding; any other mask is applied as
 * a key padding mask over the full (B, T) grid.
 * @param x (B, T, H) float32.
 * @param attentionMask (B, T) 1 = attend, 0 = padding, or undefined (attend everywhere).
 * @returns (B, T, H)
 */
export function fusedLayersForward(layers: readonly BertLayer[], x: Tensor, attentionMask?: Tensor): Tensor {
  return tidy(() => {
    const keep = attentionMask && ne(attentionMask, 0);
    if (keep === undefined || (all(keep).item() as boolean)) return applyLayers(layers, x);
    if (!isRightPadded(keep)) return applyLayers(layers, x, eq(keep, false));
    return fromNested(applyLayers(layers, nestedFromMask(x, keep)), x.shape);
  });
}

/** Each layer fused in turn, each intermediate freed once read. */
function applyLayers(layers: readonly BertLayer[], x: Tensor, keyPadding?: Tensor): Tensor {
  return applyInTurn(layers, x, (layer, h) => fusedLayerForward(layer, h, keyPadding));
}

/**
 * `layer` applied to `x` in one kernel call.
 * @param x (B, T, H) float32, or a nested tensor of B (T_b, H) rows.
 * @param keyPadding (B, T) bool, true at padding keys, or undefined (attend everywhere).
 * @returns (B, T, H)
 */
function fusedLayerForward(layer: BertLayer, x: Tensor, keyPadding?: Tensor): Tensor {
  const self = layer.attention.self;
  const attnOut = layer.attention.output;
  const ffnOut = layer.output;
  return tidy(() => {
    const { weight: qkvWeight, bias: qkvBias } = self.stackedQkv(); // (3H, H), (3H): views, no copy
    return transformerEncoderLayer(
      x,
      {
        qkvWeight,
        qkvBias,
        projWeight: attnOut.dense.weight,
        projBias: biasOf(attnOut.dense),
        norm1Weight: attnOut.layerNorm.weight,
        norm1Bias: attnOut.layerNorm.bias,
        ffn1Weight: layer.intermediate.dense.weight,
        ffn1Bias: biasOf(layer.intermediate.dense),
        ffn2Weight: ffnOut.dense.weight,
        ffn2Bias: biasOf(ffnOut.dense),
        norm2Weight: ffnOut.layerNorm.weight,
        norm2Bias: ffnOut.layerNorm.bias,
      },
      { numHeads: self.numHeads, gelu: FUSED_GELU[layer.hiddenAct] as boolean, eps: attnOut.layerNorm.eps, keyPaddingMask: keyPadding },
    );
  });
}

/** A BERT projection's bias: BertLayer builds every Linear with one (Linear's default). */
const biasOf = (linear: { bias: Tensor | undefined }): Tensor => linear.bias as Tensor;
