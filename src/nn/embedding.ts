/**
 * `Embedding`: a lookup table (torch.nn.Embedding), parameter `weight` (V, H). An output hook (see
 * `withOutputHook`) may change what `forward` returns: adversarial training adds its perturbation to a
 * backbone's input embeddings there (src/mtl/adversarial), whatever the family does with them next.
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

/**
 * A function of the looked-up vectors (…, H) that returns what the model reads instead, of the same
 * shape (the vectors plus an adversarial perturbation). Called on every `forward`, in call order.
 */
export type EmbeddingHook = (embedded: Tensor) => Tensor;

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

  #hook: EmbeddingHook | undefined;

  /**
   * Runs `run` with `hook` on this layer's output, then puts back the hook it replaced (also on a throw).
   * The hook's result is what every caller of `forward` gets meanwhile; tied heads that read `weight` are not affected.
   */
  withOutputHook<T>(hook: EmbeddingHook, run: () => T): T {
    const previous = this.#hook;
    this.#hook = hook;
    try {
      return run();
    } finally {
      this.#hook = previous;
    }
  }

  /** ids (…) int64 → (…, H), through the output hook when one is installed. */
  forward(ids: Tensor): Tensor {
    const embedded = embedding(this.weight, ids, this.paddingIdx);
    return this.#hook === undefined ? embedded : this.#hook(embedded);
  }
}
