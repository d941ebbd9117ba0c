/**
 * Gradient checkpointing of a backbone's layers (Hugging Face's `gradient_checkpointing_enable()`):
 * each layer keeps only its input for backward and recomputes its activations there
 * (../tensor/checkpoint.ts), trading about one more forward pass of time for the activations of
 * every layer but one.
 */
import type { Module } from '../nn/module.js';
import { checkpoint, isGradEnabled, type Tensor } from '../tensor/index.js';

/**
 * `forward(layer, h, bias)`, checkpointed when `on` and gradients are recorded (in evaluation, under
 * noGrad, it just runs).
 * @param h (B, T, H) the layer's input hidden states.
 * @param bias the attention bias the layer adds (kept with `h` until backward), or undefined.
 * @returns (B, T, H) the layer's output.
 */
export function layerForward<L extends Module>(
  on: boolean,
  layer: L,
  h: Tensor,
  bias: Tensor | undefined,
  forward: (layer: L, h: Tensor, bias: Tensor | undefined) => Tensor,
): Tensor {
  if (!on || !isGradEnabled()) return forward(layer, h, bias);
  const params = layer.parameters().filter((p) => p.requiresGrad);
  const inputs = bias === undefined ? [h] : [h, bias];
  return checkpoint((x, b) => [forward(layer, x!, b)], inputs, params)[0]!;
}
