/**
 * `DistilBertModel`: DistilBERT (Sanh et al., 2019, "DistilBERT, a distilled version of BERT") as a
 * backbone, under Hugging Face `DistilBertModel`'s names: `embeddings.{word,position}_embeddings`,
 * `embeddings.LayerNorm`, `transformer.layer.{i}.…` (./block.ts). No token types, no pooler.
 */
import { tidy, type Tensor } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import type { ParamOptions } from '../../nn/init.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Module, ModuleList } from '../../nn/module.js';
import type { Backbone, HfNaming, ModelInputs, ModelOutput } from '../backbone.js';
import { attentionBias } from '../bert/attention.js';
import { applyInTurn } from '../bert/layer.js';
import { layerForward } from '../checkpointing.js';
import { checkModelInputs } from '../inputs.js';
import { TransformerBlock } from './block.js';
import { distilBertConfig, type DistilBertConfig } from './config.js';

/** Word and learned position embeddings, LayerNorm (eps 1e-12) and dropout (Hugging Face `Embeddings`). */
export class DistilBertEmbeddings extends Module {
  /** weight (V, H) */
  readonly wordEmbeddings: Embedding;
  /** weight (maxPositionEmbeddings, H) */
  readonly positionEmbeddings: Embedding;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(c: DistilBertConfig, o: ParamOptions = {}) {
    super();
    const init = { ...o, initStd: c.initializerRange };
    this.wordEmbeddings = this.registerModule(
      'word_embeddings',
      new Embedding(c.vocabSize, c.hiddenSize, { ...init, paddingIdx: c.padTokenId ?? undefined }),
    );
    this.positionEmbeddings = this.registerModule('position_embeddings', new Embedding(c.maxPositionEmbeddings, c.hiddenSize, init));
    this.layerNorm = this.registerModule('LayerNorm', new LayerNorm(c.hiddenSize, c.layerNormEps, o));
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
  }

  /** inputIds (B, T) int64 → (B, T, H) */
  forward(inputIds: Tensor): Tensor {
    return tidy(() => {
      const T = inputIds.shape[1] as number;
      const x = this.wordEmbeddings.forward(inputIds).add_(this.positionEmbeddings.weight.narrow(0, 0, T)); // positions 0..T−1
      return this.dropout.forward(this.layerNorm.forward(x));
    });
  }
}

/** The stack of blocks (`transformer.layer.{i}`). */
export class Transformer extends Module {
  readonly layer: ModuleList<TransformerBlock>;
  /** Recompute each block's activations in backward instead of keeping them (../checkpointing.ts). */
  gradientCheckpointing = false;
  private readonly numHeads: number;

  constructor(c: DistilBertConfig, o: ParamOptions = {}) {
    super();
    this.numHeads = c.numAttentionHeads;
    this.layer = this.registerModule('layer', new ModuleList(Array.from({ length: c.numHiddenLayers }, () => new TransformerBlock(c, o))));
  }

  /** x (B, T, H), attentionMask (B, T) 1 = attend or undefined → (B, T, H) */
  forward(x: Tensor, attentionMask?: Tensor): Tensor {
    return tidy(() => {
      const bias = attentionMask && attentionBias(attentionMask, this.numHeads, x.dtype); // (B·nh, 1, T)
      const run = (block: TransformerBlock, h: Tensor, b: Tensor | undefined): Tensor => block.forward(h, b);
      return applyInTurn(this.layer, x, (block, h) => layerForward(this.gradientCheckpointing, block, h, bias, run));
    });
  }
}

export class DistilBertModel extends Module implements Backbone {
  readonly kind = 'encoder';
  readonly config: DistilBertConfig;
  readonly hfNames: HfNaming;
  readonly embeddings: DistilBertEmbeddings;
  readonly transformer: Transformer;

  /**
   * A DistilBERT encoder with fresh weights; load trained ones with `loadStateDict`.
   * @throws ConfigError for an invalid config.
   */
  constructor(config: DistilBertConfig, hfNames: HfNaming, options: ParamOptions = {}) {
    super();
    this.config = distilBertConfig({ ...config } as Record<string, unknown>);
    this.hfNames = hfNames;
    const o: ParamOptions = { dtype: options.dtype, device: options.device };
    this.embeddings = this.registerModule('embeddings', new DistilBertEmbeddings(this.config, o));
    this.transformer = this.registerModule('transformer', new Transformer(this.config, o));
  }

  inputEmbeddings(): Embedding {
    return this.embeddings.wordEmbeddings;
  }

  layers(): readonly TransformerBlock[] {
    return this.transformer.layer.items;
  }

  /** Turns gradient checkpointing of the blocks on or off (training.gradient_checkpointing). */
  setGradientCheckpointing(on: boolean): void {
    this.transformer.gradientCheckpointing = on;
  }

  layerStack(): Module {
    return this.transformer;
  }

  /**
   * Encodes a batch; `tokenTypeIds` are ignored (DistilBERT has none). No pooled output.
   * @throws ShapeError for inputs that are not (B, T) or longer than maxPositionEmbeddings.
   */
  forward(inputs: ModelInputs): ModelOutput {
    checkModelInputs(inputs, this.config.maxPositionEmbeddings, `maxPositionEmbeddings (${this.config.maxPositionEmbeddings})`);
    return tidy(() => ({ lastHiddenState: this.transformer.forward(this.embeddings.forward(inputs.inputIds), inputs.attentionMask) }));
  }
}
