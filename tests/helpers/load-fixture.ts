/**
 * Reading fixtures made by scripts/fixtures/*.py, without the tensor library (so tests of pure
 * code, e.g. metrics, need no native addon).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The `cases` object of tests/fixtures/<name>.json. */
export function loadFixture<T = Record<string, unknown>>(name: string): T {
  const doc = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as { cases: T };
  return doc.cases;
}

/** A fixture value with "nan"/"inf"/"-inf" (how common.py writes non-finite floats) turned back into numbers. */
export function decodeFinite<T>(v: T | 'nan' | 'inf' | '-inf'): T | number {
  return v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as T);
}
