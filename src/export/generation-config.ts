/**
 * generation_config.json of an exported language model: the special token ids generation starts,
 * pads and stops with, and the decoding settings `mtl generate` uses for the checkpoint (the task's
 * decoding defaults over `resolveGenerateOptions`'s), under Transformers' `GenerationConfig` names, so
 * `model.generate(...)` in Python decodes as `mtl generate` does.
 */
import type { BackboneConfig, BackboneKind } from '../models/backbone.js';
import { DEFAULT_NEW_TOKENS, resolveGenerateOptions, type GenerateOptions } from '../generate/index.js';
import type { TokenizerJson } from './hf-parts.js';

/** Token ids a config may name (decoders: bos, eos, pad; encoder-decoders also the decoder's first token). */
interface SpecialIds {
  readonly bosTokenId?: number | null;
  readonly eosTokenId?: number | null;
  readonly padTokenId?: number | null;
  readonly decoderStartTokenId?: number | null;
}

/** The tokenizer's id of the first of `tokens` it has as an added token, or undefined. */
function addedId(tokenizer: TokenizerJson, tokens: readonly string[]): number | undefined {
  for (const t of tokens) {
    const found = (tokenizer.added_tokens ?? []).find((a) => a.content === t);
    if (found?.id !== undefined) return found.id;
  }
  return undefined;
}

/** The id of the longest added token that `text` ends with (a chat turn's end-of-turn marker), or undefined. */
function endingId(tokenizer: TokenizerJson, text: string): number | undefined {
  const endings = (tokenizer.added_tokens ?? []).filter((a) => a.id !== undefined && a.content !== '' && text.endsWith(a.content));
  return endings.sort((a, b) => b.content.length - a.content.length)[0]?.id;
}

/**
 * The generation_config.json object of a model.
 * @param config the backbone's config (its bos/eos/pad/decoder-start ids win over the tokenizer's).
 * @param defaults the task's decoding defaults (GenerateOptions names); generate's own defaults otherwise,
 *   but for max_new_tokens: 64, `mtl generate`'s (`DEFAULT_NEW_TOKENS`).
 * @param endsWith the text the task's outputs end with (`HfExport.endsWith`): the id of the longest
 *   added token it ends with follows the eos in `eos_token_id`.
 * @throws ConfigError when `defaults` holds an unknown or invalid option.
 */
export function generationConfig(
  config: BackboneConfig,
  kind: BackboneKind,
  tokenizer: TokenizerJson,
  defaults: GenerateOptions = {},
  endsWith?: string,
): Record<string, unknown> {
  const ids = config as BackboneConfig & SpecialIds;
  const bos = ids.bosTokenId ?? addedId(tokenizer, ['<s>', '<|endoftext|>', '[CLS]']);
  const eos = ids.eosTokenId ?? addedId(tokenizer, ['</s>', '<|endoftext|>', '[SEP]']);
  const pad = ids.padTokenId ?? addedId(tokenizer, ['<pad>', '[PAD]']) ?? eos;
  const turnEnd = endsWith === undefined ? undefined : endingId(tokenizer, endsWith);
  const stops = [...new Set([eos, turnEnd].filter((id) => id !== undefined))];
  const eosTokenId = stops.length === 0 ? {} : { eosTokenId: stops.length === 1 ? stops[0] : stops };
  const o = resolveGenerateOptions({ maxNewTokens: DEFAULT_NEW_TOKENS, ...eosTokenId, ...defaults }); // as mtl generate decodes
  return {
    ...(bos === undefined ? {} : { bos_token_id: bos }),
    ...(o.eosTokenIds.length === 0 ? {} : { eos_token_id: o.eosTokenIds.length === 1 ? o.eosTokenIds[0] : [...o.eosTokenIds] }),
    ...(pad === undefined ? {} : { pad_token_id: pad }),
    ...(kind === 'encoder-decoder' && ids.decoderStartTokenId != null ? { decoder_start_token_id: ids.decoderStartTokenId } : {}),
    max_new_tokens: o.maxNewTokens,
    min_new_tokens: o.minNewTokens,
    do_sample: o.doSample,
    temperature: o.temperature,
    top_k: o.topK, // 0: no top-k filter, as ours
    top_p: o.topP,
    num_beams: o.numBeams,
    length_penalty: o.lengthPenalty,
    early_stopping: o.earlyStopping,
    no_repeat_ngram_size: o.noRepeatNgramSize,
    repetition_penalty: o.repetitionPenalty,
    ...(o.stopStrings.length === 0 ? {} : { stop_strings: [...o.stopStrings] }),
    use_cache: o.useCache,
  };
}
