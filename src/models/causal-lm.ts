/**
 * A decoder backbone and its LM head as the decoding loop's `StepDecoder` (src/generate/decoder.ts):
 * run the new tokens with the key/value cache, read the last position's hidden state, project it to
 * the vocabulary. Family-independent: any backbone of kind 'decoder' (gpt2, llama) fits.
 */
import { ConfigError } from '../errors.js';
import { KeyValueCache } from '../generate/cache.js';
import type { StepDecoder } from '../generate/decoder.js';
import { linear, tidy, type Tensor } from '../tensor/index.js';
import type { Backbone } from './backbone.js';

/** Projects hidden states (…, H) to vocabulary logits (…, V). */
export type LmHead = (hiddenStates: Tensor) => Tensor;

/** The LM head tied to the input embeddings (Press & Wolf, EACL 2017): logits = h·Eᵀ, E (V, H) the backbone's word embeddings. */
export function tiedLmHead(backbone: Backbone): LmHead {
  return (h) => linear(h, backbone.inputEmbeddings().weight);
}

/**
 * The backbone's LM head: logits = h·Wᵀ with W (V, H) its own untied weight (`outputEmbeddings()`: Llama's
 * `lm_head` when tie_word_embeddings is false) when it has one, else its input embeddings (`tiedLmHead`).
 */
export function lmHeadOf(backbone: Backbone): LmHead {
  const own = backbone.outputEmbeddings?.();
  return own === undefined ? tiedLmHead(backbone) : (h) => linear(h, own);
}

/**
 * The `StepDecoder` of a decoder backbone: each step runs `backbone.forward` on the new tokens with
 * the cache and returns `lmHead` of each row's last position.
 * @param lmHead default: the backbone's own (`lmHeadOf`: untied where it has one, else tied to the input embeddings).
 * @throws ConfigError for a backbone that is not a decoder (an encoder cannot continue a text).
 */
export function causalLmDecoder(backbone: Backbone, lmHead: LmHead = lmHeadOf(backbone)): StepDecoder {
  if (backbone.kind !== 'decoder')
    throw new ConfigError(
      `generation needs a decoder backbone (gpt2, llama, …); ${backbone.config.modelType} is an ${backbone.kind}, which cannot continue a text`,
    );
  return {
    startCache: () => new KeyValueCache(),
    step(inputIds: Tensor, attentionMask: Tensor | undefined, cache: KeyValueCache): Tensor {
      return tidy(() => {
        const { lastHiddenState } = backbone.forward({ inputIds, attentionMask, pastKeyValues: cache }); // (R, T, H)
        const T = lastHiddenState.shape[1] as number;
        return lmHead(lastHiddenState.select(1, T - 1)); // (R, V)
      });
    },
  };
}
