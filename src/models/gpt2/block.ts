/**
 * One GPT-2 block, pre-LayerNorm (Radford et al., 2019, §2.3: "layer normalization was moved to the
 * input of each sub-block"; Hugging Face `GPT2Block`, `GPT2Attention`, `GPT2MLP`, `Conv1D`):
 *   x → x + Attention(LN₁(x)) → · + MLP(LN₂(·)), under the names `ln_1`, `attn.c_attn`, `attn.c_proj`,
 *   `ln_2`, `mlp.c_fc`, `mlp.c_proj`.
 */
import { tidy, type Tensor } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import type { ParamOptions } from '../../nn/init.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Module } from '../../nn/module.js';
import { Conv1D } from '../../nn/conv1d.js';
import type { KeyValueCache } from '../../generate/cache.js';
import type { BackboneLayer, ResidualBranch } from '../backbone.js';
import { ACTIVATIONS } from '../bert/layer.js';
import { attend } from '../causal.js';
import type { Gpt2Config } from './config.js';

/** Causal self-attention with a fused q/k/v projection (`c_attn`, (H, 3H)) and an output projection (`c_proj`). */
export class Gpt2Attention extends Module {
  readonly cAttn: Conv1D;
  readonly cProj: Conv1D;
  readonly attnDropout: Dropout;
  readonly residDropout: Dropout;
  private readonly numHeads: number;

  constructor(
    c: Gpt2Config,
    private readonly layerIndex: number,
    o: ParamOptions = {},
  ) {
    super();
    const H = c.hiddenSize;
    this.cAttn = this.registerModule('c_attn', new Conv1D(H, 3 * H, c.initializerRange, o));
    // GPT-2 scales the residual projections' init by 1/√(2·layers) (Radford et al., 2019, §2.3)
    this.cProj = this.registerModule('c_proj', new Conv1D(H, H, c.initializerRange / Math.sqrt(2 * c.numHiddenLayers), o));
    this.attnDropout = this.registerModule('attn_dropout', new Dropout(c.attentionProbsDropoutProb));
    this.residDropout = this.registerModule('resid_dropout', new Dropout(c.hiddenDropoutProb));
    this.numHeads = c.numAttentionHeads;
  }

  /**
   * x (B, T, H), bias (B or 1, 1, T, P + T) from `causalBias`, cache holding P earlier tokens or
   * undefined → (B, T, H). The new tokens' keys and values are appended to the cache.
   */
  forward(x: Tensor, bias: Tensor, cache?: KeyValueCache): Tensor {
    return tidy(() => {
      const [B, T, H] = x.shape as [number, number, number];
      const nh = this.numHeads;
      const heads = (t: Tensor) => t.view([B, T, nh, H / nh]).transpose(1, 2); // (B, nh, T, hs)
      const [q, k, v] = this.cAttn.forward(x).split(H, 2) as [Tensor, Tensor, Tensor];
      const kv = { key: heads(k), value: heads(v) }; // (B, nh, T, hs) each
      const past = cache?.update(this.layerIndex, kv.key, kv.value) ?? kv; // (B, nh, P + T, hs)
      const context = attend(heads(q), past.key, past.value, bias, (p) => this.attnDropout.forward(p)); // (B, T, H)
      return this.residDropout.forward(this.cProj.forward(context));
    });
  }
}

/** The feed-forward block: `c_fc` (H → intermediate), activation (gelu_new), `c_proj` (intermediate → H), dropout. */
export class Gpt2Mlp extends Module {
  readonly cFc: Conv1D;
  readonly cProj: Conv1D;
  readonly dropout: Dropout;
  private readonly act: (x: Tensor) => Tensor;

  constructor(c: Gpt2Config, o: ParamOptions = {}) {
    super();
    this.cFc = this.registerModule('c_fc', new Conv1D(c.hiddenSize, c.intermediateSize, c.initializerRange, o));
    this.cProj = this.registerModule(
      'c_proj',
      new Conv1D(c.intermediateSize, c.hiddenSize, c.initializerRange / Math.sqrt(2 * c.numHiddenLayers), o),
    );
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
    this.act = ACTIVATIONS[c.hiddenAct];
  }

  /** (B, T, H) → (B, T, H) */
  forward(x: Tensor): Tensor {
    return tidy(() => this.dropout.forward(this.cProj.forward(this.act(this.cFc.forward(x)))));
  }
}

export class Gpt2Block extends Module implements BackboneLayer {
  readonly ln1: LayerNorm;
  readonly attn: Gpt2Attention;
  readonly ln2: LayerNorm;
  readonly mlp: Gpt2Mlp;

  constructor(c: Gpt2Config, layerIndex: number, o: ParamOptions = {}) {
    super();
    this.ln1 = this.registerModule('ln_1', new LayerNorm(c.hiddenSize, c.layerNormEps, o));
    this.attn = this.registerModule('attn', new Gpt2Attention(c, layerIndex, o));
    this.ln2 = this.registerModule('ln_2', new LayerNorm(c.hiddenSize, c.layerNormEps, o));
    this.mlp = this.registerModule('mlp', new Gpt2Mlp(c, o));
  }

  /** The residual branches end at the attention's `resid_dropout` and the MLP's `dropout`, before the residual adds. */
  residualBranches(): { attention: ResidualBranch; feedForward: ResidualBranch } {
    return {
      attention: { block: this.attn, branchEnd: this.attn.residDropout, projection: this.attn.cProj },
      feedForward: { block: this.mlp, branchEnd: this.mlp.dropout, projection: this.mlp.cProj },
    };
  }

  /** x (B, T, H), bias (B or 1, 1, T, P + T), cache or undefined → (B, T, H) */
  forward(x: Tensor, bias: Tensor, cache?: KeyValueCache): Tensor {
    return tidy(() => {
      const a = this.attn.forward(this.ln1.forward(x), bias, cache).add_(x);
      return this.mlp.forward(this.ln2.forward(a)).add_(a);
    });
  }
}
