/**
 * Relation examples from JSON Lines with the two entities as character spans, e.g.
 * `{"sentence": "The kitchen is part of the house.", "head": [4, 11], "tail": [27, 32], "relation": "Component-Whole(e1,e2)"}`.
 * Spans are `[start, end)` offsets counted in Unicode code points (Python string indices, as data
 * written by Python count them); the first names entity 1 (`<e1>`), the second entity 2. The text
 * gets the markers inserted (../entity-markers.ts), so these examples are the same marked
 * `TextExample`s as SemEval-2010's.
 */
import type { TextExample } from '../example.js';
import { entitySpanProblem, markEntities, spansCross } from '../entity-markers.js';
import { mapJsonl } from './jsonl.js';
import type { ReadOptions, ReadResult } from './source.js';

/** The fields of each JSON object that make a relation example. */
export interface RelationJsonlFields {
  readonly text: string;
  /** The `[start, end)` span of entity 1. */
  readonly e1Span: string;
  /** The `[start, end)` span of entity 2. */
  readonly e2Span: string;
  /** A string field; absent: unlabelled examples. */
  readonly label?: string;
}

/**
 * Marked `TextExample`s from a JSON Lines file. A line that is not an object, lacks a field, has a
 * span that is not an integer pair inside the text, or spans that cross (overlap without nesting), is a bad line.
 * @example
 *   readRelationJsonl('train.jsonl', { text: 'sentence', e1Span: 'head', e2Span: 'tail', label: 'relation' })
 *     .examples[0].text // 'The <e1>kitchen</e1> is part of the <e2>house</e2>.'
 */
export function readRelationJsonl(file: string, fields: RelationJsonlFields, options: ReadOptions = {}): ReadResult<TextExample> {
  return mapJsonl(file, options, ({ value, source, index }): TextExample | string => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `expected a JSON object, got ${JSON.stringify(value)}`;
    const o = value as Record<string, unknown>;
    const text = o[fields.text];
    if (typeof text !== 'string' || text === '')
      return `field "${fields.text}" (text) must be a non-empty string, got ${JSON.stringify(text)}`;
    const length = Array.from(text).length;
    for (const field of [fields.e1Span, fields.e2Span]) {
      const problem = entitySpanProblem(o[field], length, `field "${field}"`);
      if (problem !== undefined) return problem;
    }
    const e1 = o[fields.e1Span] as [number, number];
    const e2 = o[fields.e2Span] as [number, number];
    if (spansCross(e1, e2) || (e1[0] === e2[0] && e1[1] === e2[1]))
      return `the entity spans [${e1.join(', ')}) and [${e2.join(', ')}) overlap; they must be disjoint or one inside the other`;
    const example = { id: String(index), text: markEntities(text, e1, e2), source };
    if (fields.label === undefined) return example;
    const label = o[fields.label];
    if (typeof label !== 'string' || label === '')
      return `field "${fields.label}" (label) must be a non-empty string, got ${JSON.stringify(label)}`;
    return { ...example, label };
  });
}
