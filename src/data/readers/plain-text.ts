/**
 * A plain-text corpus: one document or sentence per line (the masked-LM input), of any size. The
 * file is streamed in chunks and split into lines as bytes, so memory stays bounded by the longest
 * line; each line is decoded as strict UTF-8 on its own (Node's readline decodes with replacement
 * characters, which would hide damaged bytes), so a bad byte is reported with its file:line.
 * Blank lines (only whitespace) are skipped; a leading byte-order mark and CR of CRLF are removed.
 */
import { createReadStream } from 'node:fs';
import { ConfigError, DataError } from '../../errors.js';
import type { TextExample } from '../example.js';

export interface PlainTextOptions {
  /** Read at most this many non-blank lines (documents). Default: all. */
  readonly maxLines?: number;
  /** Bytes read per chunk. Default 1 MiB. */
  readonly chunkBytes?: number;
}

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

/**
 * The non-blank lines of `file`, in order, as examples `{ id: '<line>', text, source: { file, line } }`,
 * streamed (an async iterable: `for await (const e of streamPlainText(file))`).
 * @throws DataError when the file cannot be read (naming it) or a line is not valid UTF-8 (file:line).
 * @example
 *   for await (const doc of streamPlainText('corpus.txt', { maxLines: 1000 })) texts.push(doc.text);
 */
export async function* streamPlainText(file: string, options: PlainTextOptions = {}): AsyncGenerator<TextExample> {
  const maxLines = options.maxLines ?? Infinity;
  if (maxLines !== Infinity && (!Number.isInteger(maxLines) || maxLines < 1)) {
    throw new ConfigError(`plain text: maxLines must be an integer >= 1, got ${String(maxLines)}`);
  }
  if (maxLines === 0) return;
  const stream = createReadStream(file, { highWaterMark: options.chunkBytes ?? 1 << 20 });
  let pending: Buffer = Buffer.alloc(0);
  let line = 0;
  let count = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let start = 0;
      for (let nl = pending.indexOf(0x0a, start); nl >= 0; nl = pending.indexOf(0x0a, start)) {
        line++;
        const e = toExample(file, line, pending.subarray(start, nl));
        start = nl + 1;
        if (e === undefined) continue;
        yield e;
        if (++count >= maxLines) return;
      }
      pending = pending.subarray(start);
    }
    if (pending.length > 0) {
      const e = toExample(file, line + 1, pending);
      if (e !== undefined) yield e;
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`${file}: cannot read the text corpus: ${(e as Error).message}`);
  } finally {
    stream.destroy();
  }
}

/** All (or `maxLines`) non-blank lines of `file` as examples; see `streamPlainText`. */
export async function readPlainText(file: string, options: PlainTextOptions = {}): Promise<TextExample[]> {
  const out: TextExample[] = [];
  for await (const e of streamPlainText(file, options)) out.push(e);
  return out;
}
