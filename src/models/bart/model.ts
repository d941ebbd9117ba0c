/**
 * `BartModel`: BART (Lewis et al., ACL 2020, "BART: Denoising Sequence-to-Sequence Pre-training for
 * Natural Language Generation, Translation, and Comprehension") and Marian (Junczys-Dowmunt et al., ACL
 * 2018; the OPUS-MT checkpoints) as an encoder-decoder backbone, under Hugging Face's base-model names
 * (`BartModel` / `MarianModel`: `shared`, `encoder.…`, `decoder.…`; inside the task models under
 * `model.`), plus the LM head's bias `final_logits_bias` (1, V) of `…ForConditionalGeneration` /
 * `MarianMTModel`, whose LM head is tied to `shared`.
 *
 * Positions: BART's learned `embed_positions` table of maxPositionEmbeddings + 2 rows, read at position
 * + 2 (fairseq's offset), then `layernorm_embedding`; Marian's fixed sinusoids (not saved here; the
 * copies in checkpoints are skipped) and no embedding LayerNorm. Embeddings × √d_model when
 * `scaleEmbedding` (Marian).
 */
import { arange, keep, linear, tensor, tidy, type DType, type Tensor } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import { zerosInit, type ParamOptions } from '../../nn/init.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Module, ModuleList, type LoadResult } from '../../nn/module.js';
import type { HfNaming } from '../backbone.js';
import { maskBias, type AttentionCache, type CrossInputs, type EncoderDecoderBackbone } from '../encoder-decoder.js';
import { EncoderDecoderModel } from '../encoder-decoder-model.js';
import { bartConfig, type BartConfig } from './config.js';
import { BartLayer } from './layer.js';

/** BART's learned positions: fairseq reserves the first 2 rows, so position p reads row p + 2. */
const POSITION_OFFSET = 2;

/**
 * Marian's (and Vaswani et al.'s, §3.5) sinusoid table as Hugging Face's `MarianSinusoidalPositionalEmbedding`
 * lays it out: angle(p, j) = p / 10000^(2⌊j/2⌋/d) in float64; sin of the even j in the first half of the
 * columns, cos of the odd j in the second half.
 * @returns (rows, d) float32.
 */
export function marianSinusoids(rows: number, d: number): Tensor {
  const out = new Float32Array(rows * d);
  const half = Math.ceil(d / 2);
  for (let p = 0; p < rows; p++) {
    for (let j = 0; j < d; j++) {
      const angle = p / 10000 ** ((2 * Math.floor(j / 2)) / d);
      if (j % 2 === 0) out[p * d + j / 2] = Math.sin(angle);
      else out[p * d + half + (j - 1) / 2] = Math.cos(angle);
    }
  }
  return tidy(() => tensor(out).view([rows, d]));
}

/** One stack (`encoder` / `decoder`): embeddings and positions, then the layers. */
export class BartStack extends Module {
  /** weight (maxPositionEmbeddings + 2, H): BART only. */
  readonly embedPositions: Embedding | undefined;
  /** BART only. */
  readonly layernormEmbedding: LayerNorm | undefined;
  readonly layers: ModuleList<BartLayer>;
  readonly dropout: Dropout;
  readonly isDecoder: boolean;
  private readonly config: BartConfig;
  /** (maxPositionEmbeddings, H) float32: Marian only; a constant the stack owns (not a parameter). */
  private sinusoids: Tensor | undefined;

  constructor(c: BartConfig, isDecoder: boolean, o: ParamOptions = {}) {
    super();
    this.config = c;
    this.isDecoder = isDecoder;
    const learned = c.modelType === 'bart';
    this.embedPositions = learned
      ? this.registerModule(
          'embed_positions',
          new Embedding(c.maxPositionEmbeddings + POSITION_OFFSET, c.hiddenSize, { ...o, initStd: c.initializerRange }),
        )
      : undefined;
    this.layernormEmbedding = learned
      ? this.registerModule('layernorm_embedding', new LayerNorm(c.hiddenSize, c.layerNormEps, o))
      : undefined;
    const n = isDecoder ? c.numDecoderLayers : c.numHiddenLayers;
    this.layers = this.registerModule('layers', new ModuleList(Array.from({ length: n }, () => new BartLayer(c, isDecoder, o))));
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
    this.sinusoids = learned ? undefined : keep(marianSinusoids(c.maxPositionEmbeddings, c.hiddenSize));
  }

  /** Position embeddings of positions P … P+T−1: (T, H). */
  private positions(T: number, P: number, dtype: DType): Tensor {
    const learned = this.embedPositions;
    if (learned !== undefined) return tidy(() => learned.forward(arange(P + POSITION_OFFSET, P + T + POSITION_OFFSET)));
    const table = this.sinusoids!;
    return tidy(() => {
      const rows = table.narrow(0, P, T);
      return dtype === 'float32' ? rows.clone() : rows.to(dtype);
    });
  }

  /**
   * Word embeddings (B, T, H) of the new tokens → last hidden states (B, T, H).
   * @param mask (B, P + T) 1 = real token, or undefined. @param P tokens already cached.
   */
  forward(wordEmbeddings: Tensor, mask: Tensor | undefined, cross?: CrossInputs, cache?: AttentionCache, P = 0): Tensor {
    return tidy(() => {
      const [B, T, H] = wordEmbeddings.shape as [number, number, number];
      const scaled = this.config.scaleEmbedding ? wordEmbeddings.mul(Math.sqrt(H)) : wordEmbeddings;
      let h = scaled.add(this.positions(T, P, wordEmbeddings.dtype)); // (B, T, H)
      if (this.layernormEmbedding !== undefined) h = this.layernormEmbedding.forward(h);
      h = this.dropout.forward(h);
      const bias = maskBias(mask, B, T, P + T, this.isDecoder, h.dtype); // (B or 1, 1, T or 1, P + T)
      this.layers.items.forEach((layer, i) => {
        h = layer.forward(h, bias, cross, cache, i);
      });
      return h;
    });
  }

  override dispose(): void {
    this.sinusoids?.dispose();
    this.sinusoids = undefined;
    super.dispose();
  }
}

export class BartModel extends EncoderDecoderModel implements EncoderDecoderBackbone {
  readonly kind = 'encoder-decoder';
  readonly config: BartConfig;
  readonly hfNames: HfNaming;
  /** weight (V, H), padding row padTokenId. */
  readonly shared: Embedding;
  readonly encoder: BartStack;
  readonly decoder: BartStack;
  /** (1, V) the LM head's bias (`final_logits_bias`; a buffer in Hugging Face, zeros in BART checkpoints, learned in Marian's). */
  readonly finalLogitsBias: Tensor;

  /**
   * A BART or Marian with fresh weights (N(0, init_std²), as Hugging Face); load trained ones with
   * `loadStateDict`.
   * @throws ConfigError for an invalid config.
   */
  constructor(config: BartConfig, hfNames: HfNaming, options: ParamOptions = {}) {
    super();
    this.config = bartConfig(config.modelType, { ...config } as Record<string, unknown>);
    this.hfNames = hfNames;
    const c = this.config;
    const o: ParamOptions = { dtype: options.dtype, device: options.device };
    this.shared = this.registerModule(
      'shared',
      new Embedding(c.vocabSize, c.hiddenSize, { ...o, initStd: c.initializerRange, paddingIdx: c.padTokenId ?? undefined }),
    );
    this.encoder = this.registerModule('encoder', new BartStack(c, false, o));
    this.decoder = this.registerModule('decoder', new BartStack(c, true, o));
    this.finalLogitsBias = this.registerParameter('final_logits_bias', zerosInit([1, c.vocabSize], o));
  }

  inputEmbeddings(): Embedding {
    return this.shared;
  }

  /** The encoder's layers, then the decoder's. */
  layers(): readonly BartLayer[] {
    return [...this.encoder.layers.items, ...this.decoder.layers.items];
  }

  layerStack(): Module {
    return this.encoder;
  }

  /** Loads weights by the backbone's names; a bare `BartModel` state dict (no `final_logits_bias`) keeps the zero bias. */
  override loadStateDict(state: ReadonlyMap<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    if (state.has('final_logits_bias')) return super.loadStateDict(state, options);
    const result = super.loadStateDict(state, { strict: false });
    const missing = result.missingKeys.filter((k) => k !== 'final_logits_bias');
    if ((options.strict ?? true) && (missing.length > 0 || result.unexpectedKeys.length > 0)) {
      return super.loadStateDict(state, options); // throws, naming what is missing or unexpected
    }
    return { ...result, missingKeys: missing };
  }

  /** Vocabulary logits h·sharedᵀ + final_logits_bias (the tied LM head). @param hiddenStates (…, H) → (…, V). */
  lmLogits(hiddenStates: Tensor): Tensor {
    return tidy(() => linear(hiddenStates, this.shared.weight, this.finalLogitsBias.view([this.config.vocabSize])));
  }
}
