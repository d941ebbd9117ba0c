/** The JSON object files of model folders (tokenizer_config.json, special_tokens_map.json, vocab.json, generation_config.json), read one way. */
import { existsSync, readFileSync } from 'node:fs';
import { CheckpointError } from './errors.js';

/**
 * The JSON object in `file`; {} when there is no such file (a folder may leave any of them out).
 * @throws CheckpointError naming the file when it is not JSON, or is JSON but not an object.
 */
export function readJsonObject(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`${file}: not readable JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CheckpointError(`${file}: expected a JSON object`);
  return v as Record<string, unknown>;
}
