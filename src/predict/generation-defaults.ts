/**
 * The decoding options of one generation by TextGenerator (`mtl generate`, `mtl serve`, the library),
 * in Transformers' order of precedence: the options given (flags, request parameters) over the model
 * folder's generation_config.json (its `do_sample`, `temperature`, `top_k`, `top_p`,
 * `repetition_penalty`, `num_beams`, `length_penalty`, `early_stopping`, `no_repeat_ngram_size`,
 * `max_new_tokens` / `max_length`, `min_new_tokens` / `min_length`, as `GenerationConfig` applies them)
 * over our built-in defaults (`resolveGenerateOptions`'s, and 64 new tokens). For a checkpoint's seq2seq
 * task, TextGenerator puts the task's decoding options over the file's (./generate.ts; a checkpoint has no
 * file), as its export's generation_config.json holds them. The file's `eos_token_id` ends a text prompt's
 * generation (and a reply's: ./chat-reply.ts) in place of config.json's.
 *
 * Our built-in defaults differ from Transformers' where the file is silent: `top_k` 0 (no top-k filter;
 * Transformers' 50) and 64 new tokens (Transformers' `max_length` 20, prompt included). As in
 * Transformers, temperature, top-k and top-p act only when sampling (`do_sample`).
 */
import path from 'node:path';
import { CheckpointError, ConfigError } from '../errors.js';
import { DEFAULT_NEW_TOKENS, resolveGenerateOptions, type GenerateOptions } from '../generate/index.js';
import { generationEosTokenIds } from '../io/hf-generation-config.js';
import { readJsonObject } from '../json-object-file.js';

/** generation_config.json's decoding fields and the GenerateOptions field each sets. */
const FIELDS = {
  do_sample: 'doSample',
  temperature: 'temperature',
  top_k: 'topK',
  top_p: 'topP',
  repetition_penalty: 'repetitionPenalty',
  num_beams: 'numBeams',
  length_penalty: 'lengthPenalty',
  early_stopping: 'earlyStopping',
  no_repeat_ngram_size: 'noRepeatNgramSize',
  max_new_tokens: 'maxNewTokens',
  min_new_tokens: 'minNewTokens',
} as const satisfies Record<string, keyof GenerateOptions>;

/** The fields that act only when sampling (`do_sample`). */
const SAMPLING_FIELDS: ReadonlySet<string> = new Set(['temperature', 'top_k', 'top_p']);

/** A model folder's decoding defaults, from its generation_config.json ({} without one). */
export interface GenerationDefaults {
  /** The fields under their GenerateOptions names (each checked alone; combinations are checked when generating). */
  readonly options: GenerateOptions;
  /** `max_length`: prompt and new tokens together (an encoder-decoder's decoder tokens, its start token included); `max_new_tokens` wins over it. */
  readonly maxLength?: number;
  /** `min_length`, counted as `max_length` is; `min_new_tokens` wins over it. */
  readonly minLength?: number;
  /** `eos_token_id` (one id or a list, as a list): a text prompt's generation stops at any of them, not at config.json's eos. */
  readonly eosTokenIds?: readonly number[];
}

/** The options that are set (`{ maxNewTokens: undefined }` sets nothing). */
export const defined = (options: GenerateOptions): GenerateOptions =>
  Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as GenerateOptions;

/** A length field (`max_length`, `min_length`): an integer >= 0, or undefined when absent or null. */
function lengthField(file: string, config: Record<string, unknown>, key: string): number | undefined {
  const v = config[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new CheckpointError(`${file}: ${key} must be an integer >= 0, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * The decoding defaults of the model folder `dir`: its generation_config.json's decoding fields and its
 * eos_token_id (a field absent or null is not set; other fields — bos/pad ids, `use_cache` — are read
 * elsewhere or not at all).
 * A sampling field (temperature, top_k, top_p) whose number `generate` refuses is left out when the file
 * does not sample (`do_sample` absent or false; Transformers warns and ignores it), so a folder with
 * `"temperature": 0` and greedy decoding loads; a caller that turns sampling on then gets the built-in value.
 * @throws CheckpointError naming the file and the field for a value `generate` refuses
 *   (`…/generation_config.json: top_p must be a number in (0, 1], got "x"`; an eos_token_id that is not
 *   a token id or a list of them), and for a file that is not a JSON object.
 * @example
 *   readGenerationDefaults('models/Llama-2-7b-chat-hf'); // { options: { doSample: true, temperature: 0.6, topP: 0.9 }, maxLength: 4096, eosTokenIds: [2] }
 */
export function readGenerationDefaults(dir: string): GenerationDefaults {
  const file = path.join(dir, 'generation_config.json');
  const config = readJsonObject(file);
  const options: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(FIELDS)) {
    const value = config[key];
    if (value === undefined || value === null) continue;
    try {
      // the field alone, under a max_new_tokens that leaves min_new_tokens any value (their pair is checked when generating)
      resolveGenerateOptions({ maxNewTokens: Number.MAX_SAFE_INTEGER, [field]: value });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // Transformers only warns about a sampling field it will not use (`temperature: 0` beside `do_sample: false`)
      if (SAMPLING_FIELDS.has(key) && typeof value === 'number' && config.do_sample !== true) continue;
      throw new CheckpointError(`${file}: ${e.message.replace(/^generate: /, '').replace(new RegExp(`\\b${field}\\b`), key)}`);
    }
    options[field] = value;
  }
  const maxLength = lengthField(file, config, 'max_length');
  const minLength = lengthField(file, config, 'min_length');
  const eosTokenIds = generationEosTokenIds(dir);
  return {
    options: options as GenerateOptions,
    ...(maxLength === undefined ? {} : { maxLength }),
    ...(minLength === undefined ? {} : { minLength }),
    ...(eosTokenIds === undefined ? {} : { eosTokenIds }),
  };
}

/** Where a generation starts: what the folder's max_length and min_length count besides the new tokens. */
export interface GenerationStart {
  /** Tokens before the first new one: a decoder's prompt, an encoder-decoder's decoder start (1). */
  readonly promptTokens: number;
  /** The most new tokens the defaults may ask for (a server's --max-new-tokens); the given options are not capped. Default no limit. */
  readonly limit?: number;
}

/**
 * The options of one generation: `given` over `defaults` over the built-in ones (see the file comment).
 * `maxNewTokens`: given, else the file's max_new_tokens, else its max_length less the prompt (at least
 * 0), else 64 — a default at most `start.limit`. `minNewTokens` from the file (min_new_tokens, else
 * min_length less the prompt) is at most that maxNewTokens.
 * @param given the options the caller set (undefined entries count as unset).
 * @returns options for `generate` with maxNewTokens always set.
 */
export function decodingOptions(given: GenerateOptions, defaults: GenerationDefaults, start: GenerationStart): GenerateOptions {
  const set = defined(given);
  const file = defaults.options;
  const newTokens = (total: number | undefined) => (total === undefined ? undefined : Math.max(0, total - start.promptTokens));
  const byDefault = file.maxNewTokens ?? newTokens(defaults.maxLength) ?? DEFAULT_NEW_TOKENS;
  const maxNewTokens = set.maxNewTokens ?? Math.min(byDefault, start.limit ?? Infinity);
  const fileMin = file.minNewTokens ?? newTokens(defaults.minLength);
  const minNewTokens = set.minNewTokens ?? (fileMin === undefined ? undefined : Math.min(fileMin, maxNewTokens));
  return { ...file, ...set, maxNewTokens, ...(minNewTokens === undefined ? {} : { minNewTokens }) };
}

/**
 * The options a conversation's reply starts from (`replyPlan` fills in the rest): `given` over the
 * folder's decoding fields; its max_new_tokens (at most `limit`) only where `given` has none, so the
 * replier's own default still applies without either; its min_new_tokens at most the reply's max_new_tokens
 * (given, the file's, else 64 at most `limit`). The folder's max_length and min_length count
 * a prompt that is fitted to the reply's room afterwards, so a reply does not read them.
 */
export function replyOptions(given: GenerateOptions, defaults: GenerationDefaults, limit = Infinity): GenerateOptions {
  const set = defined(given);
  const { maxNewTokens, minNewTokens, ...file } = defaults.options;
  const fileMax = maxNewTokens === undefined ? undefined : Math.min(maxNewTokens, limit);
  const max = set.maxNewTokens ?? fileMax ?? Math.min(DEFAULT_NEW_TOKENS, limit);
  return {
    ...file,
    ...(fileMax === undefined ? {} : { maxNewTokens: fileMax }),
    ...(minNewTokens === undefined ? {} : { minNewTokens: Math.min(minNewTokens, max) }),
    ...set,
  };
}
