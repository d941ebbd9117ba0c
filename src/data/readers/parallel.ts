/**
 * Line-aligned parallel text (Multi30k, WMT's plain files): `<stem>.<source>` and `<stem>.<target>`,
 * one segment per line, line i of one translating line i of the other (`train.en` / `train.de`). Each
 * pair becomes a text with its target as the label. Lines are kept as they are (tabs and all: a tab
 * inside a caption is text here, not a column break); a leading byte-order mark and CR of CRLF go.
 */
import { DataError } from '../../errors.js';
import type { TextExample } from '../example.js';
import { BadLines, readTextFile, splitLines, type ReadOptions, type ReadResult } from './source.js';

/** The two files of a parallel split: `<stem>.<source>` and `<stem>.<target>`. */
export function parallelFiles(stem: string, source: string, target: string): { source: string; target: string } {
  return { source: `${stem}.${source}`, target: `${stem}.${target}` };
}

/**
 * The sentence pairs of `<stem>.<source>` and `<stem>.<target>`: `text` from the source file, `label`
 * from the target file, `source` the source file's line.
 * @throws DataError when the files differ in line count (naming both counts) or cannot be read; a pair
 *   with an empty side is a bad line (skipped with `onBadLine: 'skip'`).
 * @example readParallel('multi30k/val', 'en', 'de') // 1,014 pairs: { text: 'A group of men …', label: 'Eine Gruppe von Männern …' }
 */
export function readParallel(stem: string, source: string, target: string, options: ReadOptions = {}): ReadResult<TextExample> {
  const files = parallelFiles(stem, source, target);
  const sources = splitLines(readTextFile(files.source));
  const targets = splitLines(readTextFile(files.target));
  if (sources.length !== targets.length)
    throw new DataError(
      `${files.source} has ${sources.length} lines but ${files.target} has ${targets.length}; parallel files must be line-aligned (line i of one translates line i of the other)`,
    );
  const bad = new BadLines(options.onBadLine);
  const examples: TextExample[] = [];
  sources.forEach((text, i) => {
    const label = targets[i]!;
    if (text.trim() === '' || label.trim() === '') {
      bad.report(
        files.source,
        i + 1,
        `an empty ${text.trim() === '' ? 'source' : `target (${files.target}:${i + 1})`}; expected text on both sides`,
      );
      return;
    }
    examples.push({ id: String(i + 1), text, label, source: { file: files.source, line: i + 1 } });
  });
  return { examples, skipped: bad.skipped };
}
