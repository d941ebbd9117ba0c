/**
 * SemEval-2010 Task 8 (relation classification; Hendrickx et al., SemEval 2010): TRAIN_FILE.TXT and
 * TEST_FILE_FULL.TXT hold one example per block of four lines,
 *
 *     8001<TAB>"The most common <e1>audits</e1> were about <e2>waste</e2> and recycling."
 *     Message-Topic(e1,e2)
 *     Comment: Assuming an audit = an audit document.
 *     <blank>
 *
 * Traps: CRLF line ends (handled by readTextFile); the sentence is wrapped in double quotes and may
 * hold more double quotes inside ("standby power"), so only the outer pair is removed; the comment
 * line is free text and ignored; the last block may or may not end with its blank line. Examples
 * keep the markers in their text (see ../entity-markers.ts); a sentence without well-formed markers,
 * a block whose second line is not a label or whose third is not a comment, is a bad record.
 */
import type { TextExample } from '../example.js';
import { entityMarkerProblem } from '../entity-markers.js';
import { BadLines, readTextFile, splitLines, type ReadOptions, type ReadResult } from './source.js';

const SENTENCE = /^(\d+)\t"(.*)"$/;
const LABEL = /^[A-Za-z][\w-]*(\(e[12],e[12]\))?$/;

/**
 * The labelled, marked sentences of a SemEval-2010 Task 8 file (`TextExample`: id, text with markers,
 * label as written, source line of the sentence).
 * @throws DataError naming file:line for a bad block (unless `onBadLine: 'skip'`, which skips the block).
 * @example
 *   readSemeval2010('TRAIN_FILE.TXT').examples[0].label // 'Component-Whole(e2,e1)'
 */
export function readSemeval2010(file: string, options: ReadOptions = {}): ReadResult<TextExample> {
  const bad = new BadLines(options.onBadLine);
  const lines = splitLines(readTextFile(file));
  const examples: TextExample[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i]!.trim() === '') {
      i++;
      continue;
    }
    const start = i;
    const block: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') block.push(lines[i++]!);
    const problem = blockProblem(block);
    if (problem !== undefined) {
      bad.report(file, start + 1 + problem.line, problem.reason);
      continue;
    }
    const [, id, text] = SENTENCE.exec(block[0]!)!;
    examples.push({ id: id!, text: text!, label: block[1]!.trim(), source: { file, line: start + 1 } });
  }
  return { examples, skipped: bad.skipped };
}

/** What is wrong with a block and on which of its lines (0-based), or undefined. */
function blockProblem(block: readonly string[]): { line: number; reason: string } | undefined {
  const m = SENTENCE.exec(block[0]!);
  if (m === null)
    return {
      line: 0,
      reason: `expected 'id<TAB>"sentence"' (a number, a tab, the sentence in double quotes), got ${JSON.stringify(block[0])}`,
    };
  const markers = entityMarkerProblem(m[2]!);
  if (markers !== undefined) return { line: 0, reason: `the sentence's entity markers: ${markers}` };
  if (block.length < 2 || !LABEL.test(block[1]!.trim()))
    return {
      line: 1,
      reason: `expected a relation label such as Cause-Effect(e1,e2) or Other, got ${JSON.stringify(block[1] ?? '(nothing)')}`,
    };
  if (block.length > 3 || (block.length === 3 && !block[2]!.startsWith('Comment')))
    return {
      line: 2,
      reason: `expected 'Comment: …' and then a blank line, got ${JSON.stringify(block[2])}${block.length > 3 ? ' and more' : ''}`,
    };
  return undefined;
}
