/**
 * T5's pre-norm residual layers and blocks (Raffel et al., JMLR 2020, §2.1; Hugging Face
 * `T5LayerSelfAttention`, `T5LayerCrossAttention`, `T5LayerFF`, `T5DenseActDense`,
 * `T5DenseGatedActDense`, `T5Block`): x + dropout(sublayer(RMSNorm(x))) for self-attention, then (in
 * the decoder) cross-attention over the encoder states, then the feed-forward block; under Hugging
 * Face's names `layer.{0,1,2}.{SelfAttention,EncDecAttention,DenseReluDense}`, `layer.N.layer_norm`.
 */
import { ConfigError, ShapeError } from '../../errors.js';
import { gelu, relu, sigmoid, tidy, type Tensor } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import type { ParamOptions } from '../../nn/init.js';
import { Linear } from '../../nn/linear.js';
import { Module, ModuleList } from '../../nn/module.js';
import { RMSNorm } from '../../nn/rms-norm.js';
import type { BackboneLayer, ResidualBranch } from '../backbone.js';
import type { AttentionCache, CrossInputs, KeyValues } from '../encoder-decoder.js';
import { T5Attention } from './attention.js';
import type { T5Config } from './config.js';

const ACTIVATIONS: Readonly<Record<string, (x: Tensor) => Tensor>> = {
  relu: (x) => relu(x),
  gelu: (x) => gelu(x),
  gelu_new: (x) => gelu(x, 'tanh'),
  silu: (x) => x.mul(sigmoid(x)),
};

/**
 * The feed-forward block `DenseReluDense`: wo(dropout(act(wi(x)))), or gated (Shazeer, "GLU Variants
 * Improve Transformer", 2020; T5 v1.1): wo(dropout(act(wi_0(x))·wi_1(x))). No biases.
 */
export class T5DenseReluDense extends Module {
  readonly wi: Linear | undefined;
  readonly wi0: Linear | undefined;
  readonly wi1: Linear | undefined;
  readonly wo: Linear;
  readonly dropout: Dropout;
  private readonly act: (x: Tensor) => Tensor;

  constructor(c: T5Config, o: ParamOptions = {}) {
    super();
    const H = c.hiddenSize;
    const f = c.initializerRange;
    const lin = (i: number, out: number) => new Linear(i, out, { ...o, bias: false, initStd: f * i ** -0.5 });
    const gated = c.feedForwardProj.startsWith('gated-');
    this.wi = gated ? undefined : this.registerModule('wi', lin(H, c.intermediateSize));
    this.wi0 = gated ? this.registerModule('wi_0', lin(H, c.intermediateSize)) : undefined;
    this.wi1 = gated ? this.registerModule('wi_1', lin(H, c.intermediateSize)) : undefined;
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
    this.wo = this.registerModule('wo', lin(c.intermediateSize, H));
    const act = ACTIVATIONS[c.hiddenAct];
    if (act === undefined) throw new ConfigError(`T5 feed-forward: no activation '${c.hiddenAct}'; expected relu, gelu, gelu_new or silu`);
    this.act = act;
  }

  /** (B, T, H) → (B, T, H) */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const h = this.wi !== undefined ? this.act(this.wi.forward(x)) : this.act(this.wi0!.forward(x)).mul(this.wi1!.forward(x)); // (B, T, d_ff)
      return this.wo.forward(this.dropout.forward(h));
    });
  }
}

/** A residual sub-layer: its RMSNorm (`layer_norm`), the sub-layer, and the dropout before the add. */
abstract class T5Residual extends Module {
  readonly layerNorm: RMSNorm;
  readonly dropout: Dropout;

  constructor(c: T5Config, o: ParamOptions) {
    super();
    this.layerNorm = this.registerModule('layer_norm', new RMSNorm(c.hiddenSize, c.layerNormEps, o));
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
  }
}

/** `layer.0`: self-attention, x + dropout(SelfAttention(RMSNorm(x))). */
export class T5LayerSelfAttention extends T5Residual {
  readonly selfAttention: T5Attention;

  constructor(c: T5Config, hasRelativeBias: boolean, causal: boolean, o: ParamOptions = {}) {
    super(c, o);
    this.selfAttention = this.registerModule('SelfAttention', new T5Attention(c, hasRelativeBias, causal, o));
  }

  /**
   * x (B, T, H), bias (B or 1, nh or 1, T, P + T) → (B, T, H). With a cache, the new tokens' keys and
   * values are appended to layer `layerIndex`'s and attention reads all P + T.
   */
  forward(x: Tensor, bias: Tensor, cache?: AttentionCache, layerIndex = 0): Tensor {
    return tidy(() => {
      const normed = this.layerNorm.forward(x);
      const fresh = this.selfAttention.keyValues(normed);
      const kv = cache === undefined ? fresh : cache.update(layerIndex, fresh.key, fresh.value);
      // the encoder's self-attention (bidirectional) is what attention rollout reads
      return x.add(this.dropout.forward(this.selfAttention.attend(normed, kv, bias, this.selfAttention.bidirectional)));
    });
  }
}

/** `layer.1` of a decoder block: cross-attention over the encoder states, no position bias. */
export class T5LayerCrossAttention extends T5Residual {
  readonly encDecAttention: T5Attention;

  constructor(c: T5Config, o: ParamOptions = {}) {
    super(c, o);
    this.encDecAttention = this.registerModule('EncDecAttention', new T5Attention(c, false, false, o));
  }

  /**
   * x (B, T, H), encoder (B, S, H), bias (B, 1, 1, S) from the encoder mask (undefined: none) → (B, T, H). With a cache,
   * the encoder's keys and values are computed at the first step and reused (entry `cross.<layer>`).
   */
  forward(x: Tensor, encoder: Tensor, bias: Tensor | undefined, cache?: AttentionCache, layerIndex = 0): Tensor {
    return tidy(() => {
      const compute = (): KeyValues => this.encDecAttention.keyValues(encoder);
      const kv = cache === undefined ? compute() : cache.staticEntry(`t5.cross.${layerIndex}`, compute);
      return x.add(this.dropout.forward(this.encDecAttention.attend(this.layerNorm.forward(x), kv, bias)));
    });
  }
}

/** The last layer of a block: x + dropout(DenseReluDense(RMSNorm(x))). */
export class T5LayerFF extends T5Residual {
  readonly denseReluDense: T5DenseReluDense;

  constructor(c: T5Config, o: ParamOptions = {}) {
    super(c, o);
    this.denseReluDense = this.registerModule('DenseReluDense', new T5DenseReluDense(c, o));
  }

  /** (B, T, H) → (B, T, H) */
  forward(x: Tensor): Tensor {
    return tidy(() => x.add(this.dropout.forward(this.denseReluDense.forward(this.layerNorm.forward(x)))));
  }
}

/** `block.{i}`: `layer` = [self-attention, (cross-attention,) feed-forward]. */
export class T5Block extends Module implements BackboneLayer {
  readonly layer: ModuleList<Module>;
  readonly self: T5LayerSelfAttention;
  readonly cross: T5LayerCrossAttention | undefined;
  readonly ff: T5LayerFF;

  /** @param hasRelativeBias the stack's first block holds the relative position table. */
  constructor(c: T5Config, hasRelativeBias: boolean, isDecoder: boolean, o: ParamOptions = {}) {
    super();
    this.self = new T5LayerSelfAttention(c, hasRelativeBias, isDecoder, o);
    this.cross = isDecoder ? new T5LayerCrossAttention(c, o) : undefined;
    this.ff = new T5LayerFF(c, o);
    const layers: Module[] = this.cross === undefined ? [this.self, this.ff] : [this.self, this.cross, this.ff];
    this.layer = this.registerModule('layer', new ModuleList(layers));
  }

  /** Adapters go after self-attention (its output projection `o`) and after the feed-forward block (`wo`). */
  residualBranches(): { attention: ResidualBranch; feedForward: ResidualBranch } {
    return {
      attention: { block: this.self, branchEnd: this.self.dropout, projection: this.self.selfAttention.o },
      feedForward: { block: this.ff, branchEnd: this.ff.dropout, projection: this.ff.denseReluDense.wo },
    };
  }

  /**
   * x (B, T, H), selfBias (B or 1, nh, T, P + T) (position bias plus mask), cross inputs in a decoder,
   * the cache and this block's index in its stack → (B, T, H).
   */
  forward(x: Tensor, selfBias: Tensor, cross?: CrossInputs, cache?: AttentionCache, index = 0): Tensor {
    return tidy(() => {
      let h = this.self.forward(x, selfBias, cache, index);
      if (this.cross !== undefined) {
        if (cross === undefined) throw new ShapeError('T5Block: a decoder block needs the encoder hidden states (cross inputs)');
        h = this.cross.forward(h, cross.encoder, cross.bias, cache, index);
      }
      return this.ff.forward(h);
    });
  }
}
