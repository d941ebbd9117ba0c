/**
 * CoNLL column files (WNUT-17, CoNLL-2003 style): one token per line with its columns, a blank line
 * between sentences, `-DOCSTART-` lines between documents.
 */
import { ConfigError } from '../../errors.js';
import type { TaggedExample } from '../example.js';
import { BadLines, controlCharacterIn, readTextFile, splitLines, type ReadOptions, type ReadResult } from './source.js';

/** Options of `readConll`. */
export interface ConllOptions extends ReadOptions {
  /** Column of the token, 0-based; negative counts from the end. Default 0. */
  readonly tokenColumn?: number;
  /** Column of the tag, 0-based; negative counts from the end. Default -1 (the last column). */
  readonly tagColumn?: number;
  /**
   * How columns are separated: 'tab' (only tabs; spaces around a field are dropped), 'space' (runs
   * of spaces and tabs), or 'auto' (default: 'tab' on lines that contain a tab, 'space' on others).
   */
  readonly separator?: 'tab' | 'space' | 'auto';
}

/**
 * The sentences of a CoNLL file. A line that is empty or holds only spaces and tabs ends a sentence
 * (WNUT-17's train file separates 2,394 of its sentences with a lone tab); a line whose first field
 * is `-DOCSTART-` ends one too and is dropped. Splitting only at ASCII spaces and tabs keeps tokens
 * such as WNUT's `Dubbz\uFEFF` whole. A line with too few columns, an empty token or a token holding a
 * control character (U+0000–U+001F but tab, U+007F: a NUL byte, a corrupt file) is a bad line;
 * under 'skip' its whole sentence is left out (reported at that line). `source.line` is the line of
 * the sentence's first token, `wordLines` each token's own line (so a bad tag is reported where it
 * is written); `id` is the sentence's index in the file.
 *
 * @example
 * const { examples } = readConll('datasets/wnut17/wnut17train.conll');
 * examples[0].tokens[0]; // '@paulwalk'
 */
export function readConll(file: string, options: ConllOptions = {}): ReadResult<TaggedExample> {
  const layout = resolveLayout(options);
  const bad = new BadLines(options.onBadLine);
  const examples: TaggedExample[] = [];
  let sentence: { tokens: string[]; tags: string[]; wordLines: number[]; line: number; broken: boolean } | undefined;
  let count = 0; // sentences seen, kept or not: the next sentence's id
  const finish = () => {
    if (sentence === undefined) return;
    const { tokens, tags, wordLines, line, broken } = sentence;
    if (!broken) examples.push({ id: String(count), tokens, tags, source: { file, line }, wordLines });
    count++;
    sentence = undefined;
  };
  splitLines(readTextFile(file)).forEach((text, i) => {
    if (/^[ \t]*$/.test(text)) return finish();
    const fields = splitFields(text, layout.separator);
    if (fields[0] === '-DOCSTART-') return finish();
    sentence ??= { tokens: [], tags: [], wordLines: [], line: i + 1, broken: false };
    const cell = pickColumns(fields, layout);
    if (typeof cell === 'string') {
      bad.report(file, i + 1, `${cell}: ${JSON.stringify(text)}`);
      sentence.broken = true;
    } else {
      sentence.tokens.push(cell.token);
      sentence.tags.push(cell.tag);
      sentence.wordLines.push(i + 1);
    }
  });
  finish();
  return { examples, skipped: bad.skipped };
}

interface Layout {
  readonly tokenColumn: number;
  readonly tagColumn: number;
  readonly separator: 'tab' | 'space' | 'auto';
  /** The fewest columns a token line may have. */
  readonly needed: number;
}

function resolveLayout(options: ConllOptions): Layout {
  const tokenColumn = options.tokenColumn ?? 0;
  const tagColumn = options.tagColumn ?? -1;
  for (const [name, value] of [
    ['tokenColumn', tokenColumn],
    ['tagColumn', tagColumn],
  ] as const) {
    if (!Number.isInteger(value))
      throw new ConfigError(`${name} must be an integer column index (negative counts from the end), got ${value}`);
  }
  const separator = options.separator ?? 'auto';
  if (!['tab', 'space', 'auto'].includes(separator)) {
    throw new ConfigError(`separator must be 'tab', 'space' or 'auto', got ${JSON.stringify(separator)}`);
  }
  const width = (c: number) => (c < 0 ? -c : c + 1);
  return { tokenColumn, tagColumn, separator, needed: Math.max(width(tokenColumn), width(tagColumn), 2) };
}

/** The token and tag of a line's fields, or what is wrong with them. */
function pickColumns(fields: string[], layout: Layout): { token: string; tag: string } | string {
  const token = fields.at(layout.tokenColumn);
  const tag = fields.at(layout.tagColumn);
  if (fields.length < layout.needed || token === undefined || tag === undefined) {
    return `expected at least ${layout.needed} columns (token in ${layout.tokenColumn}, tag in ${layout.tagColumn}), got ${fields.length}`;
  }
  if (token === '' || tag === '') return `empty ${token === '' ? 'token' : 'tag'}`;
  const control = controlCharacterIn(token);
  if (control !== undefined) return `${control} inside the token (a NUL byte or a corrupt file?)`;
  return { token, tag };
}

function splitFields(line: string, separator: 'tab' | 'space' | 'auto'): string[] {
  const tab = separator === 'tab' || (separator === 'auto' && line.includes('\t'));
  if (tab) return line.split('\t').map((f) => f.replace(/^ +| +$/g, ''));
  return line.split(/[ \t]+/).filter((f) => f !== '');
}
