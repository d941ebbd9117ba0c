/**
 * One generation with its text streamed (what `TextGenerator.generate` runs for a prompt or a reply):
 * the decoding loop's hooks decode its tokens a window at a time (src/generate/incremental-text.ts) and
 * release non-empty pieces of text (./text-deltas.ts); the returned text is the tokenizer's text of all
 * the generated tokens, decoded once at the end. A WordPiece tokenizer's text is read in the prompt's
 * context, its spaces around punctuation taken out (./continuation-text.ts).
 */
import type { GenerateHooks, GenerateOptions, Generation } from '../generate/index.js';
import type { Tokenizer } from '../tokenization/index.js';
import { ContinuationText } from './continuation-text.js';
import { defined } from './generation-defaults.js';
import { TextDeltas } from './text-deltas.js';

/** One prompt's continuation. */
export interface GeneratedText extends Generation {
  /** The generated text (without the prompt; cut before a stop string; a reply without the whitespace around it). */
  readonly text: string;
  /** A conversation's reply: the oldest turns left out of its prompt to make room (0: none); absent for a text prompt. */
  readonly droppedTurns?: number;
}

/** Where a streamed generation's text goes, and what stops it. */
export interface StreamTarget {
  /**
   * Called with each non-empty piece of text as a token releases it, with that token's id, then once
   * more without a token if text held back at the end remains; the next step waits for it.
   */
  readonly onText?: ((piece: string, token?: number) => unknown) | undefined;
  /** Aborting it stops the generation before its next step. */
  readonly signal?: AbortSignal | undefined;
  /** A conversation's reply: the text without the whitespace around it. */
  readonly reply?: boolean;
}

/**
 * Runs `run` (one row's generation) with the hooks that stream its text to `target.onText`, and returns
 * its result with its text.
 * @param context the prompt's token ids, in whose context a WordPiece continuation is read ([] for an encoder-decoder's target).
 * @param options the resolved decoding options `run` is given (undefined entries dropped); their stop strings cut the text.
 * @throws what `run` or `onText` throws (the generation ends there).
 */
export async function streamedGeneration(
  tokenizer: Tokenizer,
  context: readonly number[],
  run: (given: GenerateOptions, hooks: GenerateHooks) => Promise<Generation>,
  options: GenerateOptions,
  target: StreamTarget,
): Promise<GeneratedText> {
  const { onText, signal } = target;
  const stops = options.stopStrings ?? [];
  const decode = (tokens: readonly number[]) => tokenizer.decode(tokens);
  // a WordPiece decoder's text is read in the prompt's context, punctuation's spaces taken out (./continuation-text.ts)
  const readable = tokenizer.decoderType === 'WordPiece' ? new ContinuationText(decode, context) : undefined;
  const deltas = new TextDeltas(stops, target.reply === true);
  let streamed = ''; // the generated text so far, as the loop decodes it a window at a time
  const onToken = async (_row: number, token: number, piece?: string): Promise<void> => {
    if (onText === undefined) return;
    streamed += readable === undefined ? (piece ?? '') : await readable.push(token);
    const delta = deltas.next(streamed);
    if (delta !== '') await onText(delta, token);
  };
  // the loop decodes text only for what needs it: a stream, stop strings
  const hooks: GenerateHooks = {
    ...(onText !== undefined || stops.length > 0 ? { decode, onToken } : {}),
    ...(signal === undefined ? {} : { signal }),
  };
  const result = await run(defined(options), hooks);
  const whole = readable === undefined ? await decode(result.tokens) : await ContinuationText.of(decode, context, result.tokens);
  const { text, rest } = deltas.finish(whole);
  if (onText !== undefined && rest !== '') await onText(rest);
  return { ...result, text };
}
