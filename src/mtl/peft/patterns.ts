/**
 * Name patterns over dotted parameter and module paths (`encoder.layer.0.attention.self.query.weight`),
 * shared by freezing, LoRA targets and adapter placement.
 *
 * A string is a glob of whole path segments that may match anywhere in the path:
 * - `query` matches every path with a segment `query` (`….self.query`, `….self.query.weight`);
 * - `attention.self` matches everything under an `attention.self`;
 * - `*` is any run of characters inside one segment (`layer.*.output`), `?` one character,
 *   `**` any number of whole segments (`layer.**.dense`);
 * - `|` separates alternatives (`query|value`, `attention.self.query|value`).
 * A RegExp is tested against the whole path as given (anchor it with `^…$` to match exactly).
 * An array matches when any of its patterns does.
 */
import { ConfigError } from '../../errors.js';

/** A glob string, a RegExp, or a list of them (any may match). */
export type NamePattern = string | RegExp | readonly (string | RegExp)[];

const escapeRegExp = (s: string): string => s.replace(/[\\^$+()[\]{}]/g, '\\$&');

/** One `|`-free glob as a regular-expression source over whole segments. */
function globSource(glob: string): string {
  const segments = glob.split('.');
  if (segments.some((s) => s === ''))
    throw new ConfigError(`the name pattern '${glob}' has an empty segment (two dots, or a leading or trailing dot)`);
  // A leading or trailing ** adds nothing: a pattern may already match anywhere in the path.
  while (segments[0] === '**' && segments.length > 1) segments.shift();
  while (segments[segments.length - 1] === '**' && segments.length > 1) segments.pop();
  if (segments.length === 1 && segments[0] === '**') return '[^.]+(?:\\.[^.]+)*';
  let source = '';
  segments.forEach((segment, i) => {
    if (segment === '**') {
      source += '(?:[^.]+\\.)*'; // zero or more whole segments, each with its dot
      return;
    }
    const body = escapeRegExp(segment).replace(/\*/g, '[^.]*').replace(/\?/g, '[^.]');
    source += i < segments.length - 1 ? `${body}\\.` : body;
  });
  return source;
}

/** The RegExp a glob string compiles to (exported for tests and error messages). */
export function globToRegExp(glob: string): RegExp {
  if (glob.trim() === '') throw new ConfigError('a name pattern must not be empty');
  const alternatives = glob.split('|').map((alt) => globSource(alt.trim()));
  return new RegExp(`(?:^|\\.)(?:${alternatives.join('|')})(?=\\.|$)`);
}

/**
 * A predicate over dotted paths for `pattern`.
 * @example
 *   const isQv = nameMatcher('attention.self.query|value');
 *   isQv('encoder.layer.0.attention.self.value'); // true
 *   isQv('encoder.layer.0.attention.self.key');   // false
 */
export function nameMatcher(pattern: NamePattern): (name: string) => boolean {
  const list: readonly (string | RegExp)[] = typeof pattern === 'string' || pattern instanceof RegExp ? [pattern] : pattern;
  if (list.length === 0) throw new ConfigError('a list of name patterns must not be empty');
  const regexps = list.map((p) => {
    if (p instanceof RegExp) return new RegExp(p.source, p.flags.replace(/[gy]/g, '')); // no lastIndex state between tests
    if (typeof p === 'string') return globToRegExp(p);
    throw new ConfigError(`a name pattern must be a string or a RegExp, got ${JSON.stringify(p)}`);
  });
  return (name) => regexps.some((r) => r.test(name));
}

/** `pattern` as written, for messages. */
export function patternText(pattern: NamePattern): string {
  const one = (p: string | RegExp) => (p instanceof RegExp ? String(p) : `'${p}'`);
  return typeof pattern === 'string' || pattern instanceof RegExp ? one(pattern) : `[${pattern.map(one).join(', ')}]`;
}
