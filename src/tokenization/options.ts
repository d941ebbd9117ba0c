/**
 * Validation of the option objects of this folder, at the boundary: unknown keys are rejected with the
 * nearest valid key suggested, numbers are checked for range.
 */
import { ConfigError } from '../errors.js';

/** Throws when `options` has a key outside `known`, naming the nearest known key. */
export function rejectUnknownKeys(where: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const nearest = [...known].sort((a, b) => editDistance(key, a) - editDistance(key, b))[0];
    throw new ConfigError(
      `${where}: unknown option "${key}"${nearest ? ` (did you mean "${nearest}"?)` : ''}; valid options: ${known.join(', ')}`,
    );
  }
}

/** Throws unless `value` is an integer no smaller than `min`. */
export function checkInteger(where: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${where}: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}

/** Levenshtein distance between two short strings. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
