/**
 * The keys of the `encoder:` block checked against the family they configure, with their lines, before
 * anything is read or built: a new encoder of a `model_type` other than bert may hold its family's
 * own keys (T5's d_kv, Llama's rope_theta; BERT's are the schema's), and the keys beside `from` must
 * be fields of the family of `from`'s config.json (T5 has no attention_probs_dropout_prob). This layer
 * cannot import src/models: the caller passes the registry's keys in (`ModelFamilies`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { suggestion } from './issues.js';
import { ENCODER_ARCHITECTURE_KEYS, ENCODER_KEYS, type SnakeTrainingConfig } from './schema.js';
import type { ConfigPath } from './yaml-source.js';

type Encoder = SnakeTrainingConfig['encoder'];
type Issue = { path: ConfigPath; message: string };

/** What this layer knows of src/models' registry, passed in by the caller (./load.ts `ParseOptions`); absent: not checked here. */
export interface ModelFamilies {
  /** The `model_type`s a new encoder may name. */
  readonly modelTypes?: readonly string[];
  /**
   * The snake_case keys of `modelType`'s config (src/models `familyConfigKeys`), which a new encoder's
   * block may hold beside from, model_type, vocab_size and reinit_*.
   */
  readonly familyKeys?: (modelType: string) => readonly string[];
}

/** Keys a new encoder of any family may hold beside its family's own: the family named, the vocabulary sized; from / reinit_* are checked apart. */
const COMMON_KEYS: readonly string[] = ['from', 'model_type', 'vocab_size', 'reinit_pooler', 'reinit_layers'];

/**
 * Each key of a new encoder of `e.model_type` that is not its family's, at ['encoder', key], with the
 * family's nearest key.
 * @example checkFamilyKeys({ model_type: 't5', d_kvv: 8 }, familyConfigKeys) // [{ path: ['encoder', 'd_kvv'], message: "unknown key 'd_kvv' for model_type t5; did you mean 'd_kv'?" }]
 */
export function checkFamilyKeys(e: Encoder, familyKeys: (modelType: string) => readonly string[]): Issue[] {
  const type = e.model_type ?? 'bert';
  const valid = [...COMMON_KEYS, ...familyKeys(type)];
  return Object.keys(e)
    .filter((key) => e[key] !== undefined && !valid.includes(key))
    .map((key) => ({ path: ['encoder', key], message: `unknown key '${key}' for model_type ${type}${suggestion(key, valid)}` }));
}

/** The `model_type` of a model folder's config.json ('bert' when it names none, as older folders); undefined when it cannot be read (the run reports that). */
function folderModelType(dir: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { model_type?: unknown };
    return json.model_type === undefined ? 'bert' : typeof json.model_type === 'string' ? json.model_type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Each dropout or initialisation key beside `from` (an existing model folder, resolved) that the
 * family of its config.json does not have, at ['encoder', key]: the schema allows them there, but not
 * every family has them (T5 and BART have no attention_probs_dropout_prob). Architecture keys and
 * unknown ones beside `from` are ./checks.ts's.
 */
export function checkFromKeys(e: Encoder, familyKeys: (modelType: string) => readonly string[], modelTypes: readonly string[]): Issue[] {
  const type = e.from === undefined ? undefined : folderModelType(e.from);
  if (type === undefined || !modelTypes.includes(type)) return [];
  const overrides = ENCODER_KEYS.filter((k) => !(ENCODER_ARCHITECTURE_KEYS as readonly string[]).includes(k) && !COMMON_KEYS.includes(k));
  const own = familyKeys(type);
  const valid = overrides.filter((k) => own.includes(k));
  return overrides
    .filter((key) => e[key] !== undefined && !own.includes(key))
    .map((key) => ({
      path: ['encoder', key],
      message:
        `'${key}' is no key of the model_type ${type} of ${path.join(e.from!, 'config.json')}; ` +
        `beside 'from' it may change ${valid.join(', ')}`,
    }));
}
