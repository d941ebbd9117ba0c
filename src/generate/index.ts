/**
 * Decoding: the key/value cache, the step a model offers the decoding loop, decoding rules, greedy
 * decoding, sampling and beam search. Knows nothing of model families (they adapt to `StepDecoder`).
 */
export { KeyValueCache, type KeyValues } from './cache.js';
export type { FinishReason, GenerateHooks, Generation, Prompts, StepDecoder } from './decoder.js';
export { generate } from './generate.js';
export {
  DEFAULT_NEW_TOKENS,
  GENERATE_OPTION_KEYS,
  resolveGenerateOptions,
  type GenerateOptions,
  type ResolvedGenerateOptions,
} from './options.js';
