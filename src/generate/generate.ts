/**
 * `generate`: continues prompts with a model that offers a decoding step (./decoder.ts), by greedy
 * decoding, sampling or beam search, with the decoding rules of ./processors.ts and a key/value
 * cache (./cache.ts). Inference only: every model call runs under `inferenceMode`; every tensor made is freed.
 */
import { ConfigError } from '../errors.js';
import { beamSearch } from './beam-search.js';
import type { GenerateHooks, Generation, Prompts, StepDecoder } from './decoder.js';
import { decodeGreedy } from './greedy.js';
import { resolveGenerateOptions, type GenerateOptions } from './options.js';

/**
 * Generates a continuation of each prompt. Prompts of different lengths are left-padded into one
 * batch; each row's result equals what the prompt alone gives.
 * @param prompts token ids per row (no padding; at least one token each).
 * @param hooks streaming (`onToken`), the text for stop strings (`decode`), cancelling (`signal`).
 * @returns one Generation per prompt, in order: the new tokens (without EOS) and why the row stopped.
 * @throws ConfigError for an invalid option (named), an empty prompt, or stopStrings without `hooks.decode`;
 *   the reason of `hooks.signal` once it is aborted (the generation stops before its next step).
 * @example
 *   const [{ tokens }] = await generate(causalLmDecoder(model), [[50256, 464]], { maxNewTokens: 16, eosTokenId: 50256 });
 */
export async function generate(
  decoder: StepDecoder,
  prompts: Prompts,
  options: GenerateOptions = {},
  hooks: GenerateHooks = {},
): Promise<Generation[]> {
  const o = resolveGenerateOptions(options);
  if (o.stopStrings.length > 0 && hooks.decode === undefined)
    throw new ConfigError('generate: stopStrings need a decode function (hooks.decode) to read the generated text');
  if (prompts.length === 0) return [];
  if (o.seeds !== undefined && o.seeds.length !== prompts.length)
    throw new ConfigError(`generate: seeds gives ${o.seeds.length} seeds for ${prompts.length} prompts; give one per prompt`);
  return o.numBeams > 1 ? beamSearch(decoder, prompts, o, hooks.signal) : decodeGreedy(decoder, prompts, o, hooks);
}
