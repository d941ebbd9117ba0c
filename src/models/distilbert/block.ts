/**
 * DistilBERT's transformer block (Sanh et al., 2019; Hugging Face `MultiHeadSelfAttention`, `FFN`,
 * `TransformerBlock`): post-LN as BERT's, x → LN(x + out_lin(Attention(x))) → LN(· + lin2(act(lin1(·)))),
 * under DistilBERT's names (`attention.q_lin`, `sa_layer_norm`, `ffn.lin1`, `output_layer_norm`).
 */
import { baddbmm, bmm, softmax, tidy, type Tensor } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import type { ParamOptions } from '../../nn/init.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { addResidual } from '../../nn/residual.js';
import type { BackboneLayer, ResidualBranch } from '../backbone.js';
import { ACTIVATIONS } from '../bert/layer.js';
import type { DistilBertConfig } from './config.js';
import { probeAttention } from '../attention-probe.js';

/** Multi-head self-attention (Vaswani et al., NeurIPS 2017, §3.2) with its output projection `out_lin`. */
export class MultiHeadSelfAttention extends Module {
  readonly qLin: Linear;
  readonly kLin: Linear;
  readonly vLin: Linear;
  readonly outLin: Linear;
  readonly dropout: Dropout;
  readonly numHeads: number;

  constructor(c: DistilBertConfig, o: ParamOptions = {}) {
    super();
    const H = c.hiddenSize;
    const init = { ...o, initStd: c.initializerRange };
    this.numHeads = c.numAttentionHeads;
    this.qLin = this.registerModule('q_lin', new Linear(H, H, init));
    this.kLin = this.registerModule('k_lin', new Linear(H, H, init));
    this.vLin = this.registerModule('v_lin', new Linear(H, H, init));
    this.outLin = this.registerModule('out_lin', new Linear(H, H, init));
    this.dropout = this.registerModule('dropout', new Dropout(c.attentionProbsDropoutProb));
  }

  /**
   * x (B, T, H), bias (B·nh, 1, T) from BERT's `attentionBias` (the dtype's lowest value on padding,
   * as DistilBERT's masked_fill) or undefined → out_lin(context) (B, T, H).
   */
  forward(x: Tensor, bias?: Tensor): Tensor {
    const [B, T, H] = x.shape as [number, number, number];
    const nh = this.numHeads;
    const hs = H / nh;
    const heads = (t: Tensor) =>
      t
        .view([B, T, nh, hs])
        .transpose(1, 2)
        .reshape([B * nh, T, hs]); // (B·nh, T, hs)
    const context = tidy(() => {
      const q = heads(this.qLin.forward(x)).mul(1 / Math.sqrt(hs)); // scaled before the product, as DistilBERT
      const kT = heads(this.kLin.forward(x)).transpose(1, 2); // (B·nh, hs, T)
      const v = heads(this.vLin.forward(x));
      const scores = bias === undefined ? bmm(q, kT) : baddbmm(bias, q, kT); // (B·nh, T, T)
      const probs = this.dropout.forward(probeAttention(softmax(scores, -1), B));
      return bmm(probs, v).view([B, nh, T, hs]).transpose(1, 2).reshape([B, T, H]);
    });
    const out = this.outLin.forward(context); // (B, T, H)
    context.dispose();
    return out;
  }
}

/** The feed-forward block: lin1 (H → hidden_dim), activation, lin2 (→ H), dropout. */
export class FFN extends Module {
  readonly lin1: Linear;
  readonly lin2: Linear;
  readonly dropout: Dropout;
  private readonly act: (x: Tensor) => Tensor;

  constructor(c: DistilBertConfig, o: ParamOptions = {}) {
    super();
    const init = { ...o, initStd: c.initializerRange };
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
    this.lin1 = this.registerModule('lin1', new Linear(c.hiddenSize, c.intermediateSize, init));
    this.lin2 = this.registerModule('lin2', new Linear(c.intermediateSize, c.hiddenSize, init));
    this.act = ACTIVATIONS[c.hiddenAct];
  }

  /** (B, T, H) → (B, T, H) */
  forward(x: Tensor): Tensor {
    return tidy(() => this.dropout.forward(this.lin2.forward(this.act(this.lin1.forward(x)))));
  }
}

export class TransformerBlock extends Module implements BackboneLayer {
  readonly attention: MultiHeadSelfAttention;
  readonly saLayerNorm: LayerNorm;
  readonly ffn: FFN;
  readonly outputLayerNorm: LayerNorm;

  constructor(c: DistilBertConfig, o: ParamOptions = {}) {
    super();
    this.attention = this.registerModule('attention', new MultiHeadSelfAttention(c, o));
    this.saLayerNorm = this.registerModule('sa_layer_norm', new LayerNorm(c.hiddenSize, c.layerNormEps, o));
    this.ffn = this.registerModule('ffn', new FFN(c, o));
    this.outputLayerNorm = this.registerModule('output_layer_norm', new LayerNorm(c.hiddenSize, c.layerNormEps, o));
  }

  /**
   * The residual branches: attention ends at `out_lin` (DistilBERT has no dropout after it), the
   * feed-forward block at its dropout after `lin2`.
   */
  residualBranches(): { attention: ResidualBranch; feedForward: ResidualBranch } {
    return {
      attention: { block: this.attention, branchEnd: this.attention.outLin, projection: this.attention.outLin },
      feedForward: { block: this.ffn, branchEnd: this.ffn.dropout, projection: this.ffn.lin2 },
    };
  }

  /** x (B, T, H), bias (B·nh, 1, T) or undefined → (B, T, H) */
  forward(x: Tensor, bias?: Tensor): Tensor {
    return tidy(() => {
      const a = this.saLayerNorm.forward(addResidual(this.attention.forward(x, bias), x)); // (B, T, H)
      return this.outputLayerNorm.forward(addResidual(this.ffn.forward(a), a));
    });
  }
}
