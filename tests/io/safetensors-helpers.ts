/**
 * Helpers for the safetensors tests: a temporary folder, hand-made (possibly broken) files, and the
 * Python reader scripts/check_safetensors.py.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TensorFixture } from '../helpers/fixtures.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REFERENCE = path.join(ROOT, 'tests', 'fixtures', 'reference.safetensors');

/** A fresh temporary folder and a function that deletes it. */
export function tempFolder(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-safetensors-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Writes a safetensors file by hand: 8-byte length, header (JSON of `header` unless a string or
 * bytes are given, padded with spaces to 8), then `data`. `length` overrides the length field.
 */
export function craft(file: string, header: unknown, data: Uint8Array | number = 0, options: { length?: bigint } = {}): string {
  const json =
    header instanceof Uint8Array ? Buffer.from(header) : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
  json.copy(padded);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(options.length ?? BigInt(padded.length));
  const body = typeof data === 'number' ? Buffer.alloc(data) : Buffer.from(data);
  writeFileSync(file, Buffer.concat([length, padded, body]));
  return file;
}

/** What scripts/check_safetensors.py prints. */
export interface PythonView {
  header_length: number;
  metadata: Record<string, string>;
  order: string[];
  safetensors_dtypes: Record<string, string>;
  tensors: Record<string, TensorFixture>;
  int64_exact: Record<string, string[]>;
}

const PYTHON = '/usr/bin/python3';

/** Reads `file` with PyTorch (scripts/check_safetensors.py); throws with Python's message on failure. */
export function readWithPython(file: string): PythonView {
  const run = spawnSync(PYTHON, [path.join(ROOT, 'scripts', 'check_safetensors.py'), file], { encoding: 'utf8' });
  if (run.error !== undefined || /No module named 'torch'/.test(run.stderr)) {
    throw new Error(
      `these tests read files with PyTorch through ${PYTHON} (Debian's python3-torch), which is not available here ` +
        `(${run.error?.message ?? run.stderr.trim()}). Install it: apt-get install python3-torch, or \`bash scripts/setup.sh --test\`.`,
    );
  }
  if (run.status !== 0) throw new Error(`scripts/check_safetensors.py rejected ${file}: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout) as PythonView;
}
