/**
 * An encoder-decoder backbone (t5, bart, marian) and its LM head as the decoding loop's `StepDecoder`
 * (src/generate/decoder.ts): `startCache` runs the encoder once on the source rows each decoding row
 * continues and keeps its states and mask in the cache as per-row tensors (reordered with beams); each
 * step runs the decoder on the new target tokens with the cache (self-attention keys/values appended,
 * cross-attention keys/values computed at the first step) and returns the last position's logits. The
 * prompts of `generate` are the decoder's: `[[decoderStartTokenId]]` per source row (T5: pad 0; BART:
 * eos 2; Marian: pad), as Hugging Face's `generate` starts encoder-decoders.
 */
import { ShapeError } from '../errors.js';
import { KeyValueCache } from '../generate/cache.js';
import type { StepDecoder } from '../generate/decoder.js';
import { indexSelect, noGrad, tensor, tidy, type Tensor } from '../tensor/index.js';
import type { EncoderDecoderBackbone } from './encoder-decoder.js';

const ENCODER_STATES = 'encoderHiddenStates';
const ENCODER_MASK = 'encoderAttentionMask';

/**
 * The `StepDecoder` of an encoder-decoder on a batch of sources.
 * @param source inputIds (N, S) int64 right-padded source rows and their attentionMask (N, S); the
 *   caller keeps ownership (they must live until generation ends).
 * @param lmHead decoder states (R, H) → logits (R, V); default the backbone's own (`lmLogits`); a
 *   text-to-text task's head adds its output bias.
 * @returns a decoder for prompts of N rows (`decoderPrompts(backbone, N)`).
 * @throws ShapeError for source tensors of different shapes.
 */
export function encoderDecoderLm(
  backbone: EncoderDecoderBackbone,
  source: { inputIds: Tensor; attentionMask?: Tensor },
  lmHead: (hiddenStates: Tensor) => Tensor = (h) => backbone.lmLogits(h),
): StepDecoder {
  const { inputIds, attentionMask } = source;
  if (attentionMask !== undefined && attentionMask.shape.join() !== inputIds.shape.join())
    throw new ShapeError(
      `source attentionMask must have the shape of inputIds [${inputIds.shape.join(', ')}], got [${attentionMask.shape.join(', ')}]`,
    );
  return {
    startCache(rowSource: readonly number[]): KeyValueCache {
      const cache = new KeyValueCache();
      try {
        noGrad(() =>
          tidy(() => {
            const rows = tensor(Int32Array.from(rowSource)).to('int64');
            const ids = indexSelect(inputIds, 0, rows);
            const mask = attentionMask === undefined ? undefined : indexSelect(attentionMask, 0, rows);
            cache.setRowTensor(ENCODER_STATES, backbone.encode(ids, mask)); // (R, S, H)
            if (mask !== undefined) cache.setRowTensor(ENCODER_MASK, mask);
          }),
        );
        return cache;
      } catch (e) {
        cache.dispose();
        throw e;
      }
    },
    step(decoderInputIds: Tensor, decoderAttentionMask: Tensor | undefined, cache: KeyValueCache): Tensor {
      return tidy(() => {
        const hidden = backbone.decode({
          decoderInputIds,
          encoderHiddenStates: cache.rowTensor(ENCODER_STATES)!,
          encoderAttentionMask: cache.rowTensor(ENCODER_MASK),
          decoderAttentionMask,
          cache,
        }); // (R, T, H)
        const T = hidden.shape[1] as number;
        return lmHead(hidden.select(1, T - 1)); // (R, V)
      });
    },
  };
}

/** The decoder prompts of `rows` sources: each the family's decoder start token alone. */
export function decoderPrompts(backbone: EncoderDecoderBackbone, rows: number): number[][] {
  return Array.from({ length: rows }, () => [backbone.config.decoderStartTokenId]);
}
