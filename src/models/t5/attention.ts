/**
 * T5's attention (Raffel et al., JMLR 2020, §2.1; Hugging Face `T5Attention`): multi-head attention
 * with no 1/√d_kv scaling (folded into the initialisation), q, k, v, o without biases, inner width
 * nh·d_kv, and an additive bias: the relative position bias (first block of each stack only; shared
 * by the stack's other layers) plus the attention mask. Also T5's relative position buckets.
 */
import { ConfigError } from '../../errors.js';
import { arange, tidy, where, type Tensor } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import type { ParamOptions } from '../../nn/init.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { attendHeads, type KeyValues } from '../encoder-decoder.js';
import type { T5Config } from './config.js';

/**
 * T5's relative position bucket of each (query, key) offset `memory − context` (Hugging Face
 * `_relative_position_bucket`, after Mesh TensorFlow): half the buckets hold exact offsets 0 … n/2−1,
 * the rest logarithmically larger ones up to `maxDistance`, beyond which all share the last bucket;
 * bidirectional (encoder) buckets split by sign, causal (decoder) ones count only keys before the query.
 * Computed with float32 tensors, as Hugging Face does, so bucket edges round the same way.
 * @param relative (…) int64 offsets key − query.
 * @returns (…) int64 buckets in [0, numBuckets).
 */
export function relativePositionBucket(relative: Tensor, bidirectional: boolean, numBuckets: number, maxDistance: number): Tensor {
  return tidy(() => {
    let n = numBuckets;
    let rel = relative;
    let buckets: Tensor | undefined;
    if (bidirectional) {
      n = Math.floor(n / 2);
      buckets = rel.gt(0).to('int64').mul(n);
      rel = rel.abs();
    } else {
      rel = rel.clamp(undefined, 0).neg(); // −min(rel, 0)
    }
    const maxExact = Math.floor(n / 2);
    const isSmall = rel.lt(maxExact);
    const large = rel
      .to('float32')
      .div(maxExact)
      .log()
      .div(Math.log(maxDistance / maxExact))
      .mul(n - maxExact)
      .to('int64') // truncation toward zero, as .to(torch.long)
      .add(maxExact)
      .clamp(undefined, n - 1);
    const picked = where(isSmall, rel, large);
    return buckets === undefined ? picked : picked.add(buckets);
  });
}

export class T5Attention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly o: Linear;
  /** weight (numBuckets, nh), in the first block of a stack only. */
  readonly relativeAttentionBias: Embedding | undefined;
  readonly dropout: Dropout;
  readonly numHeads: number;
  readonly dKv: number;
  /** Encoder self-attention or cross-attention (bidirectional buckets), not the decoder's causal self-attention. */
  readonly bidirectional: boolean;
  private readonly numBuckets: number;
  private readonly maxDistance: number;

  /**
   * @param hasRelativeBias whether this layer owns the stack's relative position table.
   * @param causal decoder self-attention (causal buckets) rather than encoder or cross-attention.
   * Initialised as Hugging Face's `_init_weights`: q ~ N(0, f²/(H·d_kv)), k, v ~ N(0, f²/H), o ~ N(0, f²/(nh·d_kv)), table ~ N(0, f²/H).
   */
  constructor(c: T5Config, hasRelativeBias: boolean, causal: boolean, o: ParamOptions = {}) {
    super();
    const H = c.hiddenSize;
    const inner = c.numAttentionHeads * c.dKv;
    const f = c.initializerRange;
    const lin = (i: number, out: number, std: number) => new Linear(i, out, { ...o, bias: false, initStd: std });
    this.numHeads = c.numAttentionHeads;
    this.dKv = c.dKv;
    this.q = this.registerModule('q', lin(H, inner, f * (H * c.dKv) ** -0.5));
    this.k = this.registerModule('k', lin(H, inner, f * H ** -0.5));
    this.v = this.registerModule('v', lin(H, inner, f * H ** -0.5));
    this.o = this.registerModule('o', lin(inner, H, f * inner ** -0.5));
    this.relativeAttentionBias = hasRelativeBias
      ? this.registerModule(
          'relative_attention_bias',
          new Embedding(c.relativeAttentionNumBuckets, c.numAttentionHeads, { ...o, initStd: f * H ** -0.5 }),
        )
      : undefined;
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
    this.bidirectional = !causal;
    this.numBuckets = c.relativeAttentionNumBuckets;
    this.maxDistance = c.relativeAttentionMaxDistance;
  }

  /**
   * The relative position bias of queries at positions P … P+T−1 over keys 0 … S−1 (Hugging Face
   * `compute_bias` with its rows for the new tokens only).
   * @returns (1, nh, T, S) in the table's dtype.
   * @throws Error when this layer has no table (only a stack's first block has one).
   */
  positionBias(T: number, S: number, P = 0): Tensor {
    const table = this.relativeAttentionBias;
    if (table === undefined)
      throw new ConfigError('T5Attention.positionBias: only the first block of a stack holds the relative position table');
    return tidy(() => {
      const context = arange(P, P + T).view([T, 1]);
      const memory = arange(S).view([1, S]);
      const buckets = relativePositionBucket(memory.sub(context), this.bidirectional, this.numBuckets, this.maxDistance); // (T, S)
      return table.forward(buckets).permute([2, 0, 1]).unsqueeze(0); // (1, nh, T, S)
    });
  }

  /** (B, L, nh·d_kv) → (B, nh, L, d_kv) */
  private heads(t: Tensor): Tensor {
    const [B, L] = t.shape as [number, number];
    return t.view([B, L, this.numHeads, this.dKv]).transpose(1, 2);
  }

  /** Keys and values of `source` (B, S, H): (B, nh, S, d_kv) each. */
  keyValues(source: Tensor): KeyValues {
    return { key: this.heads(this.k.forward(source)), value: this.heads(this.v.forward(source)) };
  }

  /**
   * softmax(q·kᵀ + bias)·v, projected by o.
   * @param x (B, T, H) queries' hidden states.
   * @param keyValues (B, nh, S, d_kv) keys and values (of x itself, of cached and new tokens, or of the encoder).
   * @param bias (B or 1, nh or 1, T, S): position bias plus mask bias, or undefined (cross-attention over
   *   an encoder without padding: nothing to add).
   * @param probe hand the probabilities to an open attention recording (the encoder's self-attention).
   * @returns (B, T, H).
   */
  attend(x: Tensor, keyValues: KeyValues, bias: Tensor | undefined, probe = false): Tensor {
    return tidy(() => {
      const q = this.heads(this.q.forward(x)); // (B, nh, T, d_kv), no 1/√d_kv
      return this.o.forward(attendHeads(q, keyValues, bias, (p) => this.dropout.forward(p), probe));
    });
  }
}
