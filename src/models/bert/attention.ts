/**
 * Multi-head self-attention of BERT (Vaswani et al., NeurIPS 2017, §3.2; Hugging Face
 * `BertSelfAttention` (eager), `BertSelfOutput`, `BertAttention`), with post-LayerNorm residual.
 */
import { ShapeError } from '../../errors.js';
import { asStrided, baddbmm, bmm, noGrad, softmax, tidy, type DType, type Tensor } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import { normalInit, zerosInit, type ParamOptions } from '../../nn/init.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { addResidual } from '../../nn/residual.js';
import type { BertConfig } from './config.js';
import { probeAttention } from '../attention-probe.js';

/** Largest finite value per floating dtype (torch.finfo(dtype).max). */
const FLOAT_MAX: Partial<Record<DType, number>> = {
  float16: 65504,
  bfloat16: 3.3895313892515355e38,
  float32: 3.4028234663852886e38,
  float64: Number.MAX_VALUE,
};

/**
 * The additive attention bias of a padding mask, built once per forward and shared by all layers:
 * 0 where a key may be attended, the dtype's lowest finite value where not (as Hugging Face), so a
 * masked key's probability is exactly 0 and real tokens see the same numbers with or without padding.
 * @param attentionMask (B, T) 1 = attend, 0 = padding (any numeric or bool dtype).
 * @param numHeads nh.
 * @param dtype the dtype of the attention scores.
 * @returns (B·nh, 1, T), broadcast over the query dimension.
 */
export function attentionBias(attentionMask: Tensor, numHeads: number, dtype: DType): Tensor {
  const max = FLOAT_MAX[dtype];
  if (max === undefined) throw new ShapeError(`attention needs floating hidden states, got ${dtype}`);
  return tidy(() => {
    const [B, T] = attentionMask.shape as [number, number];
    const bias = attentionMask.to(dtype).sub(1).mul(max); // (1 − m)·min, (B, T)
    return bias
      .view([B, 1, 1, T])
      .expand([B, numHeads, 1, T])
      .reshape([B * numHeads, 1, T]);
  });
}

export class BertSelfAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly dropout: Dropout;
  readonly numHeads: number;

  /**
   * The q, k and v weights are the three (H, H) row blocks of one (3H, H) buffer, in this order, and
   * their biases the blocks of one (3H) buffer (as PyTorch's MultiheadAttention `in_proj_weight`), so
   * the fused inference kernel reads them stacked without a copy (`stackedQkv`). They stay three
   * parameters under their Hugging Face names; loading and optimisers update them in place, which
   * keeps the layout. Initialised as three separate N(0, initializerRange²) draws would be (same values).
   */
  constructor(c: BertConfig, o: ParamOptions = {}) {
    super();
    const H = c.hiddenSize;
    this.numHeads = c.numAttentionHeads;
    const weights = normalInit([3 * H, H], c.initializerRange, o); // (3H, H)
    const biases = zerosInit([3 * H], o); // (3H)
    const rows = (t: Tensor, i: number) => tidy(() => noGrad(() => t.narrow(0, i * H, H).detach())); // shares t's storage
    const projection = (i: number) => new Linear(H, H, { ...o, from: { weight: rows(weights, i), bias: rows(biases, i) } });
    this.query = this.registerModule('query', projection(0));
    this.key = this.registerModule('key', projection(1));
    this.value = this.registerModule('value', projection(2));
    weights.dispose(); // the parameters hold the buffers now
    biases.dispose();
    this.dropout = this.registerModule('dropout', new Dropout(c.attentionProbsDropoutProb));
  }

  /**
   * The q, k and v weights stacked, (3H, H), and their biases, (3H): views of the buffers the three
   * parameters live in (no copy). Owned by the caller or the enclosing tidy.
   */
  stackedQkv(): { weight: Tensor; bias: Tensor } {
    const H = this.query.outFeatures;
    return { weight: asStrided(this.query.weight, [3 * H, H], [H, 1], 0), bias: asStrided(this.query.bias as Tensor, [3 * H], [1], 0) };
  }

  /**
   * x (B, T, H), bias (B·nh, 1, T) from `attentionBias` or undefined (attend everywhere) → context (B, T, H).
   */
  forward(x: Tensor, bias?: Tensor): Tensor {
    const [B, T, H] = x.shape as [number, number, number];
    const nh = this.numHeads;
    const hs = H / nh;
    // (B, T, H) → (B·nh, T, hs): one copy per projection, the same that PyTorch's 4-d matmul makes
    const heads = (t: Tensor) =>
      t
        .view([B, T, nh, hs])
        .transpose(1, 2)
        .reshape([B * nh, T, hs]);
    // A scope of its own: without autograd (inference) q, k, v, scores and probabilities are freed
    // here, before the feed-forward block allocates, as Python's reference counting would.
    return tidy(() => {
      const q = heads(this.query.forward(x));
      const kT = heads(this.key.forward(x)).transpose(1, 2); // (B·nh, hs, T), a view: the GEMM reads it transposed
      const v = heads(this.value.forward(x));
      // scores = q·kᵀ/√hs + bias in one kernel, (B·nh, T, T)
      const scores = bias === undefined ? bmm(q, kT).mul(1 / Math.sqrt(hs)) : baddbmm(bias, q, kT, 1, 1 / Math.sqrt(hs));
      const probs = this.dropout.forward(probeAttention(softmax(scores, -1), B)); // (B·nh, T, T)
      const context = bmm(probs, v); // (B·nh, T, hs)
      return context.view([B, nh, T, hs]).transpose(1, 2).reshape([B, T, H]);
    });
  }
}

/** Output projection, dropout, residual and LayerNorm (Hugging Face `BertSelfOutput`). */
export class BertSelfOutput extends Module {
  readonly dense: Linear;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(c: BertConfig, o: ParamOptions = {}) {
    super();
    this.dense = this.registerModule('dense', new Linear(c.hiddenSize, c.hiddenSize, { ...o, initStd: c.initializerRange }));
    this.layerNorm = this.registerModule('LayerNorm', new LayerNorm(c.hiddenSize, c.layerNormEps, o));
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
  }

  /** context (B, T, H), residual (B, T, H) → (B, T, H) */
  forward(context: Tensor, residual: Tensor): Tensor {
    return tidy(() => {
      const h = this.dropout.forward(this.dense.forward(context)); // fresh, so the residual add may be in place
      return this.layerNorm.forward(addResidual(h, residual));
    });
  }
}

/** Self-attention plus its output block: `attention.self.*` and `attention.output.*`. */
export class BertAttention extends Module {
  readonly self: BertSelfAttention;
  readonly output: BertSelfOutput;

  constructor(c: BertConfig, o: ParamOptions = {}) {
    super();
    this.self = this.registerModule('self', new BertSelfAttention(c, o));
    this.output = this.registerModule('output', new BertSelfOutput(c, o));
  }

  /** x (B, T, H), bias (B·nh, 1, T) or undefined → (B, T, H) */
  forward(x: Tensor, bias?: Tensor): Tensor {
    const context = this.self.forward(x, bias);
    const out = this.output.forward(context, x);
    context.dispose(); // freed now without autograd; the graph keeps it otherwise
    return out;
  }
}
