/**
 * A plain-text corpus: one document or sentence per line (the masked-LM input), of any size. The
 * file is read in chunks from a byte offset and split into lines as bytes, so memory stays bounded by
 * the chunk, the longest line and the lines asked for; each line is decoded as strict UTF-8 on its own
 * (Node's readline decodes with replacement characters, which would hide damaged bytes), so a bad byte
 * is reported with its file:line. Blank lines (only whitespace) are skipped; a leading byte-order mark
 * and CR of CRLF are removed.
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
      for (let nl = pending.indexOf(0x0a, start); nl >= 0; nl = pending.indexOf(0x0a, start)) {
        line++;
        const e = toExample(file, line, pending.subarray(start, nl));
        start = nl + 1;
        if (e === undefined) continue;
        examples.push(e);
        if (examples.length >= maxLines) return { examples, next: { offset: pendingOffset + start, line }, atEnd: false };
      }
      pending = pending.subarray(start);
      pendingOffset += start;
    }
    if (pending.length > 0) {
      line++;
      const e = toExample(file, line, pending);
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
