/**
 * CLUENER2020 (Chinese fine-grained NER): JSON Lines of
 * `{"text": str, "label": {type: {entity: [[start, end], …]}}}` with character offsets and an
 * INCLUSIVE end (`text[start..end] === entity`), turned into one BIO tag per character.
 */
import { ConfigError } from '../../errors.js';
import type { TaggedExample } from '../example.js';
import { spansToBio, type Span } from '../bio.js';
import { mapJsonl } from './jsonl.js';
import type { ReadOptions, ReadResult } from './source.js';

/** Options of `readCluener`. */
export interface CluenerOptions extends ReadOptions {
  /**
   * Overlapping spans, which BIO cannot express: 'outer' (default) keeps the longest and lists the
   * others in `droppedSpans`; 'error' makes the line a bad line. CLUENER's train file has one such
   * line: a book title `《招商银行：…》` containing two company names.
   */
  readonly nested?: 'outer' | 'error';
}

/** A span left out because a longer one covers it; `start`/`end` are CLUENER's (inclusive end). */
export interface DroppedSpan {
  readonly file: string;
  readonly line: number;
  readonly type: string;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** The examples, the skipped lines, and the nested spans left out under `nested: 'outer'`. */
export interface CluenerResult extends ReadResult<TaggedExample> {
  readonly droppedSpans: DroppedSpan[];
}

/**
 * Character-level TaggedExamples from a CLUENER file. Tokens are the text's Unicode code points
 * (`Array.from(text)`), which is what the offsets count (Python indices), not UTF-16 units. A line
 * without a string `text`, without a `label` object, with a malformed span, or with a span whose
 * characters differ from its entity string, is a bad line.
 *
 * @example
 * readCluener('datasets/cluener/dev.json').examples[0].tags.slice(0, 3); // ['B-name', 'I-name', 'I-name']
 */
export function readCluener(file: string, options: CluenerOptions = {}): CluenerResult {
  const nested = options.nested ?? 'outer';
  if (nested !== 'outer' && nested !== 'error') throw new ConfigError(`nested must be 'outer' or 'error', got ${JSON.stringify(nested)}`);
  const droppedSpans: DroppedSpan[] = [];
  const read = mapJsonl(file, options, ({ value, source, index }): TaggedExample | string => {
    const parsed = parseLine(value);
    if (typeof parsed === 'string') return parsed;
    const { tags, dropped } = spansToBio(parsed.chars.length, parsed.spans);
    if (dropped.length > 0 && nested === 'error') {
      return `overlapping spans cannot be BIO tags: ${dropped.map((s) => spanText(parsed.chars, s)).join(', ')}`;
    }
    for (const s of dropped) {
      droppedSpans.push({
        file,
        line: source.line,
        type: s.type,
        text: parsed.chars.slice(s.start, s.end).join(''),
        start: s.start,
        end: s.end - 1,
      });
    }
    return { id: String(index), tokens: parsed.chars, tags, source };
  });
  return { ...read, droppedSpans };
}

/** The characters and exclusive-end spans of one CLUENER object, or what is wrong with it. */
function parseLine(value: unknown): { chars: string[]; spans: Span[] } | string {
  if (!isObject(value)) return `expected a JSON object, got ${JSON.stringify(value)}`;
  if (typeof value.text !== 'string' || value.text === '') return `expected a non-empty string "text", got ${JSON.stringify(value.text)}`;
  if (!isObject(value.label)) return `expected a "label" object {type: {entity: [[start, end], …]}}, got ${JSON.stringify(value.label)}`;
  const chars = Array.from(value.text);
  const spans: Span[] = [];
  for (const [type, entities] of Object.entries(value.label)) {
    if (!isObject(entities)) return `label "${type}": expected {entity: [[start, end], …]}, got ${JSON.stringify(entities)}`;
    for (const [entity, offsets] of Object.entries(entities)) {
      if (!Array.isArray(offsets))
        return `label "${type}" entity "${entity}": expected a list of [start, end] pairs, got ${JSON.stringify(offsets)}`;
      for (const pair of offsets as unknown[]) {
        const problem = spanProblem(chars, type, entity, pair);
        if (problem !== undefined) return problem;
        const [start, end] = pair as [number, number];
        spans.push({ type, start, end: end + 1 });
      }
    }
  }
  return { chars, spans };
}

function spanProblem(chars: string[], type: string, entity: string, pair: unknown): string | undefined {
  const where = `label "${type}" entity "${entity}"`;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((n) => Number.isInteger(n))) {
    return `${where}: expected an integer [start, end] pair, got ${JSON.stringify(pair)}`;
  }
  const [start, end] = pair as [number, number];
  if (start < 0 || end < start || end >= chars.length) {
    return `${where}: span [${start}, ${end}] (inclusive end) does not fit the text's ${chars.length} characters`;
  }
  const found = chars.slice(start, end + 1).join('');
  if (found !== entity) return `${where}: span [${start}, ${end}] (inclusive end) covers "${found}", not the entity string`;
  return undefined;
}

function spanText(chars: string[], s: Span): string {
  return `${s.type} "${chars.slice(s.start, s.end).join('')}" [${s.start}, ${s.end - 1}]`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
