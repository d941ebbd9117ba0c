/**
 * One BERT transformer layer, post-LN (Devlin et al., NAACL 2019; Hugging Face `BertLayer`,
 * `BertIntermediate`, `BertOutput`): x → LN(x + Attention(x)) → LN(· + W₂·act(W₁·)).
 */
import { gelu, relu, tidy, type Tensor } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import type { ParamOptions } from '../../nn/init.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { addResidual } from '../../nn/residual.js';
import { BertAttention } from './attention.js';
import type { BertConfig, HiddenAct } from './config.js';
import type { BackboneLayer, ResidualBranch } from '../backbone.js';

/** The activation of each `hiddenAct`, by Hugging Face's names (shared by the families built on BERT's parts). */
export const ACTIVATIONS: Readonly<Record<HiddenAct, (x: Tensor) => Tensor>> = {
  gelu: (x) => gelu(x), // exact, x·Φ(x)
  gelu_new: (x) => gelu(x, 'tanh'),
  gelu_pytorch_tanh: (x) => gelu(x, 'tanh'),
  relu: (x) => relu(x),
};

/** The feed-forward expansion: dense (H → intermediate) and the activation. */
export class BertIntermediate extends Module {
  readonly dense: Linear;
  private readonly act: (x: Tensor) => Tensor;

  constructor(c: BertConfig, o: ParamOptions = {}) {
    super();
    this.dense = this.registerModule('dense', new Linear(c.hiddenSize, c.intermediateSize, { ...o, initStd: c.initializerRange }));
    this.act = ACTIVATIONS[c.hiddenAct];
  }

  /** (B, T, H) → (B, T, intermediate) */
  forward(x: Tensor): Tensor {
    return tidy(() => this.act(this.dense.forward(x))); // the pre-activation is freed here without autograd
  }
}

/** The feed-forward contraction (intermediate → H), dropout, residual and LayerNorm. */
export class BertOutput extends Module {
  readonly dense: Linear;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(c: BertConfig, o: ParamOptions = {}) {
    super();
    this.dense = this.registerModule('dense', new Linear(c.intermediateSize, c.hiddenSize, { ...o, initStd: c.initializerRange }));
    this.layerNorm = this.registerModule('LayerNorm', new LayerNorm(c.hiddenSize, c.layerNormEps, o));
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
  }

  /** h (B, T, intermediate), residual (B, T, H) → (B, T, H) */
  forward(h: Tensor, residual: Tensor): Tensor {
    return tidy(() => {
      const y = this.dropout.forward(this.dense.forward(h)); // fresh, so the residual add may be in place
      return this.layerNorm.forward(addResidual(y, residual));
    });
  }
}

/** An output block: dense, dropout, residual add and LayerNorm (`BertSelfOutput`, `BertOutput`). */
type BertSelfOutputLike = Module & { readonly dense: Linear; readonly dropout: Dropout };

export class BertLayer extends Module implements BackboneLayer {
  readonly attention: BertAttention;
  readonly intermediate: BertIntermediate;
  readonly output: BertOutput;
  readonly hiddenAct: HiddenAct;

  constructor(c: BertConfig, o: ParamOptions = {}) {
    super();
    this.hiddenAct = c.hiddenAct;
    this.attention = this.registerModule('attention', new BertAttention(c, o));
    this.intermediate = this.registerModule('intermediate', new BertIntermediate(c, o));
    this.output = this.registerModule('output', new BertOutput(c, o));
  }

  /**
   * The residual branches: `attention.output` and `output` compute LN(dropout(dense(x)) + residual),
   * so each block's dropout ends its branch.
   */
  residualBranches(): { attention: ResidualBranch; feedForward: ResidualBranch } {
    const branch = (block: BertSelfOutputLike): ResidualBranch => ({ block, branchEnd: block.dropout, projection: block.dense });
    return { attention: branch(this.attention.output), feedForward: branch(this.output) };
  }

  /**
   * x (B, T, H), bias (B·nh, 1, T) from `attentionBias` or undefined → (B, T, H). Every intermediate
   * handle is freed on return (autograd keeps what backward needs).
   */
  forward(x: Tensor, bias?: Tensor): Tensor {
    return tidy(() => {
      const a = this.attention.forward(x, bias);
      const h = this.intermediate.forward(a); // (B, T, intermediate)
      const out = this.output.forward(h, a);
      h.dispose(); // without autograd its memory goes now (with autograd the graph keeps what backward needs)
      return out;
    });
  }
}

/**
 * `step(layer, h)` for each layer in turn, starting from `x`, freeing each intermediate as soon as the
 * next layer has read it (never `x`, which the caller owns).
 * @returns the last layer's output (`x` itself when there is no layer).
 */
export function applyInTurn<L>(layers: Iterable<L>, x: Tensor, step: (layer: L, h: Tensor) => Tensor): Tensor {
  let h = x;
  for (const layer of layers) {
    const next = step(layer, h);
    if (h !== x) h.dispose();
    h = next;
  }
  return h;
}
