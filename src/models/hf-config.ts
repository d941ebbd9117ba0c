// Reading and writing a family's fields in a Hugging Face config.json: each family names its
// camelCase fields' snake_case keys and JSON types; this file does the walk, the type checks and the
// renaming of error messages that every family shares.
import { ConfigError } from '../errors.js';

/** The JSON type a config.json entry must have. */
export type HfValueType = 'string' | 'number' | 'boolean';

/** How a family's config fields appear in config.json. */
export interface HfFields<F extends string> {
  /** Each camelCase field's config.json key. */
  readonly names: Readonly<Record<F, string>>;
  /** The JSON type of each field's value. */
  readonly typeOf: (field: F) => HfValueType;
  /** Fields for which `null` is a value (a token id that a vocabulary lacks). */
  readonly nullable?: ReadonlySet<F>;
  /** Whether `null` for any other field means "absent" (the family's default) rather than an error. */
  readonly nullIsDefault?: boolean;
}

/**
 * The camelCase fields present in `json`, type-checked.
 * @throws ConfigError naming the config.json key whose value has the wrong type.
 */
export function readHfFields<F extends string>(json: Readonly<Record<string, unknown>>, fields: HfFields<F>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of Object.keys(fields.names) as F[]) {
    const key = fields.names[f];
    const v = json[key];
    if (v === undefined) continue;
    if (v === null && !fields.nullable?.has(f)) {
      if (fields.nullIsDefault) continue;
    } else if (v === null || typeof v === fields.typeOf(f)) {
      out[f] = v;
      continue;
    }
    throw new ConfigError(`config.json: ${key} must be a ${fields.typeOf(f)}, got ${JSON.stringify(v)}`);
  }
  return out;
}

/**
 * `build()`, with the camelCase field names in its ConfigError messages replaced by their config.json
 * keys and the message prefixed with `config.json:`, so an invalid value read from config.json is named as the file names it.
 * @throws ConfigError (renamed) from `build`; other errors unchanged.
 */
export function namedAsHf<T, F extends string>(names: Readonly<Record<F, string>>, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const fields = Object.keys(names) as F[];
    const message = fields.reduce((m, f) => m.replace(new RegExp(`\\b${f}\\b`, 'g'), names[f]), e.message);
    throw new ConfigError(`config.json: ${message}`);
  }
}

/** `head` followed by each field of `config` under its config.json key. */
export function writeHfFields<F extends string, C extends Readonly<Record<F, unknown>>>(
  config: C,
  names: Readonly<Record<F, string>>,
  head: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const json: Record<string, unknown> = { ...head };
  for (const f of Object.keys(names) as F[]) json[names[f]] = config[f];
  return json;
}

/**
 * Rejects config.json entries that select an architecture variant not implemented.
 * @param supported each such key with the only value supported.
 * @param what the model, as the message names it ("this BERT encoder").
 * @throws ConfigError naming the key, its value and the supported one.
 */
export function rejectUnsupportedHf(
  json: Readonly<Record<string, unknown>>,
  supported: Readonly<Record<string, unknown>>,
  what: string,
): void {
  for (const [key, value] of Object.entries(supported)) {
    if (key in json && json[key] !== value)
      throw new ConfigError(`config.json has ${key} = ${JSON.stringify(json[key])}, but ${what} supports only ${JSON.stringify(value)}`);
  }
}
