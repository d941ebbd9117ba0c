/**
 * What a model offers the decoding loop (./generate.ts): a cache to start with and one step from
 * tokens to next-token logits. Decoder-only families (gpt2, llama) and encoder-decoder families (t5,
 * bart) each adapt to it; the loop knows nothing else of them.
 */
import type { Tensor } from '../tensor/index.js';
import type { KeyValueCache } from './cache.js';

/** One generation's input rows: token ids, no padding, at least one token each. */
export type Prompts = readonly (readonly number[])[];

export interface StepDecoder {
  /**
   * A cache for R decoding rows, where row r continues input row `rowSource[r]` (beam search repeats
   * each input row numBeams times). Decoder-only models return an empty cache; encoder-decoder models
   * run their encoder here once and keep its states (and mask) per row in the cache.
   */
  startCache(rowSource: readonly number[]): KeyValueCache;
  /**
   * Runs the model on the new tokens of each row and returns the logits of the token after each row's
   * last one, filling `cache` with the new tokens' keys and values.
   * @param inputIds (R, T) int64 new tokens (the left-padded prompts at the first step, then (R, 1)).
   * @param attentionMask (R, P + T) int64, 1 = a real token, over the P cached and the T new tokens;
   *   undefined when every token is real (no row padded), so the model builds no padding mask.
   * @returns (R, V) float32 logits, owned by the caller (or the enclosing tidy).
   */
  step(inputIds: Tensor, attentionMask: Tensor | undefined, cache: KeyValueCache): Tensor;
}

/** Why a row stopped: its EOS token, a stop string in its text, or `maxNewTokens`. */
export type FinishReason = 'eos' | 'stop' | 'length';

/** One input row's generation. */
export interface Generation {
  /** The generated token ids, without the prompt and without the EOS token. */
  readonly tokens: number[];
  readonly finishReason: FinishReason;
  /** Beam search: the hypothesis's score, Σ log p / length^lengthPenalty. Greedy and sampling: undefined. */
  readonly score?: number;
}

/** Callbacks of a generation; each may be asynchronous (the next step waits for it). */
export interface GenerateHooks {
  /**
   * Called for each token as it is chosen (greedy and sampling; beam search knows its tokens only at
   * the end), with the text the token adds to its row's generated text when `decode` is given ('' while
   * a character is incomplete; ./incremental-text.ts). What it throws ends the generation.
   */
  readonly onToken?: (row: number, token: number, text?: string) => void | Promise<void>;
  /**
   * Text of token ids (a tokenizer's decode): needed for `stopStrings`. Each step decodes a row's
   * recent tokens only (a window of at most 32), not all of its generated tokens.
   */
  readonly decode?: (ids: readonly number[]) => string | Promise<string>;
  /**
   * Aborting it ends the generation before its next step (greedy, sampling and beam search), which
   * then rejects with the signal's reason. With a signal the loop lets the event loop run before each
   * step, so an abort from a timer or a message is seen within one step.
   */
  readonly signal?: AbortSignal;
}
