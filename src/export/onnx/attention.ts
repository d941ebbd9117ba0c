/**
 * Multi-head self-attention (Vaswani et al., NeurIPS 2017, §3.2) as ONNX ops, as the encoders here
 * compute it (src/models/bert/attention.ts, src/models/distilbert/block.ts): softmax(q·kᵀ/√hs + bias)·v
 * with the padding bias of Hugging Face (the float32 minimum on padded keys, 0 elsewhere), heads split
 * and merged with Reshape/Transpose so the batch and sequence axes stay dynamic.
 */
import type { GraphBuilder } from './graph.js';

/** The largest finite float32 (torch.finfo(torch.float32).max). */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The additive attention bias of a padding mask, built once and shared by all layers.
 * @param attentionMask name of a (B, T) int64 input, 1 = attend, 0 = padding.
 * @returns name of a (B, 1, 1, T) float32 value: 0 where a key may be attended, −3.4e38 where not.
 */
export function attentionBias(g: GraphBuilder, attentionMask: string): string {
  const m = g.op('Cast', [attentionMask], { to: { int: 1 } }); // float32 (B, T)
  const bias = g.op('Mul', [g.op('Sub', [m, g.floats([1])]), g.floats([FLOAT32_MAX])]); // (m − 1)·max
  return g.op('Unsqueeze', [bias, g.ints([1, 2])]); // (B, 1, 1, T)
}

/** Where a layer's attention weights are (each a Linear: `<name>weight` (H, H), `<name>bias` (H)). */
export interface AttentionNames {
  readonly query: string;
  readonly key: string;
  readonly value: string;
}

/**
 * The attention context of `x` before the output projection.
 * @param x name of (B, T, H) float32.
 * @param bias name of (B, 1, 1, T) from `attentionBias`.
 * @param scaleQueryFirst multiply q by 1/√hs before the product (DistilBERT) instead of the scores (BERT).
 * @returns name of the context (B, T, H).
 */
export function selfAttention(
  g: GraphBuilder,
  x: string,
  bias: string,
  names: AttentionNames,
  numHeads: number,
  hiddenSize: number,
  scaleQueryFirst = false,
): string {
  const hs = hiddenSize / numHeads;
  const scale = g.floats([1 / Math.sqrt(hs)]);
  const split = g.ints([0, 0, numHeads, hs]); // (B, T, H) → (B, T, nh, hs); 0 keeps the input's size
  const heads = (prefix: string, perm: number[]) =>
    g.op('Transpose', [g.op('Reshape', [g.linear(x, prefix), split])], { perm: { ints: perm } });
  const q0 = heads(names.query, [0, 2, 1, 3]); // (B, nh, T, hs)
  const q = scaleQueryFirst ? g.op('Mul', [q0, scale]) : q0;
  const kT = heads(names.key, [0, 2, 3, 1]); // (B, nh, hs, T)
  const v = heads(names.value, [0, 2, 1, 3]); // (B, nh, T, hs)
  const product = g.op('MatMul', [q, kT]); // (B, nh, T, T)
  const scores = g.op('Add', [scaleQueryFirst ? product : g.op('Mul', [product, scale]), bias]);
  const probs = g.op('Softmax', [scores], { axis: { int: -1 } });
  const context = g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: { ints: [0, 2, 1, 3] } }); // (B, T, nh, hs)
  return g.op('Reshape', [context, g.ints([0, 0, hiddenSize])]); // (B, T, H)
}
