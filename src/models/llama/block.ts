/**
 * One Llama decoder layer (Touvron et al., 2023, §2.2: pre-normalisation with RMSNorm, SwiGLU, rotary
 * embeddings; Hugging Face `LlamaDecoderLayer`, `LlamaAttention`, `LlamaMLP`, `LlamaRMSNorm`):
 *   x → x + Attention(RMSNorm(x)) → · + MLP(RMSNorm(·)), under the names `input_layernorm`,
 *   `self_attn.{q,k,v,o}_proj`, `post_attention_layernorm`, `mlp.{gate,up,down}_proj`.
 */
import { Dropout } from '../../nn/dropout.js';
import type { ParamOptions } from '../../nn/init.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { sigmoid, tidy, type Tensor } from '../../tensor/index.js';
import type { KeyValueCache } from '../../generate/cache.js';
import type { BackboneLayer, ResidualBranch } from '../backbone.js';
import { attend } from '../causal.js';
import { applyRotary } from '../rotary.js';
import { RMSNorm } from '../../nn/rms-norm.js';
import type { LlamaConfig } from './config.js';

/** Rotated positions of a forward: cos and sin (B or 1, 1, T, hs) from `rotaryAngles`. */
export interface Rotary {
  readonly cos: Tensor;
  readonly sin: Tensor;
}

/**
 * Causal self-attention with rotary q and k and grouped key/value heads (`q_proj` (nh·hs, H),
 * `k_proj`/`v_proj` (nkv·hs, H), `o_proj`); biases on all four (`attentionBias`) or on q, k, v (`qkvBias`, Qwen2).
 */
export class LlamaAttention extends Module {
  readonly qProj: Linear;
  readonly kProj: Linear;
  readonly vProj: Linear;
  readonly oProj: Linear;
  readonly attnDropout: Dropout;
  private readonly numHeads: number;
  private readonly numKeyValueHeads: number;

  constructor(
    c: LlamaConfig,
    private readonly layerIndex: number,
    o: ParamOptions = {},
  ) {
    super();
    const H = c.hiddenSize;
    const hs = H / c.numAttentionHeads;
    const lin = (i: number, out: number, bias: boolean) => new Linear(i, out, { ...o, bias, initStd: c.initializerRange });
    const qkvBias = c.attentionBias || c.qkvBias;
    this.numHeads = c.numAttentionHeads;
    this.numKeyValueHeads = c.numKeyValueHeads;
    this.qProj = this.registerModule('q_proj', lin(H, c.numAttentionHeads * hs, qkvBias));
    this.kProj = this.registerModule('k_proj', lin(H, c.numKeyValueHeads * hs, qkvBias));
    this.vProj = this.registerModule('v_proj', lin(H, c.numKeyValueHeads * hs, qkvBias));
    this.oProj = this.registerModule('o_proj', lin(c.numAttentionHeads * hs, H, c.attentionBias));
    this.attnDropout = this.registerModule('attn_dropout', new Dropout(c.attentionProbsDropoutProb));
  }

  /** x (B, T, H), bias (B or 1, 1, T, P + T), rotary of the new tokens, cache of P tokens or undefined → (B, T, H) */
  forward(x: Tensor, bias: Tensor, rotary: Rotary, cache?: KeyValueCache): Tensor {
    return tidy(() => {
      const [B, T, H] = x.shape as [number, number, number];
      const hs = H / this.numHeads;
      const heads = (t: Tensor, n: number) => t.view([B, T, n, hs]).transpose(1, 2); // (B, n, T, hs)
      const q = applyRotary(heads(this.qProj.forward(x), this.numHeads), rotary.cos, rotary.sin);
      const k = applyRotary(heads(this.kProj.forward(x), this.numKeyValueHeads), rotary.cos, rotary.sin);
      const v = heads(this.vProj.forward(x), this.numKeyValueHeads);
      const past = cache?.update(this.layerIndex, k, v) ?? { key: k, value: v }; // (B, nkv, P + T, hs)
      return this.oProj.forward(attend(q, past.key, past.value, bias, (p) => this.attnDropout.forward(p)));
    });
  }
}

/** SwiGLU feed-forward (Shazeer, 2020, "GLU Variants Improve Transformer", eq. 6): down(silu(gate(x)) · up(x)). */
export class LlamaMlp extends Module {
  readonly gateProj: Linear;
  readonly upProj: Linear;
  readonly downProj: Linear;

  constructor(c: LlamaConfig, o: ParamOptions = {}) {
    super();
    const lin = (i: number, out: number) => new Linear(i, out, { ...o, bias: c.mlpBias, initStd: c.initializerRange });
    this.gateProj = this.registerModule('gate_proj', lin(c.hiddenSize, c.intermediateSize));
    this.upProj = this.registerModule('up_proj', lin(c.hiddenSize, c.intermediateSize));
    this.downProj = this.registerModule('down_proj', lin(c.intermediateSize, c.hiddenSize));
  }

  /** (B, T, H) → (B, T, H) */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const g = this.gateProj.forward(x);
      return this.downProj.forward(g.mul(sigmoid(g)).mul(this.upProj.forward(x))); // silu(g) = g·σ(g)
    });
  }
}

export class LlamaDecoderLayer extends Module implements BackboneLayer {
  readonly selfAttn: LlamaAttention;
  readonly mlp: LlamaMlp;
  readonly inputLayernorm: RMSNorm;
  readonly postAttentionLayernorm: RMSNorm;

  constructor(c: LlamaConfig, layerIndex: number, o: ParamOptions = {}) {
    super();
    this.selfAttn = this.registerModule('self_attn', new LlamaAttention(c, layerIndex, o));
    this.mlp = this.registerModule('mlp', new LlamaMlp(c, o));
    this.inputLayernorm = this.registerModule('input_layernorm', new RMSNorm(c.hiddenSize, c.layerNormEps, o));
    this.postAttentionLayernorm = this.registerModule('post_attention_layernorm', new RMSNorm(c.hiddenSize, c.layerNormEps, o));
  }

  /** Llama has no residual dropout: each branch ends at its output projection (`o_proj`, `down_proj`). */
  residualBranches(): { attention: ResidualBranch; feedForward: ResidualBranch } {
    return {
      attention: { block: this.selfAttn, branchEnd: this.selfAttn.oProj, projection: this.selfAttn.oProj },
      feedForward: { block: this.mlp, branchEnd: this.mlp.downProj, projection: this.mlp.downProj },
    };
  }

  /** x (B, T, H), bias (B or 1, 1, T, P + T), rotary, cache or undefined → (B, T, H) */
  forward(x: Tensor, bias: Tensor, rotary: Rotary, cache?: KeyValueCache): Tensor {
    return tidy(() => {
      const a = this.selfAttn.forward(this.inputLayernorm.forward(x), bias, rotary, cache).add_(x);
      return this.mlp.forward(this.postAttentionLayernorm.forward(a)).add_(a);
    });
  }
}
