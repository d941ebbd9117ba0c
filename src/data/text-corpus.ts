/**
 * A `text` task's data as training reads it: the dev set (the first `dev_lines` lines of the training
 * file, or a `dev` file) and test file in memory, and the training lines as a `TextCorpus` — the
 * file, where its training lines start, and how many there are — which a `CorpusTrainStream` reads
 * window by window, so a corpus of any size trains in bounded memory. `max_lines` caps the lines read
 * of each file (the dev lines count in it). Counting the training lines reads the whole file once
 * (every line decoded, so a bad byte stops the run before training with its file:line).
 */
import { DataError } from '../errors.js';
import { countPlainTextLines, FILE_START, readPlainText, readPlainTextWindow, type TextPosition } from './index.js';
import type { TaskConfig } from '../io/config/index.js';
import type { Split } from './example.js';

/** Lines per training window when `data.window_lines` is not given. */
export const DEFAULT_WINDOW_LINES = 10_000;

/** The training lines of a text task: `lines` non-blank lines of `file` from `start`. */
export interface TextCorpus {
  readonly file: string;
  readonly start: TextPosition;
  /** Non-blank training lines (after the dev lines, under max_lines). */
  readonly lines: number;
  /** Lines read, shuffled, featurized and batched at a time. */
  readonly windowLines: number;
}

/**
 * A text task's dev and test examples and its training corpus, for the `wanted` splits.
 * @throws DataError when a file cannot be read or holds invalid UTF-8 (file:line), or no training line is left.
 */
export async function readTextTask(
  task: TaskConfig,
  wanted: readonly Split[],
): Promise<{ splits: Partial<Record<Split, readonly unknown[]>>; corpus?: TextCorpus }> {
  const d = task.data;
  const maxLines = d.maxLines ?? Infinity;
  const splits: Partial<Record<Split, readonly unknown[]>> = {};
  let corpus: TextCorpus | undefined;
  const file = d.train ?? d.path;
  if (file !== undefined && (wanted.includes('train') || (wanted.includes('dev') && d.devLines !== undefined))) {
    let start = FILE_START;
    if (d.devLines !== undefined) {
      const held = readPlainTextWindow(file, FILE_START, d.devLines);
      if (wanted.includes('dev')) splits.dev = held.examples;
      start = held.next;
    }
    if (wanted.includes('train')) {
      const lines = countPlainTextLines(file, start, maxLines - (d.devLines ?? 0));
      if (lines === 0)
        throw new DataError(
          `task '${task.name}': ${file} has no training lines${d.devLines === undefined ? '' : ` after its first ${d.devLines} (dev_lines)`}`,
        );
      corpus = { file, start, lines, windowLines: d.windowLines ?? DEFAULT_WINDOW_LINES };
    }
  }
  for (const split of ['dev', 'test'] as const) {
    const path = d[split];
    if (path !== undefined && wanted.includes(split)) splits[split] = await readPlainText(path, maxLines === Infinity ? {} : { maxLines });
  }
  return corpus === undefined ? { splits } : { splits, corpus };
}

/** The first `n` training lines of `corpus` (at most all of them): the sample a vocabulary is learned from. */
export function corpusSample(corpus: TextCorpus, n: number): string[] {
  return readPlainTextWindow(corpus.file, corpus.start, Math.min(n, corpus.lines)).examples.map((e) => e.text);
}
