/**
 * The files augmentation caches its copies in (EDA's and back-translation's): `<dir>/<method>-<key>.json`,
 * key the first 16 hex digits of the SHA-256 of what the copies depend on, written whole or not at all.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The cache file of `method` for `keyParts` (JSON-serialisable) in `cacheDir`; undefined without a folder. */
export function cacheFileOf(cacheDir: string | undefined, method: string, keyParts: unknown): string | undefined {
  if (cacheDir === undefined) return undefined;
  const key = createHash('sha256').update(JSON.stringify(keyParts)).digest('hex').slice(0, 16);
  return path.join(cacheDir, `${method}-${key}.json`);
}

/** The cached value of `file`; undefined when there is no file (or no cache). */
export function readCacheFile<T>(file: string | undefined): T | undefined {
  return file !== undefined && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

/** Writes `value` to `file` through a temporary file and a rename, so the file is whole or absent; nothing without a file. */
export function writeCacheFile(file: string | undefined, value: unknown): void {
  if (file === undefined) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(value));
  renameSync(`${file}.tmp`, file);
}
