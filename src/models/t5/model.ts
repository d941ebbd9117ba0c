/**
 * `T5Model`: T5 (Raffel et al., JMLR 2020, "Exploring the Limits of Transfer Learning with a Unified
 * Text-to-Text Transformer") as an encoder-decoder backbone, under the names of Hugging Face's
 * `T5ForConditionalGeneration`: `shared` (V, H) word embeddings read by both stacks,
 * `encoder.block.{i}…`, `encoder.final_layer_norm`, `decoder.block.{i}…`, `decoder.final_layer_norm`
 * (./block.ts), and, when the head is untied (T5 v1.1, FLAN-T5), `lm_head` (V, H).
 *
 * `encode` runs the encoder, `decode` the decoder over encoder states (teacher-forced, or one step at a
 * time with a key/value cache: self-attention keys/values appended per step, cross-attention
 * keys/values computed once), `lmLogits` the LM head with T5's d_model^-0.5 scaling when tied.
 */
import { linear, tidy, type Tensor } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import type { ParamOptions } from '../../nn/init.js';
import { Linear } from '../../nn/linear.js';
import { Module, ModuleList, type LoadResult } from '../../nn/module.js';
import { RMSNorm } from '../../nn/rms-norm.js';
import type { HfNaming } from '../backbone.js';
import { maskBias, type AttentionCache, type CrossInputs, type EncoderDecoderBackbone } from '../encoder-decoder.js';
import { EncoderDecoderModel } from '../encoder-decoder-model.js';
import { T5Block } from './block.js';
import { t5Config, type T5Config } from './config.js';

/** One stack (`encoder` or `decoder`): blocks over the shared embeddings, final RMSNorm, dropout. */
export class T5Stack extends Module {
  readonly block: ModuleList<T5Block>;
  readonly finalLayerNorm: RMSNorm;
  readonly dropout: Dropout;
  readonly isDecoder: boolean;

  constructor(c: T5Config, isDecoder: boolean, o: ParamOptions = {}) {
    super();
    this.isDecoder = isDecoder;
    const n = isDecoder ? c.numDecoderLayers : c.numHiddenLayers;
    this.block = this.registerModule('block', new ModuleList(Array.from({ length: n }, (_, i) => new T5Block(c, i === 0, isDecoder, o))));
    this.finalLayerNorm = this.registerModule('final_layer_norm', new RMSNorm(c.hiddenSize, c.layerNormEps, o));
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
  }

  /**
   * embedded (B, T, H) → (B, T, H).
   * @param mask (B, P + T) 1 = real token over cached and new tokens, or undefined.
   * @param P tokens already in `cache` (decoder steps).
   */
  forward(embedded: Tensor, mask: Tensor | undefined, cross?: CrossInputs, cache?: AttentionCache, P = 0): Tensor {
    return tidy(() => {
      const [B, T] = embedded.shape as [number, number];
      const S = P + T;
      const first = this.block.items[0]!.self.selfAttention;
      const bias = first.positionBias(T, S, P).add(maskBias(mask, B, T, S, this.isDecoder, embedded.dtype)); // (B, nh, T, S)
      let h = this.dropout.forward(embedded);
      this.block.items.forEach((blk, i) => {
        const next = blk.forward(h, bias, cross, cache, i);
        if (i > 0) h.dispose();
        h = next;
      });
      return this.dropout.forward(this.finalLayerNorm.forward(h));
    });
  }
}

export class T5Model extends EncoderDecoderModel implements EncoderDecoderBackbone {
  readonly kind = 'encoder-decoder';
  readonly config: T5Config;
  readonly hfNames: HfNaming;
  /** weight (V, H) */
  readonly shared: Embedding;
  readonly encoder: T5Stack;
  readonly decoder: T5Stack;
  /** weight (V, H), untied models only. */
  readonly lmHead: Linear | undefined;

  /**
   * A T5 with fresh weights (Hugging Face's initialisation: shared ~ N(0, f²), attention and
   * feed-forward scaled by fan-in); load trained ones with `loadStateDict`.
   * @throws ConfigError for an invalid config.
   */
  constructor(config: T5Config, hfNames: HfNaming, options: ParamOptions = {}) {
    super();
    this.config = t5Config({ ...config } as Record<string, unknown>);
    this.hfNames = hfNames;
    const o: ParamOptions = { dtype: options.dtype, device: options.device };
    const c = this.config;
    this.shared = this.registerModule('shared', new Embedding(c.vocabSize, c.hiddenSize, { ...o, initStd: c.initializerRange }));
    this.encoder = this.registerModule('encoder', new T5Stack(c, false, o));
    this.decoder = this.registerModule('decoder', new T5Stack(c, true, o));
    this.lmHead = c.tieWordEmbeddings
      ? undefined
      : this.registerModule('lm_head', new Linear(c.hiddenSize, c.vocabSize, { ...o, bias: false, initStd: c.initializerRange }));
  }

  inputEmbeddings(): Embedding {
    return this.shared;
  }

  /** The encoder's blocks, then the decoder's. */
  layers(): readonly T5Block[] {
    return [...this.encoder.block.items, ...this.decoder.block.items];
  }

  layerStack(): Module {
    return this.encoder;
  }

  /**
   * Loads weights by Hugging Face names; a tied model skips `lm_head.weight` (a copy of `shared.weight`
   * that older `pytorch_model.bin` files hold).
   */
  override loadStateDict(state: ReadonlyMap<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    if (this.lmHead !== undefined || !state.has('lm_head.weight')) return super.loadStateDict(state, options);
    return super.loadStateDict(new Map([...state].filter(([k]) => k !== 'lm_head.weight')), options);
  }

  /**
   * Vocabulary logits of decoder states: lm_head(h), or, tied, h·d_model^-0.5 · sharedᵀ (T5's
   * rescaling before the tied projection).
   * @param hiddenStates (…, H) → (…, V).
   */
  lmLogits(hiddenStates: Tensor): Tensor {
    if (this.lmHead !== undefined) return this.lmHead.forward(hiddenStates);
    return tidy(() => linear(hiddenStates.mul(this.config.hiddenSize ** -0.5), this.shared.weight));
  }
}
