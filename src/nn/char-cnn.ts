/**
 * A character-level CNN word representation (Ma & Hovy, "End-to-end Sequence Labeling via
 * Bi-directional LSTM-CNNs-CRF", ACL 2016, §2.1 and Figure 1): each character of a word is embedded,
 * dropout is applied, one convolution of width k with F filters slides over the characters, and the
 * word's vector is the maximum of each filter over the word's character positions. A word never seen
 * in training still gets a vector from its spelling ("cardinale", "clásicos"), which a sub-word
 * vocabulary learned from the training texts may only give as [UNK] or rare pieces.
 *
 * Character id 0 is padding: its embedding row is zero and stays zero, the convolution pads with
 * zeros as well, and the maximum reads only the word's own positions, so a word's vector does not
 * depend on how far its row was padded (the longest word of the batch) nor on its batch neighbours.
 * A position whose ids are all 0 (no word: padding, special tokens, later sub-words) gives zeros.
 */
import { ConfigError } from '../errors.js';
import { defineOp } from '../tensor/dispatch.js';
import { run } from '../tensor/ops/run.js';
import { tidy, where, type Tensor } from '../tensor/index.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { uniformInit, type ParamOptions } from './init.js';
import { Module } from './module.js';

const CONV1D = defineOp('aten::conv1d');

/** The shape of a CharCnn (Ma & Hovy 2016, Table 1: Dc 30, F 30, k 3, dropout 0.5). */
export interface CharCnnShape {
  /** Rows of the character embedding, id 0 (padding) included. */
  readonly charVocabSize: number;
  /** Dc: the size of a character's embedding. */
  readonly embeddingSize: number;
  /** F: the number of filters, the size of a word's vector. */
  readonly filters: number;
  /** k: the convolution's width in characters (odd, so the output keeps the word's length). */
  readonly kernelSize: number;
  /** Dropout on the character embeddings, before the convolution. */
  readonly dropout: number;
}

export class CharCnn extends Module {
  /** (Vc, Dc), row 0 zero (padding) */
  readonly embedding: Embedding;
  readonly dropout: Dropout;
  /** (F, Dc, k), as torch.nn.Conv1d's weight */
  readonly weight: Tensor;
  /** (F) */
  readonly bias: Tensor;

  /**
   * The embedding from N(0, 1) (as torch.nn.Embedding), the convolution from U(±1/√(Dc·k)) (as torch.nn.Conv1d).
   * @throws ConfigError for an even kernel size or a size below 1.
   */
  constructor(
    readonly shape: CharCnnShape,
    o: ParamOptions = {},
  ) {
    super();
    const { charVocabSize, embeddingSize, filters, kernelSize } = shape;
    if (kernelSize < 1 || kernelSize % 2 === 0)
      throw new ConfigError(`char_cnn.kernel_size must be an odd number >= 1 (the output keeps the word's length), got ${kernelSize}`);
    if (charVocabSize < 2 || embeddingSize < 1 || filters < 1)
      throw new ConfigError(
        `char_cnn needs char_vocab_size >= 2, embedding_size >= 1 and filters >= 1, got ${charVocabSize}, ${embeddingSize}, ${filters}`,
      );
    this.embedding = this.registerModule('embedding', new Embedding(charVocabSize, embeddingSize, { ...o, paddingIdx: 0 }));
    this.dropout = this.registerModule('dropout', new Dropout(shape.dropout));
    const bound = 1 / Math.sqrt(embeddingSize * kernelSize);
    this.weight = this.registerParameter('weight', uniformInit([filters, embeddingSize, kernelSize], bound, o));
    this.bias = this.registerParameter('bias', uniformInit([filters], bound, o));
  }

  /**
   * charIds (…, L) int64, a word's characters from position 0 then 0s → (…, F) float32 word vectors.
   * @example new CharCnn({ charVocabSize: 256, embeddingSize: 30, filters: 30, kernelSize: 3, dropout: 0.5 }).forward(ids) // (B, T, 20) → (B, T, 30)
   */
  forward(charIds: Tensor): Tensor {
    const lead = charIds.shape.slice(0, -1);
    const L = charIds.shape[charIds.shape.length - 1] as number;
    const { filters: F, kernelSize: k } = this.shape;
    return tidy(() => {
      const ids = charIds.reshape([-1, L]); // (N, L)
      const x = this.dropout.forward(this.embedding.forward(ids)).transpose(1, 2); // (N, Dc, L)
      const conv = run(CONV1D, x.id, this.weight.id, this.bias.id, [1], [(k - 1) / 2], [1], 1); // (N, F, L)
      const real = ids.ne(0).unsqueeze(1); // (N, 1, L)
      const [pooled] = conv.maskedFill(real.logicalNot(), Number.NEGATIVE_INFINITY).maxDim(2); // (N, F); -inf for no word
      const hasWord = real.sum(2).gt(0); // (N, 1)
      return where(hasWord, pooled, 0).reshape([...lead, F]); // (…, F)
    });
  }
}
