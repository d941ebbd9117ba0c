/**
 * What a Hugging Face folder's `generation_config.json` says about where generation stops: its
 * `eos_token_id`, one id or a list (Llama 3 Instruct: `[128001, 128009]`, `<|end_of_text|>` and the
 * end-of-turn `<|eot_id|>`; Qwen2 Instruct: `[151645, 151643]`), which Transformers' `generate` stops at
 * in place of config.json's `eos_token_id`.
 */
import path from 'node:path';
import { CheckpointError } from '../errors.js';
import { readJsonObject } from '../json-object-file.js';

/**
 * The token ids generation stops at by `dir`'s generation_config.json (`eos_token_id`, one or a list);
 * undefined when the folder has no such file or the file names none (absent or null).
 * @throws CheckpointError naming the file and field for a file that is not a JSON object, or an
 *   `eos_token_id` that is not a token id (integer ≥ 0) or a list of them.
 * @example
 *   generationEosTokenIds('models/llama-3-8b-instruct'); // [128001, 128009]
 */
export function generationEosTokenIds(dir: string): readonly number[] | undefined {
  const file = path.join(dir, 'generation_config.json');
  const config = readJsonObject(file);
  const eos = config.eos_token_id;
  if (eos === undefined || eos === null) return undefined;
  const ids = Array.isArray(eos) ? eos : [eos];
  if (!ids.every((id) => Number.isInteger(id) && (id as number) >= 0))
    throw new CheckpointError(`${file}: eos_token_id must be a token id (an integer >= 0) or a list of them, got ${JSON.stringify(eos)}`);
  return ids as number[];
}
