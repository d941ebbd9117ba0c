/**
 * Sliding windows over long contexts for extractive question answering (BERT, Devlin et al.,
 * NAACL 2019, §4.2 on SQuAD: "document stride"; Hugging Face's `run_qa.py` `doc_stride`): the
 * question and a window of the context's tokens make one input,
 * `[CLS] question [SEP] context[w, w + room) [SEP]`, and successive windows overlap by `docStride`
 * tokens, so every answer shorter than the overlap lies whole inside some window. Each context token
 * keeps its `[start, end)` character offsets in the context, which map predicted token spans back to text.
 */
import { ConfigError } from '../errors.js';
import type { Encoding } from '../tokenization/index.js';

/** One window of a question-context encoding. */
export interface QaWindow {
  /** (T) token ids: specials, the question's tokens (cut to `maxQuestionLength`) and the window's context tokens, in the encoding's order. */
  readonly inputIds: number[];
  readonly tokenTypeIds: number[];
  /** (T) `[start, end)` in the context (UTF-16 units) of each context token; null for the question's and special tokens. */
  readonly contextOffsets: ([number, number] | null)[];
}

/** How windows are cut. */
export interface WindowOptions {
  /** Most tokens per window, special tokens included. */
  readonly maxLength: number;
  /** Tokens shared by successive windows (≥ 0, < the context tokens a window holds). */
  readonly docStride: number;
  /** Most question tokens kept (the first ones). */
  readonly maxQuestionLength: number;
}

/**
 * The windows of `e`, an encoding of the pair (question, context) made without truncation (sequence
 * 0 the question, 1 the context); one window when the context fits.
 * @returns the windows, and whether the question was cut to `maxQuestionLength`.
 * @throws ConfigError when `maxLength` leaves no room for a context token, or `docStride` is not below the room.
 */
export function qaWindows(e: Encoding, options: WindowOptions): { windows: QaWindow[]; questionCut: boolean } {
  const positions = (s: number) => e.sequenceIds.flatMap((id, t) => (id === s ? [t] : []));
  const question = positions(0);
  const context = positions(1);
  const special = e.inputIds.length - question.length - context.length;
  const kept = question.slice(0, options.maxQuestionLength);
  const room = options.maxLength - special - kept.length; // context tokens per window
  if (room < 1)
    throw new ConfigError(
      `max_length (${options.maxLength}) leaves no room for the context after ${special} special and ${kept.length} question tokens; raise it or lower max_question_length`,
    );
  if (options.docStride >= room)
    throw new ConfigError(
      `doc_stride (${options.docStride}) must be smaller than the ${room} context tokens a window holds (max_length ${options.maxLength})`,
    );
  const windows: QaWindow[] = [];
  const drop = new Set(question.slice(options.maxQuestionLength));
  for (let w = 0; ; w += room - options.docStride) {
    const inside = new Set(context.slice(w, w + room));
    const keep = e.inputIds.map((_, t) => !drop.has(t) && (e.sequenceIds[t] !== 1 || inside.has(t)));
    const pick = <X>(xs: readonly X[]): X[] => xs.filter((_, t) => keep[t]);
    windows.push({
      inputIds: pick(e.inputIds),
      tokenTypeIds: pick(e.tokenTypeIds),
      contextOffsets: pick(e.offsets.map((o, t): [number, number] | null => (e.sequenceIds[t] === 1 ? [o[0], o[1]] : null))),
    });
    if (w + room >= context.length) break;
  }
  return { windows, questionCut: drop.size > 0 };
}

/**
 * The token span `[startToken, endToken]` (inclusive) of the characters `[start, end)` of the context
 * in `window`: the context tokens that hold the answer's first and last character. [0, 0] (the first
 * token, [CLS]) when the answer does not lie whole inside the window, as BERT's SQuAD training does.
 */
export function answerTokens(window: QaWindow, start: number, end: number): [number, number] {
  const offsets = window.contextOffsets;
  const first = offsets.findIndex((o) => o !== null);
  let last = -1;
  offsets.forEach((o, t) => (o !== null ? (last = t) : undefined));
  if (first < 0 || start < offsets[first]![0] || end > offsets[last]![1]) return [0, 0];
  let s = first;
  while (s < last && offsets[s + 1] !== null && offsets[s + 1]![0] <= start) s++;
  let t = last;
  while (t > s && offsets[t - 1] !== null && offsets[t - 1]![1] >= end) t--;
  return [s, t];
}
