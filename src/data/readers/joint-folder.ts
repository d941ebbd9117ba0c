/**
 * The SNIPS/ATIS joint-NLU folder format (monologg/JointBERT): a split folder holding three files
 * aligned line by line — `seq.in` (whitespace-separated tokens), `seq.out` (one BIO tag per token)
 * and `label` (the intent; ATIS joins multiple intents with `#`, e.g. `atis_airfare#atis_flight`).
 */
import path from 'node:path';
import { DataError } from '../../errors.js';
import type { JointExample } from '../example.js';
import { BadLines, controlCharacterIn, readTextFile, splitLines, splitWhitespace, type ReadOptions, type ReadResult } from './source.js';

/** Options of `readJointFolder`. */
export interface JointFolderOptions extends ReadOptions {
  /** File names inside the folder; defaults `seq.in`, `seq.out`, `label`. */
  readonly files?: { readonly tokens?: string; readonly tags?: string; readonly intent?: string };
}

/**
 * The examples of one split folder (e.g. `datasets/atis/test`). Tokens and tags are split at runs
 * of spaces and tabs (SNIPS has trailing and doubled spaces); the intent line is trimmed and kept
 * whole, `#` included — the task decides whether it is one label or several (`splitIntents`).
 * Each example's `source.file` is the folder and `source.line` the line in each of the three files.
 *
 * Throws a DataError when the files differ in line count (always, whatever `onBadLine` says); a
 * line whose token and tag counts differ, with no tokens or no intent, or with a control character
 * (a NUL byte: a corrupt file) in a token, is a bad line.
 *
 * @example
 * const { examples } = readJointFolder('datasets/snips/train');
 * examples[0].intent; // 'PlayMusic'
 */
export function readJointFolder(dir: string, options: JointFolderOptions = {}): ReadResult<JointExample> {
  const names = { tokens: 'seq.in', tags: 'seq.out', intent: 'label', ...options.files };
  const paths = { tokens: path.join(dir, names.tokens), tags: path.join(dir, names.tags), intent: path.join(dir, names.intent) };
  const tokenLines = splitLines(readTextFile(paths.tokens));
  const tagLines = splitLines(readTextFile(paths.tags));
  const intentLines = splitLines(readTextFile(paths.intent));
  if (tokenLines.length !== tagLines.length || tokenLines.length !== intentLines.length) {
    throw new DataError(
      `${dir}: the three files must be aligned line by line, but ${names.tokens} has ${tokenLines.length} lines, ` +
        `${names.tags} has ${tagLines.length} and ${names.intent} has ${intentLines.length}`,
    );
  }
  const bad = new BadLines(options.onBadLine);
  const examples: JointExample[] = [];
  for (let i = 0; i < tokenLines.length; i++) {
    const line = i + 1;
    const tokens = splitWhitespace(tokenLines[i]!);
    const tags = splitWhitespace(tagLines[i]!);
    const intent = intentLines[i]!.trim();
    const control = tokens.map((t, k) => [k, controlCharacterIn(t)] as const).find(([, c]) => c !== undefined);
    if (control !== undefined) {
      bad.report(paths.tokens, line, `${control[1]} inside token ${control[0] + 1} (a NUL byte or a corrupt file?)`);
    } else if (tokens.length !== tags.length) {
      bad.report(
        paths.tokens,
        line,
        `${tokens.length} tokens in ${names.tokens} but ${tags.length} tags in ${paths.tags}:${line}; expected one tag per token`,
      );
    } else if (tokens.length === 0) {
      bad.report(paths.tokens, line, 'the utterance has no tokens');
    } else if (intent === '') {
      bad.report(paths.intent, line, 'the intent is empty');
    } else {
      examples.push({ id: String(i), tokens, tags, intent, source: { file: dir, line } });
    }
  }
  return { examples, skipped: bad.skipped };
}

/** The intents of a multi-intent label: `splitIntents('atis_airfare#atis_flight')` is `['atis_airfare', 'atis_flight']`. */
export function splitIntents(intent: string, separator = '#'): string[] {
  return intent.split(separator).filter((s) => s !== '');
}
