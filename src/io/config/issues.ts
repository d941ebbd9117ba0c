/**
 * Config problems: each names the key path (`tasks[1].data.fromat`) and the YAML line, says what was
 * expected and what came, and for a misspelled key or value suggests the nearest valid one. All the
 * problems of a file are reported together, in one ConfigError.
 */
import type { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { formatPath, type ConfigPath, type YamlSource } from './yaml-source.js';

/** One problem in a config file. */
export interface ConfigIssue {
  readonly path: ConfigPath;
  readonly message: string;
  /** 1-based line in the YAML file, when the file has one. */
  readonly line?: number | undefined;
}

/** Every problem of a config file; `issues` lists them, the message shows them all. */
export class ConfigFileError extends ConfigError {
  readonly issues: readonly ConfigIssue[];
  /**
   * @param source the file, as the message names it.
   * @param what what the file is, for the message ('sweep space'; default 'training config').
   */
  constructor(source: string, issues: readonly ConfigIssue[], what = 'training config') {
    const lines = issues.map((i) => `  ${source}${i.line === undefined ? '' : `:${i.line}`}: ${formatPath(i.path)}: ${i.message}`);
    const count = issues.length === 1 ? 'a problem' : `${issues.length} problems`;
    super(`the ${what} ${source} has ${count}; nothing was trained:\n${lines.join('\n')}`);
    this.issues = issues;
  }
}

/** Levenshtein edit distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The candidate nearest to `word` (case and '_'/'-' ignored), when near enough to be a likely typo:
 * at most 2 edits, or a third of the word's length for long words.
 * @example
 *   nearest('fromat', ['format', 'path', 'train']); // 'format'
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const plain = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(plain(word), plain(c));
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** "; did you mean 'format'?" or "; valid keys: a, b, c". */
export function suggestion(word: string, valid: readonly string[], what = 'keys'): string {
  const near = nearest(word, valid);
  return near !== undefined ? `; did you mean '${near}'?` : `; valid ${what}: ${valid.join(', ')}`;
}

type AnySchema = z.core.$ZodType;

/**
 * The schema of the value at `path`, looking through optional, default, nullable, arrays, records, and a
 * discriminated union's options (the one `root`'s value there chose; the union itself when none did).
 * @param root the config as written, or undefined.
 */
function schemaAt(schema: AnySchema, path: ConfigPath, root?: unknown): AnySchema | undefined {
  let s: AnySchema | undefined = chosen(unwrap(schema), root);
  let value = root;
  for (const part of path) {
    if (s === undefined) return undefined;
    const def = s._zod.def as { shape?: Record<string, AnySchema>; element?: AnySchema; valueType?: AnySchema };
    value = typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[part] : undefined;
    s = chosen(unwrap(typeof part === 'number' ? def.element : (def.shape?.[part] ?? def.valueType)), value);
  }
  return s;
}

/** The option of the discriminated union `s` that `value`'s discriminator names; else `s`. */
function chosen(s: AnySchema | undefined, value: unknown): AnySchema | undefined {
  const def = s?._zod.def as { type: string; options?: AnySchema[]; discriminator?: string } | undefined;
  if (def?.type !== 'union' || def.discriminator === undefined || typeof value !== 'object' || value === null) return s;
  const tag = (value as Record<string, unknown>)[def.discriminator];
  const values = (o: AnySchema) => (o._zod as { propValues?: Record<string, Set<unknown>> }).propValues?.[def.discriminator!];
  return unwrap(def.options?.find((o) => values(o)?.has(tag))) ?? s;
}

/**
 * The keys the object schema at `path` allows (see schemaAt); for a union that `root` does not decide,
 * the keys of all its object options.
 */
export function keysAt(schema: AnySchema, path: ConfigPath, root?: unknown): string[] {
  const def = schemaAt(schema, path, root)?._zod.def as
    { type: string; shape?: Record<string, AnySchema>; options?: AnySchema[] } | undefined;
  if (def?.type === 'union') return [...new Set((def.options ?? []).flatMap((o) => keysAt(o, [])))];
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

/** `value` placed at `path` in otherwise empty containers: enough of a config to choose the unions along `path`. */
function nested(path: ConfigPath, value: unknown): unknown {
  return path.reduceRight<unknown>(
    (inner, part) => (typeof part === 'number' ? Object.assign([], { [part]: inner }) : { [part]: inner }),
    value,
  );
}

/** "an integer from 1 to 65,536" when the number schema at `path` has both bounds, inclusive; else undefined. */
function rangeAt(schema: AnySchema, path: ConfigPath): string | undefined {
  const checks = (schemaAt(schema, path)?._zod.def as { checks?: { _zod: { def: unknown } }[] } | undefined)?.checks ?? [];
  const defs = checks.map((c) => c._zod.def as { check: string; value?: unknown; inclusive?: boolean; format?: string });
  const min = defs.find((d) => d.check === 'greater_than' && d.inclusive === true)?.value;
  const max = defs.find((d) => d.check === 'less_than' && d.inclusive === true)?.value;
  if (typeof min !== 'number' || typeof max !== 'number') return undefined;
  const integer = defs.some((d) => d.check === 'number_format' && d.format === 'safeint');
  return `${integer ? 'an integer' : 'a number'} from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
}

function unwrap(s: AnySchema | undefined): AnySchema | undefined {
  let cur = s;
  for (;;) {
    const def = cur?._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema; out?: AnySchema } | undefined;
    // optional, nullable, default, prefault; a pipe's input, or its output after a preprocess (`optimizer: sgd`)
    const pipe = def?.type === 'pipe' ? (def.in?._zod.def.type === 'transform' ? def.out : def.in) : undefined;
    const inner = def?.innerType ?? pipe;
    if (inner === undefined) return cur;
    cur = inner;
  }
}

/** A value as written, for "got …": strings quoted, objects as JSON, shortened. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}...` : v}' (a string)`;
  if (Array.isArray(v)) return `a list (${JSON.stringify(v).slice(0, 60)})`;
  if (typeof v === 'object') return `a mapping (${JSON.stringify(v).slice(0, 60)})`;
  return `${String(v)} (a ${typeof v})`;
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

/** A required key that is not there, reported at the line of the key that holds it. */
function missing(path: ConfigPath, expected: string, at: (p: ConfigPath, key?: boolean) => ConfigIssue['line']): ConfigIssue {
  return { path, line: at(path.slice(0, -1), true), message: `missing required key '${String(path[path.length - 1])}' (${expected})` };
}

/** Our message for one zod issue (several for unknown keys), located in the YAML source. */
export function fromZodIssue(issue: z.core.$ZodIssue, schema: AnySchema, source: YamlSource | undefined): ConfigIssue[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const at = (p: ConfigPath, key = false): ConfigIssue['line'] => source?.lineOf(p, { key });
  switch (issue.code) {
    case 'unrecognized_keys': {
      // the config as written (to choose the unions on the way): the YAML's, else the issue's input at `path`
      const valid = keysAt(schema, path, source?.value ?? nested(path, issue.input));
      return issue.keys.map((key) => ({
        path: [...path, key],
        line: at([...path, key], true),
        message: `unknown key '${key}'${suggestion(key, valid)}`,
      }));
    }
    case 'invalid_type': {
      const expected = issue.expected === 'int' ? 'an integer' : (EXPECTED[issue.expected] ?? issue.expected);
      if (issue.input === undefined) return [missing(path, expected, at)];
      return [{ path, line: at(path), message: `expected ${expected}, got ${describeValue(issue.input)}` }];
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => String(v));
      const got = issue.input;
      if (got === undefined) return [missing(path, `one of ${values.map((v) => `'${v}'`).join(', ')}`, at)];
      const near = typeof got === 'string' ? nearest(got, values) : undefined;
      const hint = near === undefined ? '' : `; did you mean '${near}'?`;
      return [
        { path, line: at(path), message: `expected one of ${values.map((v) => `'${v}'`).join(', ')}, got ${describeValue(got)}${hint}` },
      ];
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = Number(small ? issue.minimum : issue.maximum);
      const inclusive = issue.inclusive ?? true;
      const range = issue.origin === 'number' ? rangeAt(schema, path) : undefined;
      const expected =
        range !== undefined
          ? range
          : issue.origin === 'number'
            ? `a number ${small ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<'} ${bound}`
            : `${small ? 'at least' : 'at most'} ${bound} ${issue.origin === 'string' ? 'characters' : 'items'}`;
      return [{ path, line: at(path), message: `expected ${expected}, got ${describeValue(issue.input)}` }];
    }
    default:
      return [
        {
          path,
          line: at(path),
          message: `${issue.message.replace(/^Invalid input: /, '')}${issue.input === undefined ? '' : `, got ${describeValue(issue.input)}`}`,
        },
      ];
  }
}
