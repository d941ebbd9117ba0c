/**
 * Replacing a whole folder atomically, as far as POSIX allows. A checkpoint is written into a
 * temporary sibling folder (`.<name>.tmp-<pid>-<random>`), every file and the folder are flushed to
 * disk (fsync), and then it takes the target's place:
 *
 *   1. rename <name>            → .<name>.previous   (only when <name> exists)
 *   2. rename .<name>.tmp-…     → <name>
 *   3. fsync the parent folder, delete .<name>.previous
 *
 * rename(2) cannot replace a non-empty folder, hence the two renames. A crash between 1 and 2 leaves
 * only `.<name>.previous`: readers then read that (`readableFolder`), and the next write first renames
 * it back (`recoverFolder`); a crash after 2 leaves a stale `.<name>.previous`, which the next write
 * deletes. So a reader always finds the previous complete checkpoint or the new complete one, and a
 * failed write leaves the previous one as it was. Readers never change anything on disk (a reader may
 * run beside the training process); there is one writer per folder at a time.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { CheckpointError, MtlError } from '../errors.js';

const exists = (p: string): boolean => {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
};

/** The sibling that holds the previous folder during a replacement. */
export const previousOf = (dir: string): string => path.join(path.dirname(dir), `.${path.basename(dir)}.previous`);

/** The folder to read for `dir`: `dir` itself, or its `.previous` sibling while a replacement is half done (or a crash interrupted one). */
export function readableFolder(dir: string): string {
  const previous = previousOf(dir);
  return !exists(dir) && exists(previous) ? previous : dir;
}

/** Flushes a file's or folder's data and entry list to disk (folders: POSIX only). */
export function fsyncPath(p: string): void {
  if (process.platform === 'win32' && statSync(p).isDirectory()) return;
  const fd = openSync(p, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Finishes or undoes a replacement that a crash interrupted: brings back `.<name>.previous` when
 * `<name>` is missing, deletes it when `<name>` is there; deletes temporary folders of earlier writers.
 * For writers only (it would disturb a write in progress).
 * @returns whether the previous folder was brought back.
 */
export function recoverFolder(dir: string): boolean {
  const previous = previousOf(dir);
  let restored = false;
  if (exists(previous)) {
    if (exists(dir)) rmSync(previous, { recursive: true, force: true });
    else {
      renameSync(previous, dir);
      restored = true;
    }
  }
  const parent = path.dirname(dir);
  const tmpPrefix = `.${path.basename(dir)}.tmp-`;
  if (exists(parent))
    for (const name of readdirSync(parent))
      if (name.startsWith(tmpPrefix)) rmSync(path.join(parent, name), { recursive: true, force: true });
  return restored;
}

/**
 * Writes a folder atomically: `write(tmp)` fills a fresh temporary sibling folder, `check(tmp)` may
 * validate it; then every file is fsynced and the folder replaces `dir` as described above.
 * @throws CheckpointError (or the MtlError that `write` or `check` threw) after removing the temporary
 *   folder; `dir` is then unchanged.
 */
export function writeFolderAtomically(dir: string, write: (tmp: string) => void, check?: (tmp: string) => void): void {
  const parent = path.dirname(path.resolve(dir));
  try {
    mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw new CheckpointError(`cannot create the folder ${parent} for the checkpoint ${dir}: ${(e as Error).message}`, e);
  }
  recoverFolder(dir);
  const tmp = path.join(parent, `.${path.basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(tmp);
    write(tmp);
    check?.(tmp);
    for (const name of readdirSync(tmp)) fsyncPath(path.join(tmp, name));
    fsyncPath(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof MtlError) throw e;
    throw new CheckpointError(
      `could not write the checkpoint ${dir} (${(e as Error).message}); the previous checkpoint there is unchanged`,
      e,
    );
  }
  commit(tmp, dir);
}

/** Steps 1–3 of the file comment; on failure, puts the previous folder back. */
function commit(tmp: string, dir: string): void {
  const previous = previousOf(dir);
  const hadPrevious = exists(dir);
  try {
    if (hadPrevious) renameSync(dir, previous);
    try {
      renameSync(tmp, dir);
    } catch (e) {
      if (hadPrevious) renameSync(previous, dir);
      throw e;
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new CheckpointError(
      `could not move the new checkpoint into ${dir} (${(e as Error).message}); the previous checkpoint there is unchanged`,
      e,
    );
  }
  fsyncPath(path.dirname(path.resolve(dir))); // the renames reach the disk
  rmSync(previous, { recursive: true, force: true });
}

/** Writes `value` as indented JSON with a final newline (the checkpoint's small files: config.json, tasks.json, …). */
export function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
