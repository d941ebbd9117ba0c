/**
 * Writing a seq2seq task's targets (evaluation, prediction, back-translation): on an encoder-decoder
 * the decoder writes each target under its encoded source (./text-to-text.ts), on a decoder the LM
 * continues each prompt (./seq2seq-decoder.ts); both through src/generate's loop, stopping at the
 * rows' end token.
 */
import { ConfigError } from '../errors.js';
import type { GenerateOptions } from '../generate/index.js';
import type { Backbone } from '../models/backbone.js';
import type { Tokenizer } from '../tokenization/index.js';
import { CausalLmHead } from './causal-lm.js';
import { generateFromPrompts } from './seq2seq-decoder.js';
import type { Seq2seqOptions } from './seq2seq-options.js';
import { encoderDecoderOf, generateTargets, TextToTextHead } from './text-to-text.js';
import type { Batch, Task } from './types.js';

/** One example's generated target (evaluation, prediction), or its teacher-forced scores (`decode`). */
export interface Seq2seqPrediction {
  readonly exampleIndex: number;
  /** The generated text (special tokens skipped). Absent for teacher-forced scores. */
  readonly text?: string;
  readonly targetTokens?: number;
  readonly nll?: number;
  readonly correct?: number;
}

/**
 * Each row's target, generated with `decoding`: its ids (without the end token) and their text
 * (the tokenizer's decode, special tokens skipped, trimmed), in row order.
 * @param batch collated by the seq2seq task (sources; on a decoder, prompts).
 * @throws ConfigError when the task's head does not fit its backbone (a text-to-text head on an
 *   encoder-decoder, a causal-LM head on a decoder, as `decoder_only` says).
 */
export async function writeTargets(
  task: Task<Seq2seqOptions>,
  backbone: Backbone,
  tokenizer: Tokenizer,
  batch: Batch,
  decoding: GenerateOptions,
): Promise<{ tokens: number[]; text: string }[]> {
  const { name, options } = task.spec;
  const head = task.head;
  if (options.decoderOnly) {
    if (!(head instanceof CausalLmHead) || backbone.kind !== 'decoder')
      throw new ConfigError(
        `task '${name}': decoder_only is set, so its targets continue prompts on a decoder with a causal-LM head; this model has a ${backbone.kind} backbone and a ${head.constructor.name}`,
      );
    return generateFromPrompts(backbone, head, tokenizer, batch, decoding);
  }
  if (!(head instanceof TextToTextHead))
    throw new ConfigError(
      `task '${name}': an encoder-decoder seq2seq task writes with a text-to-text head, not a ${head.constructor.name}`,
    );
  return generateTargets(encoderDecoderOf(backbone, name), head, tokenizer, batch, decoding);
}
