/**
 * What every encoder-decoder family (t5, bart, marian) does the same way around its own stacks:
 * `encode` (shared embeddings → encoder stack), `decode` (shared embeddings → decoder stack with
 * cross-attention over the encoder's states and an optional cache) and `forward` (Hugging Face's
 * `…Model`: the encoder's states alone, or the decoder's too). A family supplies the shared
 * embedding, its two stacks and its LM head (`lmLogits`).
 */
import { ShapeError } from '../errors.js';
import type { Embedding } from '../nn/embedding.js';
import { Module } from '../nn/module.js';
import { tidy, type Tensor } from '../tensor/index.js';
import {
  maskBias,
  shiftTokensRight,
  type AttentionCache,
  type CrossInputs,
  type DecoderInputs,
  type EncoderDecoderConfig,
  type EncoderDecoderInputs,
  type EncoderDecoderOutput,
} from './encoder-decoder.js';
import { checkModelInputs } from './inputs.js';

/** An encoder or decoder stack: embedded tokens (B, T, H) → states (B, T, H); the decoder's with cross-attention and a cache of P tokens. */
export interface EncoderDecoderStack {
  forward(embedded: Tensor, mask: Tensor | undefined, cross?: CrossInputs, cache?: AttentionCache, P?: number): Tensor;
}

export abstract class EncoderDecoderModel extends Module {
  abstract readonly config: EncoderDecoderConfig;
  /** The token embedding both stacks read (`shared` in Hugging Face's names). */
  abstract readonly shared: Embedding;
  abstract readonly encoder: EncoderDecoderStack;
  abstract readonly decoder: EncoderDecoderStack;

  /**
   * The encoder's last hidden states.
   * @param inputIds (B, S) int64; @param attentionMask (B, S) 1 = real token, or undefined.
   * @returns (B, S, H).
   * @throws ShapeError for inputs that are not (B, S) or longer than maxPositionEmbeddings.
   */
  encode(inputIds: Tensor, attentionMask?: Tensor): Tensor {
    checkModelInputs(
      { inputIds, attentionMask },
      this.config.maxPositionEmbeddings,
      `maxPositionEmbeddings (${this.config.maxPositionEmbeddings})`,
    );
    return tidy(() => this.encoder.forward(this.shared.forward(inputIds), attentionMask));
  }

  /**
   * The decoder's last hidden states over the encoder's (teacher-forced, or a step with a cache).
   * @returns (B, T, H).
   * @throws ShapeError for inconsistent shapes or a target past maxPositionEmbeddings.
   */
  decode(inputs: DecoderInputs): Tensor {
    const { decoderInputIds, encoderHiddenStates, encoderAttentionMask, decoderAttentionMask, cache } = inputs;
    const ids = decoderInputIds.shape;
    if (ids.length !== 2) throw new ShapeError(`decoderInputIds must be (B, T), got [${ids.join(', ')}]`);
    const [B, T] = ids as [number, number];
    const enc = encoderHiddenStates.shape;
    if (enc.length !== 3 || enc[0] !== B) throw new ShapeError(`encoderHiddenStates must be (B = ${B}, S, H), got [${enc.join(', ')}]`);
    const P = cache?.length ?? 0;
    if (P + T > this.config.maxPositionEmbeddings)
      throw new ShapeError(
        `the target has ${P + T} tokens, more than maxPositionEmbeddings (${this.config.maxPositionEmbeddings}); truncate it`,
      );
    return tidy(() => {
      const S = enc[1] as number;
      // the encoder mask's bias: none without a mask; with a cache, computed at the first step and kept
      const crossBias = (mask: Tensor) => (): Tensor => maskBias(mask, B, 1, S, false, encoderHiddenStates.dtype); // (B, 1, 1, S)
      const bias =
        encoderAttentionMask === undefined
          ? undefined
          : (cache?.rowEntry?.('encoderAttentionBias', crossBias(encoderAttentionMask)) ?? crossBias(encoderAttentionMask)());
      const cross: CrossInputs = { encoder: encoderHiddenStates, bias };
      return this.decoder.forward(this.shared.forward(decoderInputIds), decoderAttentionMask, cross, cache, P);
    });
  }

  /**
   * Encodes `inputIds`; with `decoderInputIds` (or `decoderLabels`, shifted right), also decodes: then
   * `lastHiddenState` is the decoder's (B, T, H) and `encoderLastHiddenState` the encoder's (B, S, H).
   * Without, `lastHiddenState` is the encoder's (for encoder task heads). `tokenTypeIds` are ignored.
   * @throws ShapeError for inputs of the wrong shape or too long.
   */
  forward(inputs: EncoderDecoderInputs): EncoderDecoderOutput {
    return tidy(() => {
      const encoder = this.encode(inputs.inputIds, inputs.attentionMask);
      const { decoderLabels } = inputs;
      const c = this.config;
      const decoderInputIds =
        inputs.decoderInputIds ??
        (decoderLabels === undefined ? undefined : shiftTokensRight(decoderLabels, c.decoderStartTokenId, c.padTokenId ?? 0));
      if (decoderInputIds === undefined) return { lastHiddenState: encoder };
      const decoded = this.decode({
        decoderInputIds,
        encoderHiddenStates: encoder,
        encoderAttentionMask: inputs.attentionMask,
        decoderAttentionMask: inputs.decoderAttentionMask,
      });
      return { lastHiddenState: decoded, encoderLastHiddenState: encoder };
    });
  }
}
