/**
 * Neural-network functions (torch.nn.functional equivalents).
 */
import { ConfigError } from '../../errors.js';
import { defineOp } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { run } from './run.js';

const EMBEDDING = defineOp('aten::embedding');
const LAYER_NORM = defineOp('aten::layer_norm');
const DROPOUT = defineOp('aten::dropout');
const SOFTMAX = defineOp('aten::softmax', 'int');
const LOG_SOFTMAX = defineOp('aten::log_softmax', 'int');
const GELU = defineOp('aten::gelu');
const RELU = defineOp('aten::relu');
const TANH = defineOp('aten::tanh');
const SIGMOID = defineOp('aten::sigmoid');

/**
 * Rows of `weight` (V, H) at `indices` (any shape, int64) → (…, H), as F.embedding.
 * @param paddingIdx a row whose gradient stays zero (as nn.Embedding(padding_idx)); negative counts
 *   from the end (-1 is row V−1); omit for none. The forward output is the same either way.
 * @throws ConfigError when paddingIdx is not an integer in [−V, V).
 */
export function embedding(weight: Tensor, indices: Tensor, paddingIdx?: number): Tensor {
  if (paddingIdx === undefined) return run(EMBEDDING, weight.id, indices.id, -1);
  const rows = weight.shape[0] ?? 0;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -rows || paddingIdx >= rows) {
    throw new ConfigError(`paddingIdx must be an integer in [${-rows}, ${rows}) for an embedding of ${rows} rows, got ${paddingIdx}`);
  }
  return run(EMBEDDING, weight.id, indices.id, paddingIdx < 0 ? paddingIdx + rows : paddingIdx);
}
/**
 * Layer normalisation over the trailing dimensions `normalizedShape` (Ba, Kiros & Hinton 2016):
 * (x − mean) / √(var + eps) · weight + bias, with the biased variance.
 */
export const layerNorm = (input: Tensor, normalizedShape: readonly number[], weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor =>
  run(LAYER_NORM, input.id, normalizedShape as number[], weight?.id ?? null, bias?.id ?? null, eps);
/** Inverted dropout (Srivastava et al. 2014): zeroes each element with probability p, scales the rest by 1/(1−p); identity unless `training`. */
export const dropout = (input: Tensor, p: number, training: boolean): Tensor => run(DROPOUT, input.id, p, training);
/** exp(x) / Σ exp(x) along `dim`. */
export const softmax = (t: Tensor, dim: number): Tensor => run(SOFTMAX, t.id, dim);
/** log softmax along `dim`, computed stably. */
export const logSoftmax = (t: Tensor, dim: number): Tensor => run(LOG_SOFTMAX, t.id, dim);
/** GELU (Hendrycks & Gimpel 2016): x·Φ(x) exactly ('none', as BERT) or with the tanh approximation ('tanh'). */
export const gelu = (t: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor => run(GELU, t.id, approximate);
/** max(x, 0) */
export const relu = (t: Tensor): Tensor => run(RELU, t.id);
/** tanh x */
export const tanh = (t: Tensor): Tensor => run(TANH, t.id);
/** 1 / (1 + e⁻ˣ) */
export const sigmoid = (t: Tensor): Tensor => run(SIGMOID, t.id);
