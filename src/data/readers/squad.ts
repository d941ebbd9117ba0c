/**
 * SQuAD JSON (v1.1 and v2.0; XQuAD has the v1.1 layout):
 * `{"version", "data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question", "answers":
 * [{"text", "answer_start"}], "is_impossible"?}]}]}]}`. One example per question: the question and its
 * paragraph as a text pair (question first, as BERT reads them), with its gold answers.
 *
 * Traps: `answer_start` counts Unicode code points (Python string indices), not JavaScript's UTF-16
 * units, so it is converted (a context with an emoji before the answer would be off by one); every
 * answer must be found at its offset (`context[start:start+len(text)] == text`), else the question is
 * a bad record; v2.0's unanswerable questions have `is_impossible: true` and an empty `answers` list
 * (their `plausible_answers` are not gold). The file is one JSON document, so a bad record is located
 * by the line of its question's id.
 */
import { DataError } from '../../errors.js';
import type { SourcePosition, TextPairExample } from '../example.js';
import { codePointToUtf16 } from '../../tokenization/encoding.js';
import { BadLines, readTextFile, type ReadOptions, type ReadResult } from './source.js';

/** A gold answer: its text and where it starts in the context, in UTF-16 units (`context.slice(start, start + text.length) === text`). */
export interface SquadAnswer {
  readonly text: string;
  readonly start: number;
}

/** A question about a paragraph: `textA` the question, `textB` the context, with its gold answers (none: unanswerable). */
export interface QuestionAnswerExample extends TextPairExample {
  readonly answers: readonly SquadAnswer[];
  /** The article the paragraph comes from (its `title`), for splitting a file by article. */
  readonly title: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The questions of a SQuAD-format file, in file order.
 * @throws DataError for a file that is not SQuAD JSON, or (unless `onBadLine: 'skip'`) a question
 *   without an id or question, or with an answer that is not at its `answer_start`, naming file:line.
 * @example readSquad('xquad.en.json').examples[0].answers // [{ text: '308', start: 34 }]
 */
export function readSquad(file: string, options: ReadOptions = {}): ReadResult<QuestionAnswerExample> {
  const raw = readTextFile(file);
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (e) {
    throw new DataError(`${file}: not valid JSON (${(e as Error).message}); expected SQuAD's {"data": [{"title", "paragraphs": […]}]}`);
  }
  if (!isObject(doc) || !Array.isArray(doc.data))
    throw new DataError(`${file}: expected SQuAD's {"version", "data": [{"title", "paragraphs": […]}]}, found no "data" list`);
  const bad = new BadLines(options.onBadLine);
  const lineOf = lineFinder(raw);
  const examples: QuestionAnswerExample[] = [];
  for (const article of doc.data as unknown[]) {
    const title = isObject(article) && typeof article.title === 'string' ? article.title : '';
    const paragraphs = isObject(article) && Array.isArray(article.paragraphs) ? (article.paragraphs as unknown[]) : [];
    for (const paragraph of paragraphs) {
      if (!isObject(paragraph) || typeof paragraph.context !== 'string' || !Array.isArray(paragraph.qas)) {
        bad.report(file, lineOf(title), `article "${title}": a paragraph needs a string "context" and a "qas" list`);
        continue;
      }
      for (const qa of paragraph.qas as unknown[]) {
        const id = isObject(qa) && (typeof qa.id === 'string' || typeof qa.id === 'number') ? String(qa.id) : undefined;
        const source: SourcePosition = { file, line: lineOf(id ?? title) };
        const made = questionOf(qa, id, paragraph.context, title, source);
        if (typeof made === 'string') bad.report(file, source.line, made);
        else examples.push(made);
      }
    }
  }
  return { examples, skipped: bad.skipped };
}

/** The example of one `qas` entry, or what is wrong with it. */
function questionOf(
  qa: unknown,
  id: string | undefined,
  context: string,
  title: string,
  source: SourcePosition,
): QuestionAnswerExample | string {
  if (!isObject(qa) || id === undefined) return `a question needs an "id", got ${JSON.stringify(qa).slice(0, 80)}`;
  if (typeof qa.question !== 'string' || qa.question.trim() === '') return `question ${id}: expected a non-empty string "question"`;
  const answers = qa.answers ?? [];
  if (!Array.isArray(answers)) return `question ${id}: "answers" must be a list`;
  if (qa.is_impossible === true && answers.length > 0) return `question ${id}: is_impossible is true but it has ${answers.length} answers`;
  const toUtf16 = utf16Offsets(context);
  const gold: SquadAnswer[] = [];
  for (const a of answers as unknown[]) {
    if (!isObject(a) || typeof a.text !== 'string' || !Number.isInteger(a.answer_start))
      return `question ${id}: an answer needs a string "text" and an integer "answer_start", got ${JSON.stringify(a)}`;
    const cp = a.answer_start as number;
    const start = toUtf16(cp);
    if (start === undefined || context.slice(start, start + a.text.length) !== a.text)
      return `question ${id}: the answer "${a.text}" is not at answer_start ${cp} of the context (found "${start === undefined ? '' : context.slice(start, start + a.text.length)}")`;
    gold.push({ text: a.text, start });
  }
  return { id, textA: qa.question, textB: context, answers: gold, title, source };
}

/** Code-point index → UTF-16 index of `text` (undefined past its end). */
function utf16Offsets(text: string): (cp: number) => number | undefined {
  const map = codePointToUtf16(text);
  return map === undefined ? (cp) => (cp >= 0 && cp <= text.length ? cp : undefined) : (cp) => map[cp];
}

/** The 1-based line of the first occurrence of `"key"` in `raw` (1 when absent). */
function lineFinder(raw: string): (key: string) => number {
  const ends: number[] = [];
  for (let i = raw.indexOf('\n'); i >= 0; i = raw.indexOf('\n', i + 1)) ends.push(i);
  return (key) => {
    const at = raw.indexOf(JSON.stringify(key));
    if (at < 0) return 1;
    let [lo, hi] = [0, ends.length]; // lines before `at` = line ends before it
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}
