/**
 * What every reader shares: reading a data file as strict UTF-8 text, splitting it into lines, and
 * the `onBadLine` policy with its record of skipped lines.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, DataError } from '../../errors.js';
import { describeInvalidUtf8 } from '../../io/utf8.js';
import { nearest } from '../../io/config/issues.js';

/** What a reader does with a malformed record: throw a DataError (the default) or skip it and report it. */
export type OnBadLine = 'error' | 'skip';

/** Options every reader takes. */
export interface ReadOptions {
  /** 'error' (default): the first malformed record throws a DataError naming file and line. 'skip': it is left out and listed in `skipped`. */
  readonly onBadLine?: OnBadLine;
}

/** A record left out under `onBadLine: 'skip'`: where it starts and why it was rejected. */
export interface SkippedLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/** What a reader returns: the examples in file order and the records it skipped (always empty under 'error'). */
export interface ReadResult<E> {
  readonly examples: E[];
  readonly skipped: SkippedLine[];
}

/** A one-line summary of skipped records, for logs: "skipped 2 bad lines in a.tsv: 4 (…), 9 (…)". */
export function describeSkipped(skipped: readonly SkippedLine[], shown = 5): string {
  if (skipped.length === 0) return 'skipped no bad lines';
  const files = [...new Set(skipped.map((s) => s.file))].join(', ');
  const list = skipped
    .slice(0, shown)
    .map((s) => `${s.line} (${s.reason})`)
    .join(', ');
  const more = skipped.length > shown ? `, and ${skipped.length - shown} more` : '';
  return `skipped ${skipped.length} bad line${skipped.length === 1 ? '' : 's'} in ${files}: ${list}${more}`;
}

/** Applies the `onBadLine` policy: `report` throws under 'error' and records under 'skip'. */
export class BadLines {
  readonly skipped: SkippedLine[] = [];
  readonly policy: OnBadLine;

  constructor(policy: OnBadLine | undefined) {
    const p = policy ?? 'error';
    if (p !== 'error' && p !== 'skip') {
      throw new ConfigError(`onBadLine must be 'error' or 'skip', got ${JSON.stringify(policy)}`);
    }
    this.policy = p;
  }

  /** A malformed record at `file:line`; `reason` says what was expected and what came. */
  report(file: string, line: number, reason: string): void {
    if (this.policy === 'error') {
      throw new DataError(
        `${file}:${line}: ${reason} (to leave such lines out and have them listed: 'skip_bad_lines: true' in the task's data section, or onBadLine: 'skip' for the reader)`,
      );
    }
    this.skipped.push({ file, line, reason });
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * '; did you mean "sentiment"?' when `name` (a column or field the config asks for) is a likely typo of
 * one of `present` (what the record has), else ''.
 */
export function didYouMean(name: string, present: readonly string[]): string {
  const near = nearest(name, present);
  return near === undefined ? '' : `; did you mean "${near}"?`;
}

/** The file name that reads standard input (`mtl predict --input -`); errors name lines as `<stdin>:3`. */
export const STDIN = '<stdin>';

/**
 * The text of a data file (`STDIN`: all of standard input): decoded as strict UTF-8, a leading
 * byte-order mark removed, line ends turned into LF (also inside quoted CSV fields; `normalizeLineEnds`:
 * CRLF always, a bare CR too in a file whose line ends are old Mac OS's). Throws a
 * DataError when the file cannot be read, is empty or holds only whitespace, or is not valid UTF-8
 * (naming the byte offset and line).
 */
export function readTextFile(file: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file === STDIN ? 0 : file);
  } catch (e) {
    throw new DataError(`${file}: cannot read the data file: ${(e as Error).message}`);
  }
  if (bytes.length === 0) throw new DataError(`${file}: the data file is empty (0 bytes); expected at least one record`);
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw invalidUtf8(file, bytes);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = normalizeLineEnds(text);
  if (text.trim() === '') {
    throw new DataError(`${file}: the data file holds no data (${bytes.length} bytes, all whitespace); expected at least one record`);
  }
  return text;
}

/**
 * `text` with LF line ends. The file's first line end decides its convention, as editors detect it:
 * LF or CRLF (CRLF becomes LF; a bare CR inside a line stays, as text), or a bare CR (classic Mac OS),
 * in which case every CR, CRLF and LF ends a line (Python's universal newlines), so such a file reads
 * line by line with the line numbers an editor shows.
 */
export function normalizeLineEnds(text: string): string {
  return crLineEnds(text) ? text.replace(/\r\n?/g, '\n') : text.replace(/\r\n/g, '\n');
}

/** Whether the first line end of `text` is a bare CR (old Mac OS line ends). */
function crLineEnds(text: string): boolean {
  const at = text.search(/[\r\n]/);
  return at >= 0 && text[at] === '\r' && text[at + 1] !== '\n';
}

function invalidUtf8(file: string, bytes: Uint8Array): DataError {
  return new DataError(
    `${describeInvalidUtf8(file, bytes)}; data files must be UTF-8 — re-encode it (e.g. iconv -f latin1 -t utf-8) or fix the damaged bytes`,
  );
}

/**
 * The lines of `text` (already LF-normalised), without their line ends. A final line end does not
 * start an extra empty line; line k (1-based) is `lines[k - 1]`.
 */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The first C0 control character (but tab and line feed, separators that never reach a token) or DEL
 * in `token`, named as 'a control character U+0000'; undefined when there is none. No word holds one:
 * a NUL byte is a corrupt file.
 */
export function controlCharacterIn(token: string): string | undefined {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || c === 0x7f)
      return `a control character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}

/** `line` split at runs of ASCII spaces and tabs, leading and trailing ones ignored (other Unicode spaces stay inside tokens). */
export function splitWhitespace(line: string): string[] {
  return line.split(/[ \t]+/).filter((t) => t !== '');
}
