/**
 * Writing safetensors files atomically: the file is written under a temporary name in the target's
 * folder, flushed to disk (fsync), then renamed over the target, so a reader sees either the old
 * file or the complete new one, never a partial one.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { CheckpointError, ConfigError, MtlError } from '../errors.js';
import { Tensor } from '../tensor/index.js';
import { encodeHeader } from './safetensors-header.js';
import { assertLittleEndian } from './safetensors-read.js';

/** Tensors by name, as a plain object or a Map. */
export type NamedTensors = Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>;

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

function checkMetadata(metadata: unknown): Record<string, string> | undefined {
  if (metadata === undefined) return undefined;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw new ConfigError('safetensors metadata must be an object of strings');
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string')
      throw new ConfigError(
        `safetensors metadata holds only strings, but '${k}' is ${typeof v}; convert it with String() or JSON.stringify()`,
      );
  }
  return metadata as Record<string, string>;
}

/** Flushes a folder's entry list so that a rename in it survives a crash (POSIX only). */
function fsyncFolder(folder: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes tensors (copied to the CPU one at a time, so memory holds at most one tensor's copy) to a
 * safetensors file that Python's `safetensors` reads. Layout as the reference writer: tensors sorted
 * by descending dtype alignment, then by name, so each starts at a multiple of its element size;
 * header padded with spaces to 8 bytes; "__metadata__" first, keys sorted.
 * @param file the target path; replaced atomically (temporary file in the same folder, fsync, rename).
 * @param metadata free-form strings stored under "__metadata__".
 * @throws ConfigError for a tensor named "__metadata__", a non-Tensor value or non-string metadata;
 *   CheckpointError when the file cannot be written (the target is then left as it was).
 * @example
 *   saveSafetensors('out/model.safetensors', { 'pooler.dense.bias': bias }, { format: 'pt' });
 */
export function saveSafetensors(file: string, tensors: NamedTensors, metadata?: Readonly<Record<string, string>>): void {
  assertLittleEndian();
  const named = new Map<string, Tensor>(tensors instanceof Map ? tensors : Object.entries(tensors));
  for (const [name, t] of named) {
    if (!(t instanceof Tensor))
      throw new ConfigError(`'${name}' is not a Tensor (got ${t === null ? 'null' : typeof t}); saveSafetensors takes tensors by name`);
  }
  const header = encodeHeader(
    [...named].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape })),
    checkMetadata(metadata),
  );
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.bytes.length));

  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx');
    writeAll(fd, length);
    writeAll(fd, header.bytes);
    for (const e of header.entries) {
      const data = (named.get(e.name) as Tensor).dataSync();
      if (data.byteLength !== e.end - e.begin) {
        throw new CheckpointError(
          `${file}: tensor '${e.name}' gave ${data.byteLength} bytes, its header entry says ${e.end - e.begin}; was it changed while saving?`,
        );
      }
      writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    const leftover = removeIfPresent(temp);
    if (e instanceof MtlError && leftover === undefined) throw e;
    throw new CheckpointError(
      `${file}: could not write the safetensors file (${(e as Error).message}); any previous file there is unchanged${leftover ?? ''}`,
    );
  }
  fsyncFolder(path.dirname(file));
}

/** Deletes a temporary file; returns a note for the error message when that fails. */
function removeIfPresent(file: string): string | undefined {
  try {
    unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      return `; the temporary file ${file} could not be removed (${(e as Error).message})`;
  }
  return undefined;
}
