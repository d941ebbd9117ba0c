/**
 * `Embedding`: a lookup table (torch.nn.Embedding), parameter `weight` (V, H).
 */
import { ConfigError } from '../errors.js';
import { embedding, type Tensor } from '../tensor/index.js';
import { normalInit, zeroRow_, type ParamOptions } from './init.js';
import { Module } from './module.js';

export interface EmbeddingOptions extends ParamOptions {
  /** A row that starts at zero and whose gradient stays zero (the padding token's id); none when omitted. */
  paddingIdx?: number;
  /** Initialise from N(0, initStd²) (BERT's scheme); default N(0, 1), as PyTorch. */
  initStd?: number;
}

export class Embedding extends Module {
  /** (V, H) */
  readonly weight: Tensor;
  readonly paddingIdx: number | undefined;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    const pad = options.paddingIdx;
    if (pad !== undefined && (!Number.isInteger(pad) || pad < 0 || pad >= numEmbeddings)) {
      throw new ConfigError(`paddingIdx must be an integer in [0, ${numEmbeddings}) for an embedding of ${numEmbeddings} rows, got ${pad}`);
    }
    this.paddingIdx = pad;
    const weight = normalInit([numEmbeddings, embeddingDim], options.initStd ?? 1, options);
    if (pad !== undefined) zeroRow_(weight, pad);
    this.weight = this.registerParameter('weight', weight);
  }

  /** ids (…) int64 → (…, H) */
  forward(ids: Tensor): Tensor {
    return embedding(this.weight, ids, this.paddingIdx);
  }
}
