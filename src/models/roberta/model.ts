/**
 * `RobertaModel`: RoBERTa (Liu et al., 2019, "RoBERTa: A Robustly Optimized BERT Pretraining
 * Approach") and XLM-R (Conneau et al., ACL 2020) as a backbone: RoBERTa's embeddings (./embeddings.ts)
 * and BERT's layers and pooler unchanged (src/models/bert/), under Hugging Face `RobertaModel`'s names
 * (`embeddings.*`, `encoder.layer.{i}.*`, `pooler.dense.*`).
 */
import { tidy } from '../../tensor/index.js';
import type { Embedding } from '../../nn/embedding.js';
import type { ParamOptions } from '../../nn/init.js';
import { Module } from '../../nn/module.js';
import type { Backbone, HfNaming, ModelInputs, ModelOutput } from '../backbone.js';
import { BertEncoder, BertPooler } from '../bert/encoder.js';
import type { BertLayer } from '../bert/layer.js';
import { checkModelInputs } from '../inputs.js';
import { asBertConfig, robertaConfig, type RobertaConfig } from './config.js';
import { RobertaEmbeddings } from './embeddings.js';

export class RobertaModel extends Module implements Backbone {
  readonly kind = 'encoder';
  readonly config: RobertaConfig;
  readonly hfNames: HfNaming;
  readonly embeddings: RobertaEmbeddings;
  readonly encoder: BertEncoder;
  readonly pooler: BertPooler;

  /**
   * A RoBERTa encoder with fresh weights (Hugging Face's initialisation, as BERT's); load trained ones
   * with `loadStateDict`. `hfNames` is the family's naming (`roberta.` in Hugging Face's task models).
   * @throws ConfigError for an invalid config.
   */
  constructor(config: RobertaConfig, hfNames: HfNaming, options: ParamOptions = {}) {
    super();
    this.config = robertaConfig({ ...config } as Record<string, unknown>, config.modelType); // validated
    this.hfNames = hfNames;
    const o: ParamOptions = { dtype: options.dtype, device: options.device };
    const bert = asBertConfig(this.config);
    this.embeddings = this.registerModule('embeddings', new RobertaEmbeddings(this.config, o));
    this.encoder = this.registerModule('encoder', new BertEncoder(bert, o));
    this.pooler = this.registerModule('pooler', new BertPooler(bert, o));
  }

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
   * Encodes a batch (right-padded with padTokenId). Returned tensors belong to the caller.
   * @throws ShapeError for inputs that are not (B, T), or T beyond the positions after the padding id
   *   (maxPositionEmbeddings − padTokenId − 1: 512 for roberta-base).
   */
  forward(inputs: ModelInputs): ModelOutput {
    const { maxPositionEmbeddings, padTokenId } = this.config;
    checkModelInputs(
      inputs,
      maxPositionEmbeddings - (padTokenId as number) - 1,
      `the ${maxPositionEmbeddings - (padTokenId as number) - 1} positions ${this.config.modelType} numbers after its padding id`,
    );
    return tidy(() => {
      const x = this.embeddings.forward(inputs.inputIds, inputs.tokenTypeIds); // (B, T, H)
      const lastHiddenState = this.encoder.forward(x, inputs.attentionMask); // (B, T, H)
      return { lastHiddenState, pooledOutput: this.pooler.forward(lastHiddenState) };
    });
  }
}
