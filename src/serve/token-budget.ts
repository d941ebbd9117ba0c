/**
 * What a request costs the model, in tokens, known before tokenizing: every token the encoder reads
 * is a special token ([CLS], [SEP]) or covers at least one character of the text, and of one text it
 * reads at most max_length tokens (the Predictor gives a words or text task its first max_length
 * words). A pair is read whole (extractive QA reads a long context in windows of max_length), so it
 * counts all its characters. A dialogue (chat) is bounded by max_length, as the chat task cuts its prompt. A model call over inputs padded to the longest costs about
 * `count × longest bound` tokens of activations. The server refuses a request over its token budget
 * and splits the inputs of one call into batches within the per-batch budget (`planBatches`).
 */
import type { PredictInput } from '../predict/predict.js';

/** [CLS] and [SEP] around one text; a pair adds its second [SEP]. */
const SPECIAL_TOKENS = 2;

/** Tokens a chat template writes per turn besides the role and content characters, at most in ChatML (`<|im_start|>`, `\n`, `<|im_end|>`, `\n`), used when max_length is unknown. */
const CHAT_MARKUP_PER_TURN = 4;

/**
 * Tokens the encoder reads of `input` at most: one text's characters plus the special tokens, never
 * over `maxLength` (the encoder's truncation); a pair's characters plus its three special tokens
 * (windows of a long context overlap, so QA reads a little more).
 * @param maxLength the model's max_length, tokens; Infinity when unknown.
 */
export function tokenBound(input: PredictInput, maxLength: number): number {
  if (input.messages !== undefined) {
    // the chat template writes markup (role headers, end-of-turn tokens) beyond the messages' characters;
    // the chat task cuts its prompt to max_length, so that is the bound when known
    if (Number.isFinite(maxLength)) return maxLength;
    return input.messages.reduce((n, m) => n + m.role.length + m.content.length + CHAT_MARKUP_PER_TURN, SPECIAL_TOKENS);
  }
  if (input.textPair !== undefined) return input.text.length + input.textPair.length + SPECIAL_TOKENS + 1;
  return Math.min(maxLength, input.text.length + SPECIAL_TOKENS);
}

/**
 * Consecutive batches over inputs whose token bounds are `bounds`: each batch of at most `maxBatch`
 * inputs and at most `maxBatchTokens` padded tokens (its count × its largest bound), except that an
 * input alone over the budget still makes a batch of one.
 * @returns the sizes of the batches, in order (they sum to `bounds.length`).
 */
export function planBatches(bounds: readonly number[], maxBatch: number, maxBatchTokens: number): number[] {
  const sizes: number[] = [];
  let size = 0;
  let longest = 0;
  for (const bound of bounds) {
    const wider = Math.max(longest, bound);
    if (size > 0 && (size + 1 > maxBatch || (size + 1) * wider > maxBatchTokens)) {
      sizes.push(size);
      size = 0;
      longest = 0;
    }
    size += 1;
    longest = Math.max(longest, bound);
  }
  if (size > 0) sizes.push(size);
  return sizes;
}
