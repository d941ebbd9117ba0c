/**
 * snake_case (the YAML file, Hugging Face's config.json) ↔ camelCase (TypeScript): the one place
 * where config keys change spelling, in both directions, at the type level and at run time.
 * Every key of the config schema is lowercase words joined by '_', so the two are exact inverses.
 */

/** `'max_grad_norm'` → `'maxGradNorm'`, as a type. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** A JSON-like value with every object key camelCased, as a type. */
export type Camelize<T> = T extends readonly (infer U)[]
  ? Camelize<U>[]
  : T extends object
    ? { [K in keyof T as K extends string ? CamelCase<K> : K]: Camelize<T[K]> }
    : T;

/** `'max_grad_norm'` → `'maxGradNorm'`: what a snake_case key (or a task name used as a key) becomes in the camelCase config. */
export const camelKey = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** `'maxGradNorm'` → `'max_grad_norm'`: the inverse of `camelKey`. */
export const snakeKey = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Where an object's keys are names the user chose (labels, task names), not config keys: a path of
 * keys from the root, '*' matching any key or array index. Its segments are single words, spelled
 * alike in both cases, so one list serves both directions.
 */
export type NamePath = readonly string[];

function mapKeys(value: unknown, rename: (key: string) => string, keep: readonly NamePath[], at: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((v, i) => mapKeys(v, rename, keep, [...at, String(i)]));
  if (value === null || typeof value !== 'object') return value;
  const verbatim = keep.some((p) => p.length === at.length && p.every((s, i) => s === '*' || s === at[i]));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [verbatim ? k : rename(k), verbatim ? v : mapKeys(v, rename, keep, [...at, k])]),
  );
}

/**
 * A deep copy of `value` with every object key in camelCase (`max_grad_norm` → `maxGradNorm`), except
 * the keys of the objects at `names` (kept as written, with their values).
 */
export function camelize<T>(value: T, names: readonly NamePath[] = []): Camelize<T> {
  return mapKeys(value, camelKey, names) as Camelize<T>;
}

/** The inverse of `camelize`: a deep copy with every object key in snake_case (`maxGradNorm` → `max_grad_norm`), except at `names`. */
export function snakeize(value: unknown, names: readonly NamePath[] = []): unknown {
  return mapKeys(value, snakeKey, names);
}
