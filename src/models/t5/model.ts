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
import { linear, tidy, type DType, type Tensor } from '../../tensor/index.js';
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
      const bias = this.selfAttentionBias(mask, B, T, P, embedded.dtype, cache); // (B or 1, nh, T, P + T)
      let h = this.dropout.forward(embedded);
      this.block.items.forEach((blk, i) => {
        const next = blk.forward(h, bias, cross, cache, i);
        if (i > 0) h.dispose();
        h = next;
      });
      return this.dropout.forward(this.finalLayerNorm.forward(h));
    });
  }

  /**
   * The additive bias every self-attention layer of the stack adds to its scores: the relative position
   * bias plus the mask's (padding, and causal in the decoder). Nothing is added where nothing is masked:
   * an encoder without a mask, or a decoding step of one token without padding (it sees every cached key).
   * A decoding step with a cache reads its row of the position bias from a table kept in the cache
   * (`positionBiasByDistance`) instead of bucketing its P + 1 offsets again.
   * @returns (B or 1, nh, T, P + T).
   */
  private selfAttentionBias(mask: Tensor | undefined, B: number, T: number, P: number, dtype: DType, cache?: AttentionCache): Tensor {
    const S = P + T;
    const first = this.block.items[0]!.self.selfAttention;
    const step = this.isDecoder && T === 1 && cache?.sharedEntry !== undefined;
    const position = step ? this.positionBiasRow(cache!, P) : first.positionBias(T, S, P); // (1, nh, T, S)
    const masked = mask !== undefined || (this.isDecoder && T > 1);
    return masked ? position.add(maskBias(mask, B, T, S, this.isDecoder, dtype)) : position;
  }

  /**
   * The position bias of a query at position P over keys 0 … P, (1, nh, 1, P + 1): a view into the
   * table of the cache's entry `t5.positionBiasByDistance`, (1, nh, 1, L), the biases of a query at
   * L − 1 over keys 0 … L − 1 (entry i: key − query = i − (L − 1)); the bias depends on that offset only,
   * so the row is the table's last P + 1 entries. Computed once per generation (again when L ≤ P).
   */
  private positionBiasRow(cache: AttentionCache, P: number): Tensor {
    const first = this.block.items[0]!.self.selfAttention;
    const S = P + 1;
    const L = Math.max(BIAS_TABLE_MIN, 2 * S);
    const table = cache.sharedEntry!(
      't5.positionBiasByDistance',
      () => first.positionBias(1, L, L - 1),
      (t) => (t.shape[3] as number) >= S,
    );
    const length = table.shape[3] as number;
    return table.narrow(3, length - S, S);
  }
}

/** Positions of the first position bias table a decoding step keeps (doubled when a target outgrows it). */
const BIAS_TABLE_MIN = 128;

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
