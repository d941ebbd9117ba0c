/**
 * Labelled spans to BIO tags. BIO cannot express nested or crossing spans, so where spans overlap
 * the longest is kept (ties: the one that starts first) and the others are returned as `dropped`.
 */
import { DataError } from '../errors.js';

/** A labelled span over positions `start` (inclusive) to `end` (EXCLUSIVE), as in `Array.prototype.slice`. */
export interface Span {
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

/** BIO tags (`B-type`, `I-type`, `O`), one per position, and the spans that could not be placed. */
export interface BioResult {
  readonly tags: string[];
  readonly dropped: Span[];
}

/**
 * One BIO tag per position of a sequence of `length` positions (tokens, or characters for
 * character-level NER such as CLUENER). Throws a DataError for an empty or out-of-range span.
 *
 * @example
 * spansToBio(4, [{ type: 'name', start: 0, end: 2 }]).tags; // ['B-name', 'I-name', 'O', 'O']
 */
export function spansToBio(length: number, spans: readonly Span[]): BioResult {
  for (const s of spans) {
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start < 0 || s.end > length || s.start >= s.end) {
      throw new DataError(
        `span ${s.type} [${s.start}, ${s.end}) does not fit a sequence of ${length} positions; expected 0 <= start < end <= ${length}`,
      );
    }
  }
  const order = [...spans].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const tags = new Array<string>(length).fill('O');
  const dropped: Span[] = [];
  for (const s of order) {
    if (tags.slice(s.start, s.end).some((t) => t !== 'O')) {
      dropped.push(s);
      continue;
    }
    tags[s.start] = `B-${s.type}`;
    for (let i = s.start + 1; i < s.end; i++) tags[i] = `I-${s.type}`;
  }
  return { tags, dropped };
}
