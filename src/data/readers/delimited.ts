/**
 * Delimited text files with named columns: CSV (Banking77) and TSV (GLUE: SST-2, STS-B), parsed
 * with csv-parse.
 *
 * Quoting: CSV files quote fields with `"` (a quoted field may hold the delimiter, `""` and line
 * breaks); GLUE TSV files have no quoting at all — a `"` is literal text, and STS-B has sentences
 * that start with one. So `quote` defaults to `"` for every delimiter except tab, where it defaults
 * to off; pass `quote: '"'` for a TSV that does quote, or `quote: false` for a CSV that does not.
 */
import path from 'node:path';
import { parse, type Options } from 'csv-parse/sync';
import { ConfigError, DataError } from '../../errors.js';
import type { SourcePosition, TextExample, TextPairExample } from '../example.js';
import { BadLines, didYouMean, readTextFile, type ReadOptions, type ReadResult, type SkippedLine } from './source.js';

/** Options of the delimited readers. */
export interface DelimitedOptions extends ReadOptions {
  /** Default from the extension: tab for `.tsv`/`.tab`, comma for `.csv`; other files must say. */
  readonly delimiter?: string;
  /** The quote character, or false for none. Default: false when the delimiter is a tab, `"` otherwise (see the file comment). */
  readonly quote?: string | false;
  /** true (default): the first row names the columns. An array: the file has no header row and these are its column names. */
  readonly header?: true | readonly string[];
  /** Fields beyond the named columns: 'error' (default; a bad line) or 'ignore' (dropped; e.g. STS-B's original test file). */
  readonly extraFields?: 'error' | 'ignore';
}

/** One data row: its fields by column name, as written (not trimmed). */
export interface DelimitedRow {
  readonly fields: Readonly<Record<string, string>>;
  readonly source: SourcePosition;
  /** 0-based index among the file's data rows (stable when bad rows are skipped). */
  readonly index: number;
}

/** The column names in header order, the rows in file order, and the rows skipped under `onBadLine: 'skip'`. */
export interface DelimitedTable {
  readonly columns: readonly string[];
  readonly rows: DelimitedRow[];
  readonly skipped: SkippedLine[];
}

/**
 * The rows of a CSV/TSV file. Empty lines are ignored; a row whose field count differs from the
 * header's is a bad line (file:line of the row's first line, also for rows with quoted line breaks).
 * Throws a DataError for quoting the parser cannot recover from (e.g. an unclosed quote), and for a
 * header with duplicate or empty names.
 *
 * @example
 * const { rows, columns } = readDelimited('datasets/banking77/train.csv');
 * columns; // ['text', 'category']
 */
export function readDelimited(file: string, options: DelimitedOptions = {}): DelimitedTable {
  return readTable(file, options, {});
}

/** `readDelimited`, checking right after the header that every column named in `wanted` exists. */
function readTable(file: string, options: DelimitedOptions, wanted: object): DelimitedTable {
  const { delimiter, quote, extra } = resolveOptions(file, options);
  const bad = new BadLines(options.onBadLine);
  const records = parseRecords(file, readTextFile(file), delimiter, quote);
  let columns: string[];
  if (options.header === undefined || options.header === true) {
    const head = records.shift();
    if (head === undefined) throw new DataError(`${file}: no header row; expected the column names on the first line`);
    columns = head.fields.map((name) => name.trim());
  } else {
    columns = [...options.header];
  }
  checkColumns(file, columns);
  requireColumns(file, columns, wanted);
  const rows: DelimitedRow[] = [];
  records.forEach((r, index) => {
    const n = r.fields.length;
    if (n < columns.length || (n > columns.length && extra === 'error')) {
      bad.report(file, r.line, `expected ${columns.length} fields (${columns.join(', ')}), got ${n}`);
      return;
    }
    // fromEntries defines own properties, so even a column named "__proto__" is just a field.
    const fields = Object.fromEntries(columns.map((name, k) => [name, r.fields[k]!]));
    rows.push({ fields, source: { file, line: r.line }, index });
  });
  if (rows.length === 0 && bad.skipped.length === 0) throw new DataError(`${file}: no data rows after the header; expected at least one`);
  return { columns, rows, skipped: bad.skipped };
}

function resolveOptions(file: string, options: DelimitedOptions) {
  const delimiter = options.delimiter ?? delimiterFromExtension(file);
  if (typeof delimiter !== 'string' || delimiter === '' || /[\r\n]/.test(delimiter)) {
    throw new ConfigError(`delimiter must be a non-empty string without line breaks, got ${JSON.stringify(delimiter)}`);
  }
  const quote = options.quote ?? (delimiter === '\t' ? false : '"');
  if (quote !== false && (typeof quote !== 'string' || quote.length !== 1)) {
    throw new ConfigError(`quote must be one character or false, got ${JSON.stringify(quote)}`);
  }
  const extra = options.extraFields ?? 'error';
  if (extra !== 'error' && extra !== 'ignore') {
    throw new ConfigError(`extraFields must be 'error' or 'ignore', got ${JSON.stringify(extra)}`);
  }
  return { delimiter, quote, extra };
}

/** Which columns make a TextExample. */
export interface TextColumns {
  readonly text: string;
  readonly label?: string;
  /** The id column; without one, the id is the row's 0-based index among the data rows. */
  readonly id?: string;
}

/** Which columns make a TextPairExample. */
export interface TextPairColumns {
  readonly textA: string;
  readonly textB: string;
  readonly label?: string;
  readonly id?: string;
}

/**
 * TextExamples from the named columns of a CSV/TSV file; a missing column is a DataError listing the header.
 *
 * @example
 * readDelimitedText('datasets/sst2/train.tsv', { text: 'sentence', label: 'label' }).examples[0].label; // '0'
 */
export function readDelimitedText(file: string, columns: TextColumns, options: DelimitedOptions = {}): ReadResult<TextExample> {
  const table = readTable(file, options, columns);
  const examples = table.rows.map((r): TextExample => {
    const f = r.fields;
    const base = { id: columns.id === undefined ? String(r.index) : f[columns.id]!, text: f[columns.text]!, source: r.source };
    return columns.label === undefined ? base : { ...base, label: f[columns.label]! };
  });
  return { examples, skipped: table.skipped };
}

/**
 * TextPairExamples from the named columns of a CSV/TSV file; a missing column is a DataError listing the header.
 *
 * @example
 * readDelimitedTextPairs('datasets/stsb/dev.tsv', { textA: 'sentence1', textB: 'sentence2', label: 'score' });
 */
export function readDelimitedTextPairs(
  file: string,
  columns: TextPairColumns,
  options: DelimitedOptions = {},
): ReadResult<TextPairExample> {
  const table = readTable(file, options, columns);
  const examples = table.rows.map((r): TextPairExample => {
    const f = r.fields;
    const base = {
      id: columns.id === undefined ? String(r.index) : f[columns.id]!,
      textA: f[columns.textA]!,
      textB: f[columns.textB]!,
      source: r.source,
    };
    return columns.label === undefined ? base : { ...base, label: f[columns.label]! };
  });
  return { examples, skipped: table.skipped };
}

interface RawRecord {
  readonly fields: string[];
  /** 1-based line where the record starts. */
  readonly line: number;
}

function parseRecords(file: string, text: string, delimiter: string, quote: string | false): RawRecord[] {
  // `lines` is the line where a record ends; a record starts as many lines earlier as its fields hold line breaks.
  let lastEnd = 0;
  const onRecord = (fields: string[], context: { lines: number }): RawRecord => {
    let breaks = 0;
    for (const field of fields) for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) breaks++;
    lastEnd = context.lines;
    return { fields, line: context.lines - breaks };
  };
  try {
    return parse(text, {
      delimiter,
      quote,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: onRecord as unknown as Options['on_record'],
    }) as unknown as RawRecord[];
  } catch (e) {
    const err = e as Error & { lines?: number };
    if (typeof err.lines !== 'number')
      throw new DataError(`${file}: not a valid ${delimiterName(delimiter)}-separated file: ${err.message}${quoteHint(quote)}`);
    // a quote left open makes the parser read on over later lines: name the line where the failing record starts
    const start = recordStart(text, lastEnd, err.lines);
    const span =
      start < err.lines ? `the record that starts on line ${start} runs on to line ${err.lines} (a quoted field left open?): ` : '';
    throw new DataError(
      `${file}:${start}: not a valid ${delimiterName(delimiter)}-separated file: ${span}${err.message}${quoteHint(quote)}`,
    );
  }
}

/** The 1-based line where the record after line `lastEnd` starts (empty lines skipped), at most `errorLine`. */
function recordStart(text: string, lastEnd: number, errorLine: number): number {
  const lines = text.split('\n');
  let line = lastEnd + 1;
  while (line < errorLine && (lines[line - 1] ?? '').trim() === '') line++;
  return Math.min(line, errorLine);
}

function requireColumns(file: string, header: readonly string[], wanted: object): void {
  for (const [role, name] of Object.entries(wanted) as [string, string | undefined][]) {
    if (name !== undefined && !header.includes(name)) {
      throw new DataError(
        `${file}: no column "${name}" (asked for as ${role})${didYouMean(name, header)}; the header's columns are: ${header.map((c) => `"${c}"`).join(', ')}`,
      );
    }
  }
}

function checkColumns(file: string, columns: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of columns) {
    if (name === '') throw new DataError(`${file}: the header has an empty column name (columns: ${columns.join(', ')})`);
    if (seen.has(name))
      throw new DataError(`${file}: the header names column "${name}" twice (columns: ${columns.join(', ')}); column names must be unique`);
    seen.add(name);
  }
}

function delimiterFromExtension(file: string): string {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.tsv' || ext === '.tab') return '\t';
  if (ext === '.csv') return ',';
  throw new ConfigError(`${file}: cannot tell the delimiter from the extension "${ext}"; pass delimiter (e.g. '\\t' or ',')`);
}

function delimiterName(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : delimiter === ',' ? 'comma' : JSON.stringify(delimiter);
}

function quoteHint(quote: string | false): string {
  return quote === false ? '' : ` (if ${quote} is literal text in this file, pass quote: false)`;
}
