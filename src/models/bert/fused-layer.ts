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
import { eq, isGradEnabled, tidy, transformerEncoderLayer, type Tensor } from '../../tensor/index.js';
import type { HiddenAct } from './config.js';
import type { BertLayer } from './layer.js';

/** The kernel's activations: exact GELU (use_gelu) or ReLU; the tanh GELUs have no fused form. */
const FUSED_GELU: Partial<Record<HiddenAct, boolean>> = { gelu: true, relu: false };

/** Whether `m` or a module under it has its forward replaced on the instance (as LoRA and bottleneck adapters do). */
function hasOverriddenForward(m: Module): boolean {
  return Object.prototype.hasOwnProperty.call(m, 'forward') || m.namedChildren().some(([, c]) => hasOverriddenForward(c));
}

/**
 * Whether `layer` may run fused on `x`: gradients off (the kernel has no backward), evaluation mode
 * (no dropout), an activation the kernel has, float32 hidden states, and no adapter in the layer.
 */
export function canFuse(layer: BertLayer, x: Tensor): boolean {
  return (
    !layer.training &&
    !isGradEnabled() &&
    FUSED_GELU[layer.hiddenAct] !== undefined &&
    x.dtype === 'float32' &&
    !hasOverriddenForward(layer)
  );
}

/**
 * The padding keys of a batch as the kernel takes them.
 * @param attentionMask (B, T) 1 = attend, 0 = padding.
 * @returns (B, T) bool, true at padding.
 */
export function keyPaddingMask(attentionMask: Tensor): Tensor {
  return eq(attentionMask, 0);
}

/**
 * `layer` applied to `x` in one kernel call (check `canFuse` first).
 * @param x (B, T, H) float32.
 * @param keyPadding (B, T) bool from `keyPaddingMask`, or undefined (attend everywhere).
 * @returns (B, T, H)
 */
export function fusedLayerForward(layer: BertLayer, x: Tensor, keyPadding?: Tensor): Tensor {
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
