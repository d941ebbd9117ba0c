/** The `--input FILE` of `mtl predict` and `mtl generate`: JSON Lines of inputs, read one way with one error. */
import { DataError } from '../errors.js';
import { mapJsonl } from '../data/index.js';

/**
 * The values of a JSON Lines file of a command's `--input` (blank lines ignored), each line through `convert`
 * (a value, or the reason the line is bad).
 * @param what `expected`: what each line holds, for the error; `instead`: what the command line takes instead ("the texts").
 * @throws DataError naming file:line of the first bad line, its reason, how many lines are bad, and `what`.
 */
export function readInputLines<T>(file: string, convert: (value: unknown) => T | string, what: { expected: string; instead: string }): T[] {
  // 'skip', then our own error: the readers' hint (skip_bad_lines, onBadLine) is about training data.
  const { examples, skipped } = mapJsonl(file, { onBadLine: 'skip' }, ({ value }) => convert(value));
  const first = skipped[0];
  if (first !== undefined) {
    const lines = skipped.slice(0, 5).map((b) => b.line);
    const others = skipped.length === 1 ? '' : ` (${skipped.length} bad lines: ${lines.join(', ')}${skipped.length > 5 ? ', …' : ''})`;
    throw new DataError(
      `${first.file}:${first.line}: ${first.reason}${others}; expected JSON Lines of ${what.expected}; ` +
        `fix the line, or give ${what.instead} on the command line instead of --input`,
    );
  }
  return examples;
}
