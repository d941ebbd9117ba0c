/**
 * `BertEmbeddings`: word + position + token-type embeddings, then LayerNorm and dropout
 * (Hugging Face `BertEmbeddings`, absolute positions).
 */
import { tidy, type Tensor } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import type { ParamOptions } from '../../nn/init.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Module } from '../../nn/module.js';
import type { BertConfig } from './config.js';

export class BertEmbeddings extends Module {
  /** weight (V, H); the padding row stays zero-gradient */
  readonly wordEmbeddings: Embedding;
  /** weight (maxPositionEmbeddings, H) */
  readonly positionEmbeddings: Embedding;
  /** weight (typeVocabSize, H) */
  readonly tokenTypeEmbeddings: Embedding;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(c: BertConfig, o: ParamOptions = {}) {
    super();
    const init = { ...o, initStd: c.initializerRange };
    this.wordEmbeddings = this.registerModule(
      'word_embeddings',
      new Embedding(c.vocabSize, c.hiddenSize, { ...init, paddingIdx: c.padTokenId ?? undefined }),
    );
    this.positionEmbeddings = this.registerModule('position_embeddings', new Embedding(c.maxPositionEmbeddings, c.hiddenSize, init));
    this.tokenTypeEmbeddings = this.registerModule('token_type_embeddings', new Embedding(c.typeVocabSize, c.hiddenSize, init));
    this.layerNorm = this.registerModule('LayerNorm', new LayerNorm(c.hiddenSize, c.layerNormEps, o));
    this.dropout = this.registerModule('dropout', new Dropout(c.hiddenDropoutProb));
  }

  /**
   * @param inputIds (B, T) int64 token ids.
   * @param tokenTypeIds (B, T) int64 segment ids; all 0 when omitted.
   * @returns (B, T, H)
   */
  forward(inputIds: Tensor, tokenTypeIds?: Tensor): Tensor {
    return tidy(() => {
      const T = inputIds.shape[1] as number;
      const x = this.wordEmbeddings.forward(inputIds); // (B, T, H), a fresh tensor: the adds below may be in place
      // segment 0 everywhere needs no lookup: row 0 broadcasts, (H)
      x.add_(tokenTypeIds === undefined ? this.tokenTypeEmbeddings.weight.select(0, 0) : this.tokenTypeEmbeddings.forward(tokenTypeIds));
      x.add_(this.positionEmbeddings.weight.narrow(0, 0, T)); // positions 0..T−1 are the first T rows, (T, H)
      return this.dropout.forward(this.layerNorm.forward(x));
    });
  }
}
