/**
 * A plain-text corpus: one document or sentence per line (the masked-LM input), of any size. The
 * file is read in chunks from a byte offset and split into lines as bytes, so memory stays bounded by
 * the chunk, the longest line and the lines asked for; each line is decoded as strict UTF-8 on its own
 * (Node's readline decodes with replacement characters, which would hide damaged bytes), so a bad byte
 * is reported with its file:line. Blank lines (only whitespace) are skipped; a leading byte-order mark
 * and CR of CRLF are removed. A file whose first line end is a bare CR (classic Mac OS) has CR, CRLF
 * and LF line ends, as the other readers read it (`normalizeLineEnds` in ./source.ts).
 *
 * `readPlainTextWindow` reads the next N lines from a `TextPosition` (byte offset and line number) and
 * says where it stopped, so a trainer can walk a corpus window by window and resume mid-file;
 * `streamPlainText` and `readPlainText` are built on it.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigError, DataError } from '../../errors.js';
import type { TextExample } from '../example.js';

export interface PlainTextOptions {
  /** Read at most this many non-blank lines (documents). Default: all. */
  readonly maxLines?: number;
  /** Bytes read per chunk. Default 1 MiB. */
  readonly chunkBytes?: number;
}

/** A place in a text file: the byte `offset` where reading resumes, after `line` lines (0 at the start). Plain JSON. */
export interface TextPosition {
  readonly offset: number;
  readonly line: number;
}

/** What `readPlainTextWindow` read: the examples, and the position after the last one. */
export interface PlainTextWindow {
  readonly examples: TextExample[];
  /** Where the next window starts (after the last line read, or the end of the file). */
  readonly next: TextPosition;
  /** Whether the file ended before `maxLines` non-blank lines were read. */
  readonly atEnd: boolean;
}

export const FILE_START: TextPosition = { offset: 0, line: 0 };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeLine(file: string, line: number, bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new DataError(
      `${file}:${line}: invalid UTF-8 in this line; data files must be UTF-8 — re-encode it (e.g. iconv -f latin1 -t utf-8) or fix the damaged bytes`,
    );
  }
}

/** One line as an example (id = its line number), or undefined for a blank line. */
function toExample(file: string, line: number, bytes: Uint8Array): TextExample | undefined {
  let text = decodeLine(file, line, bytes);
  if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.trim() === '') return undefined;
  return { id: String(line), text, source: { file, line } };
}

/** Whether the first line end of the open file `fd` is a bare CR (old Mac OS line ends); reads only up to it. */
function crLineEnds(file: string, fd: number): boolean {
  const chunk = Buffer.alloc(1 << 16);
  for (let offset = 0; ;) {
    let read: number;
    try {
      read = readSync(fd, chunk, 0, chunk.length, offset);
    } catch (e) {
      throw new DataError(`${file}: cannot read the text corpus: ${(e as Error).message}`);
    }
    if (read === 0) return false;
    for (let i = 0; i < read; i++) {
      const b = chunk[i]!;
      if (b === 0x0a) return false;
      if (b === 0x0d) {
        if (i + 1 < read) return chunk[i + 1] !== 0x0a;
        const next = Buffer.alloc(1);
        return readSync(fd, next, 0, 1, offset + read) === 0 || next[0] !== 0x0a;
      }
    }
    offset += read;
  }
}

/**
 * The next line end in `bytes` from `start`: where the line stops and where the next begins; undefined
 * when there is none yet (a CR at the very end may be the first half of a CRLF unless `atEnd`).
 * LF only (a CRLF's CR is dropped with the line), or with `cr` also a bare CR and CRLF.
 */
function nextLineEnd(bytes: Buffer, start: number, cr: boolean, atEnd: boolean): { stop: number; next: number } | undefined {
  if (!cr) {
    const nl = bytes.indexOf(0x0a, start);
    return nl < 0 ? undefined : { stop: nl, next: nl + 1 };
  }
  for (let i = start; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) return { stop: i, next: i + 1 };
    if (bytes[i] === 0x0d) {
      if (i + 1 < bytes.length) return { stop: i, next: bytes[i + 1] === 0x0a ? i + 2 : i + 1 };
      return atEnd ? { stop: i, next: i + 1 } : undefined;
    }
  }
  return undefined;
}

function checkMaxLines(maxLines: number): void {
  if (maxLines !== Infinity && (!Number.isInteger(maxLines) || maxLines < 1)) {
    throw new ConfigError(`plain text: maxLines must be an integer >= 1, got ${String(maxLines)}`);
  }
}

function openText(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (e) {
    throw new DataError(`${file}: cannot read the text corpus: ${(e as Error).message}`);
  }
}

/**
 * The next `maxLines` non-blank lines of `file` from `from` (synchronous; reads only as far as needed).
 * @param from where to start: `FILE_START`, or a `next` an earlier call returned.
 * @returns the examples (ids and `source.line` count from the file's first line), the position after
 *   them, and whether the file ended first.
 * @throws DataError when the file cannot be read (naming it) or a line is not valid UTF-8 (file:line);
 *   ConfigError for a `maxLines` that is not a positive integer.
 * @example
 *   const w = readPlainTextWindow('corpus.txt', FILE_START, 10_000); // then readPlainTextWindow(file, w.next, 10_000)
 */
export function readPlainTextWindow(file: string, from: TextPosition, maxLines: number, chunkBytes = 1 << 20): PlainTextWindow {
  checkMaxLines(maxLines);
  const examples: TextExample[] = [];
  const fd = openText(file);
  try {
    const cr = crLineEnds(file, fd);
    const chunk = Buffer.alloc(chunkBytes);
    let pending: Buffer = Buffer.alloc(0);
    let pendingOffset = from.offset; // file offset of pending[0]
    let line = from.line;
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunkBytes, pendingOffset + pending.length);
      } catch (e) {
        throw new DataError(`${file}: cannot read the text corpus: ${(e as Error).message}`);
      }
      if (read === 0) break;
      pending = pending.length === 0 ? Buffer.from(chunk.subarray(0, read)) : Buffer.concat([pending, chunk.subarray(0, read)]);
      let start = 0;
      for (let end = nextLineEnd(pending, start, cr, false); end !== undefined; end = nextLineEnd(pending, start, cr, false)) {
        line++;
        const e = toExample(file, line, pending.subarray(start, end.stop));
        start = end.next;
        if (e === undefined) continue;
        examples.push(e);
        if (examples.length >= maxLines) return { examples, next: { offset: pendingOffset + start, line }, atEnd: false };
      }
      pending = pending.subarray(start);
      pendingOffset += start;
    }
    if (pending.length > 0) {
      // the file's end: a last CR ends its line; what follows it (nothing) starts none
      const end = nextLineEnd(pending, 0, cr, true);
      line++;
      const e = toExample(file, line, end === undefined ? pending : pending.subarray(0, end.stop));
      if (e !== undefined) examples.push(e);
    }
    return { examples, next: { offset: pendingOffset + pending.length, line }, atEnd: true };
  } finally {
    closeSync(fd);
  }
}

/** Non-blank lines read per window by `streamPlainText` and `countPlainTextLines`. */
const STREAM_WINDOW = 16_384;

/**
 * The non-blank lines of `file`, in order, as examples `{ id: '<line>', text, source: { file, line } }`,
 * streamed (an async iterable: `for await (const e of streamPlainText(file))`).
 * @throws DataError when the file cannot be read (naming it) or a line is not valid UTF-8 (file:line).
 * @example
 *   for await (const doc of streamPlainText('corpus.txt', { maxLines: 1000 })) texts.push(doc.text);
 */
export async function* streamPlainText(file: string, options: PlainTextOptions = {}): AsyncGenerator<TextExample> {
  const maxLines = options.maxLines ?? Infinity;
  checkMaxLines(maxLines);
  let left = maxLines;
  for (let at = FILE_START; left > 0;) {
    const w = readPlainTextWindow(file, at, Math.min(left, STREAM_WINDOW), options.chunkBytes);
    yield* w.examples;
    if (w.atEnd) return;
    left -= w.examples.length;
    at = w.next;
    await Promise.resolve(); // let other work run between windows
  }
}

/** All (or `maxLines`) non-blank lines of `file` as examples; see `streamPlainText`. */
export async function readPlainText(file: string, options: PlainTextOptions = {}): Promise<TextExample[]> {
  const out: TextExample[] = [];
  for await (const e of streamPlainText(file, options)) out.push(e);
  return out;
}

/**
 * The number of non-blank lines of `file` from `from` (at most `maxLines`), by reading it through
 * window by window; every line is decoded, so a bad byte anywhere stops here with its file:line.
 * @throws DataError as `readPlainTextWindow`.
 */
export function countPlainTextLines(file: string, from: TextPosition = FILE_START, maxLines = Infinity, chunkBytes?: number): number {
  checkMaxLines(maxLines);
  let count = 0;
  for (let at = from; count < maxLines;) {
    const w = readPlainTextWindow(file, at, Math.min(maxLines - count, STREAM_WINDOW), chunkBytes);
    count += w.examples.length;
    if (w.atEnd) break;
    at = w.next;
  }
  return count;
}
