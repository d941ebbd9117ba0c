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

function mapKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, rename));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [rename(k), mapKeys(v, rename)]));
}

/** A deep copy of `value` with every object key in camelCase (`max_grad_norm` → `maxGradNorm`). */
export function camelize<T>(value: T): Camelize<T> {
  return mapKeys(value, camelKey) as Camelize<T>;
}

/** The inverse of `camelize`: a deep copy with every object key in snake_case (`maxGradNorm` → `max_grad_norm`). */
export function snakeize(value: unknown): unknown {
  return mapKeys(value, snakeKey);
}
