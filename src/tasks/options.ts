/**
 * Reading task options written by hand (a config file): each value checked once, with a message that
 * names the task kind, the option, the rule and the value. Every problem is an `OptionError`, which
 * also carries the option's key, so that a config file can point at its line (see `taskOptionsProblem` in ./registry.ts).
 */
import { ConfigError } from '../errors.js';
import { nearest } from '../io/config/issues.js';
import { snakeKey } from '../io/config/case.js';

type Raw = Readonly<Record<string, unknown>>;

const shown = (v: unknown): string => JSON.stringify(v) ?? String(v);

/**
 * A bad task option: the message reads `<where>: <name> <problem>` ("link-prediction: margin must be a
 * number >= 0, got -1").
 * @param option the key in the options object (camelCase, as `resolveOptions` reads it); undefined
 *   when the problem is a combination of options rather than one of them.
 * @param problem what is wrong, read after the option's name: the rule and the value ("must be true
 *   or false, got 3").
 * @param name how the message names the option (default `option`), as `optionName`.
 */
export class OptionError extends ConfigError {
  /** How the message names the option. */
  readonly optionName: string;
  constructor(
    where: string,
    readonly option: string | undefined,
    readonly problem: string,
    name?: string,
  ) {
    const optionName = name ?? option ?? 'options';
    super(`${where}: ${optionName} ${problem}`);
    this.optionName = optionName;
  }
}

/** Throws an OptionError for the first key of `raw` outside `known`, suggesting the nearest known one (named in snake_case, as a config file writes it). */
export function rejectUnknownOptions(where: string, raw: Raw, known: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const plain = (k: string) => k.toLowerCase().replace(/[_-]/g, '');
    const near = nearest(key, known) ?? known.find((k) => plain(k).startsWith(plain(key))); // a typo, or a shortening
    const hint = near === undefined ? '' : `; did you mean '${snakeKey(near)}'?`;
    throw new OptionError(where, key, `unknown option${hint} (${where} options: ${known.map(snakeKey).join(', ')})`, `'${key}':`);
  }
}

/** A boolean option, or `fallback` when absent. */
export function booleanOption(where: string, raw: Raw, key: string, fallback: boolean): boolean {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new OptionError(where, key, `must be true or false, got ${shown(v)}`);
  return v;
}

/** A non-empty string option, or `fallback` when absent. */
export function stringOption(where: string, raw: Raw, key: string, fallback: string): string {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v === '') throw new OptionError(where, key, `must be a non-empty string, got ${shown(v)}`);
  return v;
}

/** A number option no smaller than `min`, or `fallback` when absent; `integer` also requires a whole number. */
export function numberOption(where: string, raw: Raw, key: string, fallback: number, min: number, integer = false): number {
  const v = raw[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v)))
    throw new OptionError(where, key, `must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${shown(v)}`);
  return v;
}

/** A probability in [0, 1) (`open` true) or [0, 1]; `fallback` when absent. */
export function probabilityOption<F extends number | null>(where: string, raw: Raw, key: string, fallback: F, open: boolean): number | F {
  const v = raw[key];
  if (v === undefined || v === null) return fallback;
  checkProbability(where, key, v, open);
  return v as number;
}

/**
 * Throws unless `v` is a number in [0, 1) (`open`) or [0, 1].
 * @param key the option, or undefined for a combination (then `name` says which).
 */
export function checkProbability(where: string, key: string | undefined, v: unknown, open: boolean, name?: string): void {
  if (typeof v !== 'number' || !(v >= 0 && (open ? v < 1 : v <= 1))) {
    throw new OptionError(where, key, `must be a number in [0, 1${open ? ')' : ']'}, got ${shown(v)}`, name);
  }
}
