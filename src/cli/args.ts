/**
 * Checks of command-line values: each error names the flag, what it takes and what came. They are
 * usage errors: `mtl` exits with 2 for them (as for unknown flags), 1 for errors of the work itself.
 * `checked` makes one a commander option, so the value is checked while the command line is parsed.
 */
import { Option } from 'commander';
import { ConfigError } from '../errors.js';

/** A command line that the command cannot take (a missing argument, a bad flag value). */
export class UsageError extends ConfigError {}

/** A check of one flag's value: returns the value parsed, or throws UsageError naming `flag`. */
export type ValueCheck<T> = (text: string, flag: string) => T;

export function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || text.trim() === '') throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
  return n;
}

export function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || text.trim() === '') throw new UsageError(`${flag} must be a non-negative integer, got '${text}'`);
  return n;
}

export function positiveNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || text.trim() === '') throw new UsageError(`${flag} must be a positive number, got '${text}'`);
  return n;
}

/** Any finite number. */
export function finiteNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || text.trim() === '') throw new UsageError(`${flag} must be a number, got '${text}'`);
  return n;
}

/** A comma-separated list of distinct non-negative integers ('--seeds 1,2,3'). */
export function seedList(text: string, flag: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const seeds = parts.map((p) => Number(p));
  if (parts.some((p) => p === '') || seeds.some((n) => !Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1))
    throw new UsageError(`${flag} must be a comma-separated list of non-negative integers (e.g. 1,2,3), got '${text}'`);
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`${flag} must name each seed once, got '${text}'`);
  return seeds;
}

/** A check that the value is one of `values` ("--split must be dev or test, got 'train'"). */
export function oneOf<T extends string>(values: readonly T[]): ValueCheck<T> {
  const list = values.length < 3 ? values.join(' or ') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
  return (text, flag) => {
    if (!(values as readonly string[]).includes(text)) throw new UsageError(`${flag} must be ${list}, got '${text}'`);
    return text as T;
  };
}

/**
 * A commander option (`flags` as commander writes them, e.g. '--max-steps <n>') whose value goes
 * through `check` as the command line is parsed; the check's UsageError names the long flag.
 * An option that takes a value is never a negation, whatever its name: `--no-repeat-ngram-size <n>`
 * is `noRepeatNgramSize` (commander would read it as the opposite of `--repeat-ngram-size`).
 * @example program.command('train').addOption(checked('--max-steps <n>', 'optimizer steps', positiveInt))
 */
export function checked<T>(flags: string, description: string, check: ValueCheck<T>): Option {
  const option = new Option(flags, description);
  option.negate = false;
  const flag = option.long ?? flags;
  return option.argParser((text: string) => check(text, flag));
}

/**
 * A repeatable option's parser: each use adds its one value (`--explain-label a=b --explain-label c=d`).
 * A variadic option (`<x...>`) would instead take the positional arguments after it as its values.
 */
export function collect(text: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), text];
}
