/**
 * `ElectraModel`: ELECTRA's discriminator (Clark et al., ICLR 2020, "ELECTRA: Pre-training Text
 * Encoders as Discriminators Rather Than Generators") as an encoder backbone, under Hugging Face
 * `ElectraModel`'s names: BERT's embeddings at width embeddingSize (`embeddings.*`), a projection to
 * hiddenSize when the two differ (`embeddings_project`), BERT's layers (`encoder.layer.{i}.*`); no pooler.
 */
import { tidy } from '../../tensor/index.js';
import type { Embedding } from '../../nn/embedding.js';
import type { ParamOptions } from '../../nn/init.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import type { Backbone, HfNaming, ModelInputs, ModelOutput } from '../backbone.js';
import { BertEmbeddings } from '../bert/embeddings.js';
import { BertEncoder } from '../bert/encoder.js';
import type { BertLayer } from '../bert/layer.js';
import { checkModelInputs } from '../inputs.js';
import { asBertConfig, electraConfig, type ElectraConfig } from './config.js';

export class ElectraModel extends Module implements Backbone {
  readonly kind = 'encoder';
  readonly config: ElectraConfig;
  readonly hfNames: HfNaming;
  readonly embeddings: BertEmbeddings;
  /** embeddingSize → hiddenSize; absent when they are equal (as in Hugging Face). */
  readonly embeddingsProject: Linear | undefined;
  readonly encoder: BertEncoder;

  /**
   * An ELECTRA discriminator encoder with fresh weights; load trained ones with `loadStateDict`.
   * @throws ConfigError for an invalid config.
   */
  constructor(config: ElectraConfig, hfNames: HfNaming, options: ParamOptions = {}) {
    super();
    this.config = electraConfig({ ...config } as Record<string, unknown>);
    this.hfNames = hfNames;
    const o: ParamOptions = { dtype: options.dtype, device: options.device };
    const bert = asBertConfig(this.config);
    const E = this.config.embeddingSize;
    this.embeddings = this.registerModule('embeddings', new BertEmbeddings({ ...bert, hiddenSize: E }, o));
    this.embeddingsProject =
      E === bert.hiddenSize
        ? undefined
        : this.registerModule('embeddings_project', new Linear(E, bert.hiddenSize, { ...o, initStd: bert.initializerRange }));
    this.encoder = this.registerModule('encoder', new BertEncoder(bert, o));
  }

  /** The word embeddings, weight (V, E). */
  inputEmbeddings(): Embedding {
    return this.embeddings.wordEmbeddings;
  }

  layers(): readonly BertLayer[] {
    return this.encoder.layer.items;
  }

  /** Turns gradient checkpointing of the layers on or off (training.gradient_checkpointing). */
  setGradientCheckpointing(on: boolean): void {
    this.encoder.gradientCheckpointing = on;
  }

  layerStack(): Module {
    return this.encoder;
  }

  /**
   * Encodes a batch. No pooled output (ELECTRA has no pooler).
   * @throws ShapeError for inputs that are not (B, T) or longer than maxPositionEmbeddings.
   */
  forward(inputs: ModelInputs): ModelOutput {
    checkModelInputs(inputs, this.config.maxPositionEmbeddings, `maxPositionEmbeddings (${this.config.maxPositionEmbeddings})`);
    return tidy(() => {
      const e = this.embeddings.forward(inputs.inputIds, inputs.tokenTypeIds); // (B, T, E)
      const x = this.embeddingsProject === undefined ? e : this.embeddingsProject.forward(e); // (B, T, H)
      return { lastHiddenState: this.encoder.forward(x, inputs.attentionMask) };
    });
  }
}
