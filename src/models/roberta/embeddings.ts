/**
 * `RobertaEmbeddings`: BERT's embeddings (word + position + token type, LayerNorm, dropout) with
 * RoBERTa's position ids (Hugging Face `create_position_ids_from_input_ids`): each non-padding token
 * gets padTokenId + its 1-based index among the row's non-padding tokens, padding gets padTokenId. So
 * real tokens of a right-padded row have the positions they have unpadded.
 */
import { cumsum, tidy, type Tensor } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import type { ParamOptions } from '../../nn/init.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Module } from '../../nn/module.js';
import type { RobertaConfig } from './config.js';

/**
 * RoBERTa's position ids of a batch.
 * @param inputIds (B, T) int64.
 * @returns (B, T) int64: padTokenId + 1, + 2, … over non-padding tokens; padTokenId on padding.
 */
export function positionIdsFromInputIds(inputIds: Tensor, padTokenId: number): Tensor {
  return tidy(() => {
    const real = inputIds.ne(padTokenId).to('int64'); // (B, T) 1 = token, 0 = padding
    return cumsum(real, 1).mul(real).add(padTokenId);
  });
}

export class RobertaEmbeddings extends Module {
  /** weight (V, H); the padding row stays zero-gradient */
  readonly wordEmbeddings: Embedding;
  /** weight (maxPositionEmbeddings, H); row padTokenId is padding's */
  readonly positionEmbeddings: Embedding;
  /** weight (typeVocabSize, H) */
  readonly tokenTypeEmbeddings: Embedding;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;
  private readonly padTokenId: number;

  constructor(c: RobertaConfig, o: ParamOptions = {}) {
    super();
    const pad = c.padTokenId as number; // robertaConfig requires one
    this.padTokenId = pad;
    const init = { ...o, initStd: c.initializerRange };
    this.wordEmbeddings = this.registerModule('word_embeddings', new Embedding(c.vocabSize, c.hiddenSize, { ...init, paddingIdx: pad }));
    this.positionEmbeddings = this.registerModule(
      'position_embeddings',
      new Embedding(c.maxPositionEmbeddings, c.hiddenSize, { ...init, paddingIdx: pad }),
    );
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
      const x = this.wordEmbeddings.forward(inputIds); // (B, T, H), fresh: the adds below may be in place
      x.add_(tokenTypeIds === undefined ? this.tokenTypeEmbeddings.weight.select(0, 0) : this.tokenTypeEmbeddings.forward(tokenTypeIds));
      x.add_(this.positionEmbeddings.forward(positionIdsFromInputIds(inputIds, this.padTokenId))); // (B, T, H)
      return this.dropout.forward(this.layerNorm.forward(x));
    });
  }
}
