/**
 * DailyDialog's dialogue files (Li et al., "DailyDialog: A Manually Labelled Multi-turn Dialogue
 * Dataset", IJCNLP 2017): `dialogues_{train,validation,test}.txt`, one dialogue per line, every turn
 * followed by ` __eou__` (the last too, so `line.split('__eou__')` ends in an empty piece), speakers
 * alternating without labels. Each turn after the first becomes one response-generation example: the
 * `contextTurns` turns before it, joined by `turnSeparator`, as the text, the turn as the label.
 *
 * The text is kept as released, pre-tokenized with spaces around most punctuation (`Good morning ,
 * sir .`, `I ’ m`, but also `far.Can`), unless `detokenize` is set: then every turn is written as a
 * person would (`Good morning, sir.`, `I’m`; ../detokenize.ts), so a model learns and prints normal text
 * and BLEU compares what sacreBLEU expects (13a splits `sir.` and `sir .` alike, but not `I’m` and
 * `I ’ m`; the seq2seq option `detokenize` treats generated text the same way). Control characters are removed from a turn (train
 * line 3987 holds a DEL, U+007F) and runs of spaces squeezed to one. The act and emotion files are not
 * read; given one by mistake, its first line is reported as a line without `__eou__`.
 */
import { ConfigError } from '../../errors.js';
import { detokenize } from '../detokenize.js';
import type { TextExample } from '../example.js';
import type { ChatExample } from './chat.js';
import { BadLines, readTextFile, splitLines, type ReadOptions, type ReadResult } from './source.js';

/** The end-of-utterance marker that follows every turn. */
export const END_OF_UTTERANCE = '__eou__';

/** How a dialogue file becomes context → response examples. */
export interface DailyDialogOptions extends ReadOptions {
  /** Most turns of context before each response, the latest ones (default 3; ≥ 1). */
  readonly contextTurns?: number;
  /** Put between the context's turns (default ' | ', a character DailyDialog never holds). */
  readonly turnSeparator?: string;
  /**
   * Undo the release's spaces around punctuation in every turn, source and target alike (`I ’ m fine ,
   * sir .` → `I’m fine, sir.`; ../detokenize.ts); default false (as released).
   */
  readonly detokenize?: boolean;
}

/** The default context window, in turns (see docs/results/issue13-dailydialog.md for why 3). */
export const DAILYDIALOG_CONTEXT_TURNS = 3;
/** The default separator of context turns. */
export const DAILYDIALOG_TURN_SEPARATOR = ' | ';

// C0 controls and DEL (tab and line feed never occur inside a line; they would be spaces anyway)
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * The turns of one dialogue line, or a string saying why the line is not one: it must end in
 * `__eou__`, and every turn must hold text (after control characters are removed).
 * @example dialogueTurns('Hi ! __eou__ Hello . __eou__') // ['Hi !', 'Hello .']
 */
export function dialogueTurns(line: string): string[] | string {
  if (line.trim() === '') return `a blank line; expected one dialogue per line, each turn followed by ' ${END_OF_UTTERANCE}'`;
  const pieces = line.split(END_OF_UTTERANCE);
  const tail = pieces.pop()!;
  if (pieces.length === 0)
    return `no '${END_OF_UTTERANCE}' in the line; expected turns each followed by ' ${END_OF_UTTERANCE}' (is this an act or emotion file?)`;
  if (tail.trim() !== '')
    return `text after the last '${END_OF_UTTERANCE}' (${JSON.stringify(tail.trim().slice(0, 40))}); every turn, the last too, ends with ' ${END_OF_UTTERANCE}'`;
  const turns = pieces.map((p) => p.replace(CONTROL, '').replace(/ {2,}/g, ' ').trim());
  const empty = turns.findIndex((t) => t === '');
  if (empty >= 0) return `turn ${empty + 1} of ${turns.length} is empty; expected text before each '${END_OF_UTTERANCE}'`;
  return turns;
}

function positiveInteger(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new ConfigError(`readDailyDialog: ${name} must be an integer >= 1, got ${v}`);
  return v;
}

/**
 * Context → response examples of a DailyDialog dialogue file: for turn i ≥ 2 of each line, `text`
 * the turns max(1, i − contextTurns) … i − 1 joined by `turnSeparator`, `label` turn i; id
 * `<line>.<i>`, `source` the line. A dialogue of n turns gives n − 1 examples (train 76,053, validation
 * 7,069, test 6,740).
 * @throws DataError (naming file:line) for a line without `__eou__`, with text after its last one, an
 *   empty turn, or a single turn (no response to learn); skipped with `onBadLine: 'skip'`.
 * @throws ConfigError when contextTurns is not a positive integer.
 * @example readDailyDialog('dailydialog/test/dialogues_test.txt').examples[0]
 * // { id: '1.2', text: 'Hey man , you wanna buy some weed ?', label: 'Some what ?', … }
 */
export function readDailyDialog(file: string, options: DailyDialogOptions = {}): ReadResult<TextExample> {
  const k = positiveInteger('contextTurns', options.contextTurns ?? DAILYDIALOG_CONTEXT_TURNS);
  const separator = options.turnSeparator ?? DAILYDIALOG_TURN_SEPARATOR;
  const bad = new BadLines(options.onBadLine);
  const examples: TextExample[] = [];
  splitLines(readTextFile(file)).forEach((line, i) => {
    const source = { file, line: i + 1 };
    const read = dialogueTurns(line);
    const turns = typeof read === 'string' || options.detokenize !== true ? read : read.map(detokenize);
    if (typeof turns === 'string') return bad.report(file, source.line, turns);
    if (turns.length < 2)
      return bad.report(file, source.line, 'a dialogue of one turn; expected at least two (a context and its response)');
    for (let t = 1; t < turns.length; t++) {
      const text = turns.slice(Math.max(0, t - k), t).join(separator);
      examples.push({ id: `${source.line}.${t + 1}`, text, label: turns[t]!, source });
    }
  });
  return { examples, skipped: bad.skipped };
}

/**
 * DailyDialog's dialogues as chats: each line one dialogue whose turns alternate between the roles
 * `user` (the first speaker, turns 1, 3, …) and `assistant` (turns 2, 4, …), so a chat task learns
 * the second speaker's turns; id the line number. Same checks as `readDailyDialog`.
 * @example readDailyDialogChats('dailydialog/test/dialogues_test.txt').examples[0].messages[1]
 * // { role: 'assistant', content: 'Some what ?' }
 */
export function readDailyDialogChats(file: string, options: ReadOptions = {}): ReadResult<ChatExample> {
  const bad = new BadLines(options.onBadLine);
  const examples: ChatExample[] = [];
  splitLines(readTextFile(file)).forEach((line, i) => {
    const source = { file, line: i + 1 };
    const turns = dialogueTurns(line);
    if (typeof turns === 'string') return bad.report(file, source.line, turns);
    if (turns.length < 2)
      return bad.report(file, source.line, 'a dialogue of one turn; expected at least two (an assistant turn to learn)');
    const messages = turns.map((content, t) => ({ role: t % 2 === 0 ? ('user' as const) : ('assistant' as const), content }));
    examples.push({ id: String(source.line), messages, source });
  });
  return { examples, skipped: bad.skipped };
}
