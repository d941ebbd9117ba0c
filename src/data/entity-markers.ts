/**
 * Entity markers in a sentence, as SemEval-2010 Task 8 writes its relation examples:
 * `The <e1>kitchen</e1> is the last renovated part of the <e2>house</e2>.` A relation example is a
 * text holding each of the four markers exactly once; the entities are the text between `<e1>` and
 * `</e1>` and between `<e2>` and `</e2>`, disjoint (in either order) or one inside the other, never
 * crossing. Data with character spans instead (`markEntities`) are turned into this form when read,
 * so every relation example, and every text given to `mtl predict`, is one marked string.
 */

/** The four markers, in the order `E1_START, E1_END, E2_START, E2_END`. */
export const ENTITY_MARKERS = ['<e1>', '</e1>', '<e2>', '</e2>'] as const;

/** An entity's place in a text: UTF-16 code units `start` ≤ i < `end` (`text.slice(start, end)`). */
export interface MarkedSpan {
  readonly start: number;
  readonly end: number;
}

/** A text without its markers, and where the two entities are in it. */
export interface UnmarkedText {
  readonly text: string;
  readonly e1: MarkedSpan;
  readonly e2: MarkedSpan;
}

const count = (text: string, marker: string): number => text.split(marker).length - 1;

/**
 * What is wrong with the entity markers of `text`, or undefined when it holds each marker once, each
 * entity's start before its end, entities non-empty, and the two disjoint or nested (not crossing).
 */
export function entityMarkerProblem(text: string): string | undefined {
  const missing = ENTITY_MARKERS.filter((m) => count(text, m) !== 1);
  if (missing.length > 0)
    return `expected each of ${ENTITY_MARKERS.join(' ')} exactly once, as in "the <e1>kitchen</e1> of the <e2>house</e2>"; ${missing
      .map((m) => `${m} occurs ${count(text, m)} times`)
      .join(', ')}`;
  const [s1, e1, s2, e2] = ENTITY_MARKERS.map((m) => text.indexOf(m)) as [number, number, number, number];
  if (e1 < s1 || e2 < s2)
    return `an entity's end marker comes before its start marker (${e1 < s1 ? '</e1> before <e1>' : '</e2> before <e2>'})`;
  if (e1 === s1 + 4 || e2 === s2 + 4) return `entity ${e1 === s1 + 4 ? 1 : 2} is empty`;
  const crossing = (s1 < s2 && s2 < e1 && e1 < e2) || (s2 < s1 && s1 < e2 && e2 < e1);
  if (crossing) return 'the entities cross (one starts inside the other and ends outside it); they must be disjoint or nested';
  return undefined;
}

/**
 * `text` without its markers, with the entities' spans in the unmarked text. Assumes the markers are
 * well formed (`entityMarkerProblem` is undefined).
 * @example unmarkEntities('a <e1>b</e1> c <e2>d</e2>') // { text: 'a b c d', e1: { start: 2, end: 3 }, e2: { start: 6, end: 7 } }
 */
export function unmarkEntities(text: string): UnmarkedText {
  const at = new Map<string, number>();
  let plain = '';
  let rest = text;
  for (;;) {
    const next = ENTITY_MARKERS.map((m) => [m, rest.indexOf(m)] as const)
      .filter(([, i]) => i >= 0)
      .sort((a, b) => a[1] - b[1])[0];
    if (next === undefined) break;
    plain += rest.slice(0, next[1]);
    at.set(next[0], plain.length);
    rest = rest.slice(next[1] + next[0].length);
  }
  plain += rest;
  const span = (s: string, e: string): MarkedSpan => ({ start: at.get(s) ?? 0, end: at.get(e) ?? 0 });
  return { text: plain, e1: span('<e1>', '</e1>'), e2: span('<e2>', '</e2>') };
}

/**
 * `text` with the markers inserted around two entities given as `[start, end)` offsets in `unit`s:
 * 'code-point' (Python string indices, as JSON data written by Python count them) or 'utf16'
 * (JavaScript string indices). Nested spans get the outer entity's markers outside the inner's.
 * Check the spans first (`entitySpanProblem`, `spansCross`).
 */
export function markEntities(
  text: string,
  e1: readonly [number, number],
  e2: readonly [number, number],
  unit: 'code-point' | 'utf16' = 'code-point',
): string {
  const chars = unit === 'code-point' ? Array.from(text) : [...text.split('')];
  const events: { at: number; order: number; marker: string }[] = [];
  const spans = [
    [e1, '<e1>', '</e1>'],
    [e2, '<e2>', '</e2>'],
  ] as const;
  for (const [[start, end], open, close] of spans) {
    const length = end - start;
    // at one position: ends first (shorter, inner entity's end first), then starts (longer, outer entity's start first)
    events.push({ at: start, order: 1 / (length + 1), marker: open }); // (0, 0.5]: longer first
    events.push({ at: end, order: -1 / (length + 1), marker: close }); // [-0.5, 0): shorter first
  }
  events.sort((a, b) => a.at - b.at || a.order - b.order);
  let out = '';
  let i = 0;
  for (const ev of events) {
    out += chars.slice(i, ev.at).join('') + ev.marker;
    i = ev.at;
  }
  return out + chars.slice(i).join('');
}

/**
 * What is wrong with an entity span `[start, end)` of a text of `length` characters, or undefined.
 * @param name how to call the span in the message ('e1', 'field "subj"').
 */
export function entitySpanProblem(span: unknown, length: number, name: string): string | undefined {
  if (!Array.isArray(span) || span.length !== 2 || !span.every((n) => Number.isInteger(n)))
    return `${name}: expected an integer [start, end) pair of character offsets, got ${JSON.stringify(span)}`;
  const [start, end] = span as [number, number];
  if (start < 0 || end <= start || end > length)
    return `${name}: span [${start}, ${end}) is empty or does not fit the text's ${length} characters`;
  return undefined;
}

/** Whether spans `[a0, a1)` and `[b0, b1)` cross (overlap without one holding the other). */
export function spansCross(a: readonly [number, number], b: readonly [number, number]): boolean {
  const overlap = a[0] < b[1] && b[0] < a[1];
  const nested = (a[0] <= b[0] && b[1] <= a[1]) || (b[0] <= a[0] && a[1] <= b[1]);
  return overlap && !nested;
}
