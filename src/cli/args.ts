/** Checks of command-line values: each error names the flag, what it takes and what came. */
import { ConfigError } from '../errors.js';

export function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} must be a positive integer, got '${text}'`);
  return n;
}

export function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${flag} must be a non-negative integer, got '${text}'`);
  return n;
}

export function positiveNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || text.trim() === '') throw new ConfigError(`${flag} must be a positive number, got '${text}'`);
  return n;
}

/** The one positional argument a command takes (a config or a checkpoint). */
export function onePositional(positionals: readonly string[], what: string, command: string): string {
  if (positionals.length !== 1) {
    throw new ConfigError(
      `mtl ${command} takes one ${what}, got ${positionals.length === 0 ? 'none' : positionals.map((p) => `'${p}'`).join(' ')}`,
    );
  }
  return positionals[0] as string;
}
