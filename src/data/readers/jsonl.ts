/**
 * JSON Lines: one JSON value per line (CLUENER, SciTLDR). Blank lines are ignored.
 */
import type { SourcePosition, TextExample } from '../example.js';
import { BadLines, didYouMean, readTextFile, splitLines, type ReadOptions, type ReadResult } from './source.js';

/** One parsed line: its JSON value and where it came from. */
export interface JsonLine {
  readonly value: unknown;
  readonly source: SourcePosition;
  /** 0-based index among the file's non-blank lines (stable when bad lines are skipped). */
  readonly index: number;
}

/**
 * The JSON values of a JSON Lines file. A line that is not valid JSON is a bad line, reported with
 * the parser's message.
 *
 * @example
 * readJsonl('datasets/cluener/dev.json').examples[0].value; // { text: '彭小军认为，…', label: { … } }
 */
export function readJsonl(file: string, options: ReadOptions = {}): ReadResult<JsonLine> {
  return mapJsonl(file, options, (line) => line);
}

/**
 * Parses each non-blank line of a JSON Lines file and converts it with `convert`, in one pass, so
 * that under 'error' the first bad line in file order is the one reported. `convert` returns the
 * example, or a string saying why the line is bad.
 */
export function mapJsonl<E>(file: string, options: ReadOptions, convert: (line: JsonLine) => E | string): ReadResult<E> {
  const bad = new BadLines(options.onBadLine);
  const examples: E[] = [];
  let index = 0;
  splitLines(readTextFile(file)).forEach((text, i) => {
    if (text.trim() === '') return;
    const source = { file, line: i + 1 };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      bad.report(file, source.line, `not valid JSON: ${(e as Error).message}`);
      index++;
      return;
    }
    const result = convert({ value, source, index: index++ });
    if (typeof result === 'string') bad.report(file, source.line, result);
    else examples.push(result);
  });
  return { examples, skipped: bad.skipped };
}

/** Which fields of each JSON object make a TextExample. */
export interface JsonTextFields {
  /** A string, or a non-empty list of strings (an abstract's sentences, SciTLDR's `source`) joined with single spaces. */
  readonly text: string;
  /** A string or number field; numbers become their decimal string. */
  readonly label?: string;
  /** A string or number field; without one, the id is the line's 0-based index among non-blank lines. */
  readonly id?: string;
  /**
   * Read the label field as a text's references: it may then also be a non-empty list of strings
   * (SciTLDR's `target`, 1–4 TL;DRs of one paper), kept whole as `references`, its first as `label`.
   * Default false: a list there is a bad line.
   */
  readonly references?: boolean;
}

/**
 * TextExamples from the named fields of each line's JSON object. A line that is not an object, or
 * lacks a field, or has one of the wrong type, is a bad line.
 *
 * @example
 * readJsonlText('reviews.jsonl', { text: 'review', label: 'stars' });
 * readJsonlText('scitldr/test.jsonl', { text: 'source', label: 'target', references: true }).examples[0];
 * // { id: '0', text: 'sentence 1 sentence 2 …', label: 'first TL;DR', references: ['first TL;DR', 'second', …], source }
 */
export function readJsonlText(file: string, fields: JsonTextFields, options: ReadOptions = {}): ReadResult<TextExample> {
  return mapJsonl(file, options, ({ value, source, index }): TextExample | string => {
    const problem = fieldProblem(value, fields);
    if (problem !== undefined) return problem;
    const o = value as Record<string, unknown>;
    const id = fields.id === undefined ? String(index) : String(o[fields.id]);
    const t = o[fields.text] as string | string[];
    const text = typeof t === 'string' ? t : t.join(' ');
    if (fields.label === undefined) return { id, text, source };
    const l = o[fields.label] as string | number | string[];
    if (!Array.isArray(l)) return { id, text, label: String(l), source };
    return { id, text, label: l[0]!, references: l, source };
  });
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');

function fieldProblem(value: unknown, fields: JsonTextFields): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`;
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).join(', ');
  // [role, field, numbers allowed, lists of strings allowed]
  const roles: [string, string | undefined, boolean, boolean][] = [
    ['text', fields.text, false, true],
    ['label', fields.label, true, fields.references === true],
    ['id', fields.id, true, false],
  ];
  for (const [role, name, numberOk, listOk] of roles) {
    if (name === undefined) continue;
    const v = o[name];
    if (v === undefined) return `no field "${name}" (asked for as ${role})${didYouMean(name, Object.keys(o))}; the object has: ${keys}`;
    const ok = typeof v === 'string' || (numberOk && typeof v === 'number' && Number.isFinite(v)) || (listOk && isStringList(v));
    if (!ok) {
      const kinds = ['a string', ...(numberOk ? ['a number'] : []), ...(listOk ? ['a non-empty list of strings'] : [])];
      return `field "${name}" (${role}) must be ${kinds.slice(0, -1).join(', ')}${kinds.length > 1 ? ' or ' : ''}${kinds.at(-1)}, got ${JSON.stringify(v)}`;
    }
  }
  return undefined;
}
