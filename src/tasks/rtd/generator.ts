/**
 * ELECTRA's generator (Clark et al., ICLR 2020, §2 and §3.2): a small masked-language model that
 * proposes the replacements the discriminator must detect. It shares the token embeddings with the
 * discriminator (the shared backbone's `inputEmbeddings()`, (V, E)) for its input and, tied, for its
 * output decoder (§3.2, "Weight sharing"); it has its own position embeddings, LayerNorm and a stack of
 * BERT layers `generatorSize` times the discriminator's width (§3.2, "Smaller generators": 1/4 to 1/2 works
 * best; ELECTRA's released code: hidden = round(H · size), heads = max(1, hidden / 64), feed-forward
 * 4 · hidden, the discriminator's number of layers). Its parameters are the task head's (`generator.…`).
 *
 *   ids (B, T) → E_word[ids] (B, T, E) → project (B, T, h) + positions → LayerNorm → L BERT layers
 *     → the masked rows (N, h) → dense h→E, activation, LayerNorm → · E_wordᵀ + bias → logits (N, V)
 */
import { ShapeError } from '../../errors.js';
import { bertConfig, type BertConfig, type HiddenAct } from '../../models/bert/config.js';
import { BertEncoder } from '../../models/bert/encoder.js';
import { ACTIVATIONS } from '../../models/bert/layer.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { embedding, linear, tidy, zeros, type Tensor } from '../../tensor/index.js';
import type { BackboneConfig } from '../../models/backbone.js';

/** The generator's shape relative to the discriminator's. */
export interface GeneratorShape {
  /** Fraction of the discriminator's hidden width (ELECTRA: 1/4 to 1/2; default 0.25). */
  readonly size: number;
  /** Number of layers; default the discriminator's. */
  readonly layers: number;
}

/**
 * The generator's BERT config: width round(H · size), heads max(1, ⌊width / 64⌋) (reduced until they
 * divide the width), feed-forward 4 · width, the discriminator's activation, dropout and positions.
 */
export function generatorConfig(d: BackboneConfig, shape: GeneratorShape): BertConfig {
  const hiddenSize = Math.max(1, Math.round(d.hiddenSize * shape.size));
  let heads = Math.max(1, Math.floor(hiddenSize / 64));
  while (hiddenSize % heads !== 0) heads--;
  return bertConfig({
    vocabSize: d.vocabSize,
    hiddenSize,
    numHiddenLayers: shape.layers,
    numAttentionHeads: heads,
    intermediateSize: 4 * hiddenSize,
    hiddenAct: (d.hiddenAct in ACTIVATIONS ? d.hiddenAct : 'gelu') as HiddenAct,
    hiddenDropoutProb: d.hiddenDropoutProb,
    attentionProbsDropoutProb: d.hiddenDropoutProb,
    maxPositionEmbeddings: d.maxPositionEmbeddings,
    initializerRange: d.initializerRange,
    layerNormEps: d.layerNormEps,
    padTokenId: d.padTokenId,
  });
}

/** The generator's MLM head before the tied decoder: dense h → E, activation, LayerNorm (ELECTRA's `generator_predictions`). */
class GeneratorPredictions extends Module {
  readonly dense: Linear;
  readonly layerNorm: LayerNorm;
  /** (V) the decoder's own bias. */
  readonly bias: Tensor;
  readonly #act: (x: Tensor) => Tensor;

  constructor(c: BertConfig, embeddingSize: number) {
    super();
    this.#act = ACTIVATIONS[c.hiddenAct];
    this.dense = this.registerModule('dense', new Linear(c.hiddenSize, embeddingSize, { initStd: c.initializerRange }));
    this.layerNorm = this.registerModule('LayerNorm', new LayerNorm(embeddingSize, c.layerNormEps));
    this.bias = this.registerParameter('bias', zeros([c.vocabSize]));
  }

  /** hidden (N, h), the shared word embeddings (V, E) → logits (N, V) */
  forward(hidden: Tensor, wordEmbeddings: Tensor): Tensor {
    return tidy(() => linear(this.layerNorm.forward(this.#act(this.dense.forward(hidden))), wordEmbeddings, this.bias));
  }
}

export class ElectraGenerator extends Module {
  readonly config: BertConfig;
  /** E: the width of the shared word embeddings. */
  readonly embeddingSize: number;
  /** E → h (ELECTRA's `embeddings_project`). */
  readonly embeddingsProject: Linear;
  /** (maxPositionEmbeddings, h) */
  readonly positionEmbeddings: Embedding;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;
  readonly encoder: BertEncoder;
  readonly predictions: GeneratorPredictions;

  /**
   * @param c the generator's config (`generatorConfig`).
   * @param embeddingSize E, the width of the discriminator's word embeddings it shares.
   */
  constructor(c: BertConfig, embeddingSize: number) {
    super();
    this.config = c;
    this.embeddingSize = embeddingSize;
    const init = { initStd: c.initializerRange };
    this.embeddingsProject = this.registerModule('embeddings_project', new Linear(embeddingSize, c.hiddenSize, init));
    this.positionEmbeddings = this.registerModule('position_embeddings', new Embedding(c.maxPositionEmbeddings, c.hiddenSize, init));
    this.layerNorm = this.registerModule('LayerNorm', new LayerNorm(c.hiddenSize, c.layerNormEps));
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
    this.encoder = this.registerModule('encoder', new BertEncoder(c));
    this.predictions = this.registerModule('generator_predictions', new GeneratorPredictions(c, embeddingSize));
  }

  /**
   * The generator's logits at the masked positions.
   * @param wordEmbeddings (V, E) the discriminator's word-embedding matrix (read directly: an
   *   adversarial perturbation hooked on the discriminator's embedding layer does not reach the generator).
   * @param inputIds (B, T) int64 the masked ids.
   * @param attentionMask (B, T) 1 = real token; absent = all real.
   * @param positions (N) int64 flat indices (row-major over B·T) of the masked positions.
   * @returns (N, V)
   * @throws ShapeError when the embeddings are not (V, E) of this generator.
   */
  forward(wordEmbeddings: Tensor, inputIds: Tensor, attentionMask: Tensor | undefined, positions: Tensor): Tensor {
    const [V, E] = wordEmbeddings.shape;
    if (V !== this.config.vocabSize || E !== this.embeddingSize)
      throw new ShapeError(
        `replaced-token detection: the generator shares word embeddings of (V, E) = [${this.config.vocabSize}, ${this.embeddingSize}], got [${wordEmbeddings.shape.join(', ')}]`,
      );
    return tidy(() => {
      const T = inputIds.shape[1] as number;
      const x = this.embeddingsProject.forward(embedding(wordEmbeddings, inputIds)); // (B, T, h)
      x.add_(this.positionEmbeddings.weight.narrow(0, 0, T)); // (T, h) broadcast
      const h = this.encoder.forward(this.dropout.forward(this.layerNorm.forward(x)), attentionMask); // (B, T, h)
      const rows = h.reshape([-1, this.config.hiddenSize]).indexSelect(0, positions); // (N, h)
      return this.predictions.forward(rows, wordEmbeddings); // (N, V)
    });
  }
}
