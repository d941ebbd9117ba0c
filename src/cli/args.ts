/**
 * Checks of command-line values: each error names the flag, what it takes and what came. They are
 * usage errors: `mtl` exits with 2 for them (as for unknown flags), 1 for errors of the work itself.
 */
import { ConfigError } from '../errors.js';

/** A command line that the command cannot take (a missing argument, a bad flag value). */
export class UsageError extends ConfigError {}

export function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
  return n;
}

export function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a non-negative integer, got '${text}'`);
  return n;
}

export function positiveNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || text.trim() === '') throw new UsageError(`${flag} must be a positive number, got '${text}'`);
  return n;
}

/** The one positional argument a command takes (a config or a checkpoint). */
export function onePositional(positionals: readonly string[], what: string, command: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(
      `mtl ${command} takes one ${what}, got ${positionals.length === 0 ? 'none' : positionals.map((p) => `'${p}'`).join(' ')}`,
    );
  }
  return positionals[0] as string;
}
