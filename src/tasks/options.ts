/**
 * Reading task options written by hand (a config file): each value checked once, with a message that
 * names the task kind, the option, the rule and the value; unknown keys rejected by `rejectUnknownKeys`.
 */
import { ConfigError } from '../errors.js';

type Raw = Readonly<Record<string, unknown>>;

const shown = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** A boolean option, or `fallback` when absent. */
export function booleanOption(where: string, raw: Raw, key: string, fallback: boolean): boolean {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ConfigError(`${where}: ${key} must be true or false, got ${shown(v)}`);
  return v;
}

/** A non-empty string option, or `fallback` when absent. */
export function stringOption(where: string, raw: Raw, key: string, fallback: string): string {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v === '') throw new ConfigError(`${where}: ${key} must be a non-empty string, got ${shown(v)}`);
  return v;
}

/** A probability in [0, 1) (`open` true) or [0, 1]; `fallback` when absent. */
export function probabilityOption<F extends number | null>(where: string, raw: Raw, key: string, fallback: F, open: boolean): number | F {
  const v = raw[key];
  if (v === undefined || v === null) return fallback;
  checkProbability(where, key, v, open);
  return v as number;
}

/** Throws unless `v` is a number in [0, 1) (`open`) or [0, 1]. */
export function checkProbability(where: string, key: string, v: unknown, open: boolean): void {
  if (typeof v !== 'number' || !(v >= 0 && (open ? v < 1 : v <= 1))) {
    throw new ConfigError(`${where}: ${key} must be a number in [0, 1${open ? ')' : ']'}, got ${shown(v)}`);
  }
}
