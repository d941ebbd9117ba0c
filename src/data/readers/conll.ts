/**
 * CoNLL column files (WNUT-17, CoNLL-2003 style): one token per line with its columns, a blank line
 * between sentences, `-DOCSTART-` lines between documents.
 */
import { ConfigError } from '../../errors.js';
import type { TaggedExample } from '../example.js';
import { BadLines, readTextFile, splitLines, type ReadOptions, type ReadResult } from './source.js';

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
 * such as WNUT's `Dubbz\uFEFF` whole. A line with too few columns or an empty token is a bad line;
 * under 'skip' its whole sentence is left out (reported at that line). `source.line` is the line of
 * the sentence's first token; `id` is the sentence's index in the file.
 *
 * @example
 * const { examples } = readConll('datasets/wnut17/wnut17train.conll');
 * examples[0].tokens[0]; // '@paulwalk'
 */
export function readConll(file: string, options: ConllOptions = {}): ReadResult<TaggedExample> {
  const tokenColumn = columnOption('tokenColumn', options.tokenColumn ?? 0);
  const tagColumn = columnOption('tagColumn', options.tagColumn ?? -1);
  const separator = options.separator ?? 'auto';
  if (!['tab', 'space', 'auto'].includes(separator)) {
    throw new ConfigError(`separator must be 'tab', 'space' or 'auto', got ${JSON.stringify(separator)}`);
  }
  const needed = Math.max(tokenColumn < 0 ? -tokenColumn : tokenColumn + 1, tagColumn < 0 ? -tagColumn : tagColumn + 1, 2);
  const bad = new BadLines(options.onBadLine);
  const examples: TaggedExample[] = [];
  let tokens: string[] = [];
  let tags: string[] = [];
  let start = 0; // line of the current sentence's first token
  let broken = false; // the current sentence had a bad line (skip mode)
  let sentences = 0;
  const finish = () => {
    if (tokens.length > 0 || broken) {
      if (!broken) examples.push({ id: String(sentences), tokens, tags, source: { file, line: start } });
      sentences++;
    }
    tokens = [];
    tags = [];
    broken = false;
  };
  const lines = splitLines(readTextFile(file));
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (/^[ \t]*$/.test(text)) {
      finish();
      continue;
    }
    const fields = splitFields(text, separator);
    if (fields[0] === '-DOCSTART-') {
      finish();
      continue;
    }
    if (tokens.length === 0 && !broken) start = i + 1;
    const token = fields.at(tokenColumn);
    const tag = fields.at(tagColumn);
    if (fields.length < needed || token === undefined || tag === undefined) {
      bad.report(
        file,
        i + 1,
        `expected at least ${needed} columns (token in ${tokenColumn}, tag in ${tagColumn}), got ${fields.length}: ${JSON.stringify(text)}`,
      );
      broken = true;
    } else if (token === '' || tag === '') {
      bad.report(file, i + 1, `empty ${token === '' ? 'token' : 'tag'}: ${JSON.stringify(text)}`);
      broken = true;
    } else {
      tokens.push(token);
      tags.push(tag);
    }
  }
  finish();
  return { examples, skipped: bad.skipped };
}

function splitFields(line: string, separator: 'tab' | 'space' | 'auto'): string[] {
  const tab = separator === 'tab' || (separator === 'auto' && line.includes('\t'));
  if (tab) return line.split('\t').map((f) => f.replace(/^ +| +$/g, ''));
  return line.split(/[ \t]+/).filter((f) => f !== '');
}

function columnOption(name: string, value: number): number {
  if (!Number.isInteger(value))
    throw new ConfigError(`${name} must be an integer column index (negative counts from the end), got ${value}`);
  return value;
}
