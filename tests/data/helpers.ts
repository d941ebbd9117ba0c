/**
 * Helpers for the data-reader tests: where the shared datasets live, a temp folder for malformed
 * files, and an assertion that a DataError names the file and line.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '../../src/errors.js';

export { dataset, needs } from '../helpers/datasets.js';

/** A fresh temp folder; `write` puts a file in it (parent folders made), `remove` deletes it all. */
export function tempFolder() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mtl-data-'));
  return {
    dir,
    write(name: string, content: string | Uint8Array): string {
      const file = path.join(dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Asserts that `fn` throws a DataError whose message starts with `where` (a file, or `file:line`)
 * followed by `: ` and then matches `problem`.
 */
export function throwsDataError(fn: () => unknown, where: string, problem: RegExp | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_DATA');
    assert.ok(e.message.startsWith(`${where}: `), `expected the message to start with "${where}: ", got: ${e.message}`);
    const rest = e.message.slice(where.length + 2);
    assert.match(rest, typeof problem === 'string' ? new RegExp(escape(problem)) : problem);
    return true;
  });
}
