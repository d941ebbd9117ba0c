/**
 * A reader of uncompressed ("stored") zip archives, as `torch.save` writes them (PKWARE APPNOTE 6.3:
 * end of central directory, ZIP64 records, central directory, local headers). It lists the entries
 * and reads one by file offset, so a large archive is never in memory whole. Compressed entries are
 * refused: torch never compresses, and an archive that does is not one of its files.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CheckpointError } from '../errors.js';

/** Where one entry's bytes lie in the archive. */
export interface ZipEntry {
  readonly name: string;
  /** Offset of the entry's data in the file (bytes). */
  readonly offset: number;
  /** Length of the data (bytes). */
  readonly size: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const FFFF = 0xffff;
const FFFFFFFF = 0xffffffff;

/** An open archive: `entries` by name; `read(name)` its bytes. Close it (or `using`) when done. */
export class ZipReader implements Disposable {
  readonly entries: ReadonlyMap<string, ZipEntry>;
  readonly #fd: number;
  readonly #path: string;

  private constructor(path: string, fd: number, entries: Map<string, ZipEntry>) {
    this.#path = path;
    this.#fd = fd;
    this.entries = entries;
  }

  /**
   * Opens `path` and reads its central directory.
   * @throws CheckpointError when the file cannot be read, is not a zip archive, is cut short, or holds a compressed entry.
   */
  static open(path: string): ZipReader {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new CheckpointError(`${path}: cannot open (${(e as Error).message})`);
    }
    try {
      return new ZipReader(path, fd, readDirectory(path, fd));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** The bytes of entry `name`. @throws CheckpointError when there is no such entry. */
  read(name: string): Buffer {
    const e = this.entries.get(name);
    if (e === undefined) throw new CheckpointError(`${this.#path}: the archive has no entry '${name}'`);
    return readAt(this.#fd, e.offset, e.size, this.#path);
  }

  close(): void {
    closeSync(this.#fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** `length` bytes from `position`; throws when the file ends first. */
function readAt(fd: number, position: number, length: number, path: string): Buffer {
  const out = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, Math.min(length - done, 1 << 30), position + done);
    if (n === 0) throw new CheckpointError(`${path}: the file ends at byte ${position + done}, inside a zip record; it is truncated`);
    done += n;
  }
  return out;
}

const notZip = (path: string, why: string) => new CheckpointError(`${path}: not a zip archive as torch.save writes (${why})`);

/** The central directory's entries, each with the offset of its data (after the local header). */
function readDirectory(path: string, fd: number): Map<string, ZipEntry> {
  const size = fstatSync(fd).size;
  const tailLength = Math.min(size, 22 + FFFF); // the end record (22 bytes) and a comment of up to 64 KiB
  const tail = readAt(fd, size - tailLength, tailLength, path);
  let at = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw notZip(path, 'no end-of-central-directory record');
  let count = tail.readUInt16LE(at + 10);
  let dirSize = tail.readUInt32LE(at + 12);
  let dirOffset = tail.readUInt32LE(at + 16);
  if (count === FFFF || dirSize === FFFFFFFF || dirOffset === FFFFFFFF) {
    const locatorAt = at - 20;
    if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== ZIP64_LOCATOR) throw notZip(path, 'ZIP64 fields without a ZIP64 locator');
    const record = readAt(fd, Number(tail.readBigUInt64LE(locatorAt + 8)), 56, path);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw notZip(path, 'no ZIP64 end-of-central-directory record');
    count = Number(record.readBigUInt64LE(32));
    dirSize = Number(record.readBigUInt64LE(40));
    dirOffset = Number(record.readBigUInt64LE(48));
  }
  if (dirOffset + dirSize > size) throw notZip(path, 'the central directory lies beyond the end of the file');
  const dir = readAt(fd, dirOffset, dirSize, path);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL) throw notZip(path, `central directory entry ${i} is damaged`);
    const method = dir.readUInt16LE(p + 10);
    let compressed = dir.readUInt32LE(p + 20);
    let uncompressed = dir.readUInt32LE(p + 24);
    const nameLength = dir.readUInt16LE(p + 28);
    const extraLength = dir.readUInt16LE(p + 30);
    const commentLength = dir.readUInt16LE(p + 32);
    let localOffset = dir.readUInt32LE(p + 42);
    const name = dir.toString('utf8', p + 46, p + 46 + nameLength);
    // ZIP64 extended information (tag 0x0001): 8-byte values for the fields that read 0xFFFFFFFF, in this order
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const tag = dir.readUInt16LE(e);
      const length = dir.readUInt16LE(e + 2);
      if (tag === 0x0001) {
        let q = e + 4;
        const next = () => Number(dir.readBigUInt64LE((q += 8) - 8));
        if (uncompressed === FFFFFFFF) uncompressed = next();
        if (compressed === FFFFFFFF) compressed = next();
        if (localOffset === FFFFFFFF) localOffset = next();
      }
      e += 4 + length;
    }
    if (method !== 0) throw new CheckpointError(`${path}: entry '${name}' is compressed (method ${method}); torch.save never compresses`);
    if (compressed !== uncompressed) throw notZip(path, `entry '${name}' is stored with differing sizes`);
    const local = readAt(fd, localOffset, 30, path);
    if (local.readUInt32LE(0) !== LOCAL) throw notZip(path, `entry '${name}' has no local header`);
    const offset = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (offset + uncompressed > size) throw new CheckpointError(`${path}: entry '${name}' runs past the end of the file; it is truncated`);
    entries.set(name, { name, offset, size: uncompressed });
    p = extraEnd + commentLength;
  }
  return entries;
}
