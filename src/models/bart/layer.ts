/**
 * BART's attention and post-LN layers (Lewis et al., ACL 2020, after Vaswani et al., NeurIPS 2017;
 * Hugging Face `BartAttention`, `BartEncoderLayer`, `BartDecoderLayer`, shared by Marian):
 * x = LN(x + dropout(SelfAttn(x))); in the decoder x = LN(x + dropout(CrossAttn(x, encoder)));
 * x = LN(x + dropout(fc2(dropout(act(fc1(x)))))). Names: `self_attn.{q,k,v,out}_proj`,
 * `self_attn_layer_norm`, `encoder_attn…`, `encoder_attn_layer_norm`, `fc1`, `fc2`, `final_layer_norm`.
 */
import { ShapeError } from '../../errors.js';
import { gelu, relu, sigmoid, tidy, type Tensor } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import type { ParamOptions } from '../../nn/init.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import type { BackboneLayer, ResidualBranch } from '../backbone.js';
import { attendHeads, type AttentionCache, type CrossInputs, type KeyValues } from '../encoder-decoder.js';
import type { BartConfig } from './config.js';

const ACTIVATIONS: Readonly<Record<string, (x: Tensor) => Tensor>> = {
  gelu: (x) => gelu(x),
  gelu_new: (x) => gelu(x, 'tanh'),
  relu: (x) => relu(x),
  swish: (x) => x.mul(sigmoid(x)),
  silu: (x) => x.mul(sigmoid(x)),
};

/** Multi-head attention with biases; queries scaled by head_dim^-0.5 after their projection. */
export class BartAttention extends Module {
  readonly kProj: Linear;
  readonly vProj: Linear;
  readonly qProj: Linear;
  readonly outProj: Linear;
  readonly dropout: Dropout;
  readonly numHeads: number;
  readonly headDim: number;

  constructor(c: BartConfig, numHeads: number, o: ParamOptions = {}) {
    super();
    const H = c.hiddenSize;
    const init = { ...o, initStd: c.initializerRange };
    this.numHeads = numHeads;
    this.headDim = H / numHeads;
    this.kProj = this.registerModule('k_proj', new Linear(H, H, init));
    this.vProj = this.registerModule('v_proj', new Linear(H, H, init));
    this.qProj = this.registerModule('q_proj', new Linear(H, H, init));
    this.outProj = this.registerModule('out_proj', new Linear(H, H, init));
    this.dropout = this.registerModule('dropout', new Dropout(c.attentionDropout));
  }

  /** (B, L, H) → (B, nh, L, hd) */
  private heads(t: Tensor): Tensor {
    const [B, L] = t.shape as [number, number];
    return t.view([B, L, this.numHeads, this.headDim]).transpose(1, 2);
  }

  /** Keys and values of `source` (B, S, H): (B, nh, S, hd) each. */
  keyValues(source: Tensor): KeyValues {
    return { key: this.heads(this.kProj.forward(source)), value: this.heads(this.vProj.forward(source)) };
  }

  /** x (B, T, H) over keys/values (B, nh, S, hd) with bias (broadcast to (B, nh, T, S); undefined: none) → out_proj(context) (B, T, H). */
  attend(x: Tensor, keyValues: KeyValues, bias: Tensor | undefined): Tensor {
    return tidy(() => {
      const q = this.heads(this.qProj.forward(x).mul(this.headDim ** -0.5)); // (B, nh, T, hd)
      return this.outProj.forward(attendHeads(q, keyValues, bias, (p) => this.dropout.forward(p)));
    });
  }
}

/** One encoder or decoder layer (`encoder.layers.{i}` / `decoder.layers.{i}`). */
export class BartLayer extends Module implements BackboneLayer {
  readonly selfAttn: BartAttention;
  readonly selfAttnLayerNorm: LayerNorm;
  readonly encoderAttn: BartAttention | undefined;
  readonly encoderAttnLayerNorm: LayerNorm | undefined;
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly finalLayerNorm: LayerNorm;
  /** After self-attention, cross-attention and fc2 (Hugging Face applies one dropout function to all three). */
  readonly dropout: Dropout;
  /** After the feed-forward block's output (the adapter site; same probability as `dropout`). */
  readonly ffnDropout: Dropout;
  readonly activationDropout: Dropout;
  private readonly act: (x: Tensor) => Tensor;

  constructor(c: BartConfig, isDecoder: boolean, o: ParamOptions = {}) {
    super();
    const H = c.hiddenSize;
    const nh = isDecoder ? c.numDecoderAttentionHeads : c.numAttentionHeads;
    const ffn = isDecoder ? c.decoderFfnDim : c.intermediateSize;
    const init = { ...o, initStd: c.initializerRange };
    this.selfAttn = this.registerModule('self_attn', new BartAttention(c, nh, o));
    this.selfAttnLayerNorm = this.registerModule('self_attn_layer_norm', new LayerNorm(H, c.layerNormEps, o));
    this.encoderAttn = isDecoder ? this.registerModule('encoder_attn', new BartAttention(c, nh, o)) : undefined;
    this.encoderAttnLayerNorm = isDecoder ? this.registerModule('encoder_attn_layer_norm', new LayerNorm(H, c.layerNormEps, o)) : undefined;
    this.fc1 = this.registerModule('fc1', new Linear(H, ffn, init));
    this.fc2 = this.registerModule('fc2', new Linear(ffn, H, init));
    this.finalLayerNorm = this.registerModule('final_layer_norm', new LayerNorm(H, c.layerNormEps, o));
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
    this.ffnDropout = this.registerModule('ffn_dropout', new Dropout(c.hiddenDropoutProb));
    this.activationDropout = this.registerModule('activation_dropout', new Dropout(c.activationDropout));
    const act = ACTIVATIONS[c.hiddenAct];
    if (act === undefined) throw new ShapeError(`BART layer: no activation '${c.hiddenAct}'`);
    this.act = act;
  }

  /** Adapters go after self-attention's out_proj (its dropout) and after fc2 (its dropout). */
  residualBranches(): { attention: ResidualBranch; feedForward: ResidualBranch } {
    return {
      attention: { block: this.selfAttn, branchEnd: this.dropout, projection: this.selfAttn.outProj },
      feedForward: { block: this, branchEnd: this.ffnDropout, projection: this.fc2 },
    };
  }

  /**
   * x (B, T, H), selfBias (broadcast to (B, nh, T, P + T)), cross inputs in a decoder, the cache and this
   * layer's index → (B, T, H).
   */
  forward(x: Tensor, selfBias: Tensor, cross?: CrossInputs, cache?: AttentionCache, index = 0): Tensor {
    return tidy(() => {
      const fresh = this.selfAttn.keyValues(x);
      const kv = cache === undefined ? fresh : cache.update(index, fresh.key, fresh.value);
      let h = this.selfAttnLayerNorm.forward(x.add(this.dropout.forward(this.selfAttn.attend(x, kv, selfBias))));
      if (this.encoderAttn !== undefined) {
        if (cross === undefined) throw new ShapeError('BART decoder layer: needs the encoder hidden states (cross inputs)');
        const attn = this.encoderAttn;
        const compute = (): KeyValues => attn.keyValues(cross.encoder);
        const crossKv = cache === undefined ? compute() : cache.staticEntry(`bart.cross.${index}`, compute);
        h = this.encoderAttnLayerNorm!.forward(h.add(this.dropout.forward(attn.attend(h, crossKv, cross.bias))));
      }
      const ff = this.ffnDropout.forward(this.fc2.forward(this.activationDropout.forward(this.act(this.fc1.forward(h)))));
      return this.finalLayerNorm.forward(h.add(ff));
    });
  }
}
