/**
 * `BertModel`: embeddings, a stack of transformer layers and an optional pooler (Hugging Face
 * `BertModel`, whose parameter names it keeps: `embeddings.*`, `encoder.layer.{i}.*`, `pooler.dense.*`).
 */
import { tanh, tidy, type Tensor } from '../../tensor/index.js';
import type { Embedding } from '../../nn/embedding.js';
import type { ParamOptions } from '../../nn/init.js';
import { Linear } from '../../nn/linear.js';
import { Module, ModuleList } from '../../nn/module.js';
import { attentionBias } from './attention.js';
import { canFuse, fusedLayersForward } from './fused-layer.js';
import { bertConfig, validateBertConfig, type BertConfig } from './config.js';
import { BertEmbeddings } from './embeddings.js';
import { applyInTurn, BertLayer } from './layer.js';
import { BERT_HF_NAMES } from './hf-names.js';
import type { Backbone, HfNaming, ModelInputs, ModelOutput } from '../backbone.js';
import { checkModelInputs } from '../inputs.js';
import { layerForward } from '../checkpointing.js';

export class BertEncoder extends Module {
  readonly layer: ModuleList<BertLayer>;
  /** Recompute each layer's activations in backward instead of keeping them (../checkpointing.ts). */
  gradientCheckpointing = false;
  private readonly numHeads: number;

  constructor(c: BertConfig, o: ParamOptions = {}) {
    super();
    this.numHeads = c.numAttentionHeads;
    this.layer = this.registerModule('layer', new ModuleList(Array.from({ length: c.numHiddenLayers }, () => new BertLayer(c, o))));
  }

  /**
   * x (B, T, H), attentionMask (B, T) 1 = attend, 0 = padding, or undefined (attend everywhere) → (B, T, H).
   * Without gradients in evaluation mode every layer runs as one fused kernel (./fused-layer.ts) when
   * all of them can; otherwise each runs op by op (checkpointed with `gradientCheckpointing` when gradients
   * are recorded). Frees each layer's input handle once used (except `x`).
   */
  forward(x: Tensor, attentionMask?: Tensor): Tensor {
    return tidy(() => {
      if (this.layer.items.every((l) => canFuse(l, x))) return fusedLayersForward(this.layer.items, x, attentionMask);
      const bias = attentionMask && attentionBias(attentionMask, this.numHeads, x.dtype);
      return applyInTurn(this.layer, x, (layer, h) => layerForward(this.gradientCheckpointing, layer, h, bias, runLayer));
    });
  }
}

const runLayer = (layer: BertLayer, h: Tensor, bias: Tensor | undefined): Tensor => layer.forward(h, bias);

/** tanh(W·h₀ + b) of the first token's hidden state (BERT's [CLS] pooling, Hugging Face `BertPooler`). */
export class BertPooler extends Module {
  readonly dense: Linear;

  constructor(c: BertConfig, o: ParamOptions = {}) {
    super();
    this.dense = this.registerModule('dense', new Linear(c.hiddenSize, c.hiddenSize, { ...o, initStd: c.initializerRange }));
  }

  /** (B, T, H) → (B, H) */
  forward(hiddenStates: Tensor): Tensor {
    return tidy(() => tanh(this.dense.forward(hiddenStates.select(1, 0))));
  }
}

/** BertModel's inputs: the Backbone contract's (`tokenTypeIds` optional). */
export type BertInputs = ModelInputs;

/** BertModel's outputs: the last hidden states and, with the pooler, the pooled [CLS] state. */
export type BertOutputs = ModelOutput;

export interface BertModelOptions extends ParamOptions {
  /** Build `pooler.dense` and return `pooledOutput` (default true). */
  addPoolingLayer?: boolean;
}

export class BertModel extends Module implements Backbone {
  readonly kind = 'encoder';
  readonly hfNames: HfNaming = BERT_HF_NAMES;
  readonly config: BertConfig;
  readonly embeddings: BertEmbeddings;
  readonly encoder: BertEncoder;
  readonly pooler: BertPooler | undefined;

  /**
   * A BERT encoder with freshly initialised weights (Hugging Face's scheme: N(0, initializerRange²)
   * weights, zero biases and padding row, LayerNorm 1 and 0); load trained ones with `loadStateDict`.
   * @throws ConfigError for an invalid config.
   * @example
   *   const bert = new BertModel(bertConfig({ vocabSize: 99, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 37 }));
   *   const { lastHiddenState, pooledOutput } = tidy(() => bert.forward({ inputIds, attentionMask }));
   */
  constructor(config: BertConfig = bertConfig(), options: BertModelOptions = {}) {
    super();
    validateBertConfig(config);
    this.config = config;
    const o: ParamOptions = { dtype: options.dtype, device: options.device };
    this.embeddings = this.registerModule('embeddings', new BertEmbeddings(config, o));
    this.encoder = this.registerModule('encoder', new BertEncoder(config, o));
    this.pooler = options.addPoolingLayer === false ? undefined : this.registerModule('pooler', new BertPooler(config, o));
  }

  /** The word embeddings, weight (V, H). */
  inputEmbeddings(): Embedding {
    return this.embeddings.wordEmbeddings;
  }

  /** The transformer layers, `encoder.layer.0` … */
  layers(): readonly BertLayer[] {
    return this.encoder.layer.items;
  }

  /** Turns gradient checkpointing of the layers on or off (training.gradient_checkpointing). */
  setGradientCheckpointing(on: boolean): void {
    this.encoder.gradientCheckpointing = on;
  }

  /** `encoder`, the module holding the layers. */
  layerStack(): Module {
    return this.encoder;
  }

  /**
   * Encodes a batch. Returned tensors belong to the caller (or the enclosing tidy); intermediates are freed.
   * @throws ShapeError when inputIds is not (B, T) of an integer dtype, T exceeds maxPositionEmbeddings,
   *   or attentionMask / tokenTypeIds are not (B, T).
   */
  forward(inputs: BertInputs): BertOutputs {
    const { inputIds, attentionMask, tokenTypeIds } = inputs;
    checkModelInputs(inputs, this.config.maxPositionEmbeddings, `maxPositionEmbeddings (${this.config.maxPositionEmbeddings})`);
    return tidy(() => {
      const x = this.embeddings.forward(inputIds, tokenTypeIds); // (B, T, H)
      const lastHiddenState = this.encoder.forward(x, attentionMask); // (B, T, H)
      return this.pooler ? { lastHiddenState, pooledOutput: this.pooler.forward(lastHiddenState) } : { lastHiddenState };
    });
  }
}
