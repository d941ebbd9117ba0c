/**
 * Recording the attention probabilities of a forward pass (Hugging Face's `output_attentions`),
 * without a flag threaded through every layer's signature: each family's self-attention hands its
 * probabilities to `probeAttention` on the line that makes them, which keeps a copy when a recording
 * is open and does nothing otherwise. Attention rollout (Abnar & Zuidema, ACL 2020) reads them.
 *
 * Families that call it: bert (and roberta, xlm-roberta, electra, which use its layers), distilbert,
 * the decoders gpt2 and llama (src/models/causal.ts), and t5's encoder self-attention (not its
 * decoder's nor cross-attention). bart and marian record nothing.
 * A recording turns BERT's fused inference kernel off (./bert/fused-layer.ts: the kernel gives no
 * probabilities), so the eager path runs and records.
 */
import { ConfigError } from '../errors.js';
import { dispose, keep, tidy, type Tensor } from '../tensor/index.js';

/** The open recording: one (B, nh, T, S) tensor per self-attention call, in call order; undefined when none. */
let recording: Tensor[] | undefined;

/** Whether a recording is open (a family's fast path without probabilities must not run then). */
export const isRecordingAttention = (): boolean => recording !== undefined;

/**
 * Keeps a detached copy of `probs` when a recording is open; returns `probs` itself either way.
 * @param probs softmax-normalised attention probabilities, before dropout, (B·nh, T, S) or (B, nh, T, S).
 * @param batchSize B, to view (B·nh, T, S) as (B, nh, T, S).
 */
export function probeAttention(probs: Tensor, batchSize: number): Tensor {
  if (recording === undefined) return probs;
  const [T, S] = probs.shape.slice(-2) as [number, number];
  recording.push(keep(tidy(() => probs.detach().reshape([batchSize, -1, T, S]))));
  return probs;
}

/**
 * Runs `fn` and returns what it returned with the attention probabilities of every self-attention it
 * ran, first layer first, each (B, nh, T, S) float, detached; the caller owns them (`dispose`).
 * @throws ConfigError when a recording is already open (they do not nest) or `fn` returns a promise.
 */
export function recordAttentions<T>(fn: () => T): { result: T; attentions: Tensor[] } {
  if (recording !== undefined) throw new ConfigError('recordAttentions: a recording is already open; recordings do not nest');
  const attentions: Tensor[] = [];
  recording = attentions;
  try {
    const result = fn();
    if (result instanceof Promise) throw new ConfigError('recordAttentions takes a synchronous function; the recording would outlive it');
    return { result, attentions };
  } catch (e) {
    dispose(attentions);
    throw e;
  } finally {
    recording = undefined;
  }
}
