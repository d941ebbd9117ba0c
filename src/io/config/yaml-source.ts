/**
 * A YAML config file parsed with the `yaml` package, keeping its syntax tree so that every key path
 * (`tasks[1].data.format`) can be traced back to its line for error messages.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError } from '../../errors.js';

/**
 * The `yaml` package's limit on alias expansion (its `maxAliasCount`): a "billion laughs" document of
 * nested aliases is refused instead of filling memory. A config needs a handful of aliases.
 */
const MAX_ALIAS_COUNT = 100;

/** A key path into the config: object keys and array indices. */
export type ConfigPath = readonly (string | number)[];

/** `['tasks', 1, 'data', 'format']` → `tasks[1].data.format`. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(top level)' : out;
}

/** A parsed YAML file: its plain value and the lines of its keys and values. */
export class YamlSource {
  readonly value: unknown;
  readonly #doc: Document.Parsed;
  readonly #lines: LineCounter;

  /**
   * @param text the file's content.
   * @param name the file, for messages.
   * @throws ConfigError naming `name:line:column` for a YAML syntax error, a duplicate key or several
   *   documents; naming the limit when aliases expand past it (an alias bomb).
   */
  constructor(
    text: string,
    readonly name: string,
  ) {
    this.#lines = new LineCounter();
    this.#doc = parseDocument(text, { lineCounter: this.#lines, prettyErrors: false, uniqueKeys: true });
    const errors = this.#doc.errors;
    if (errors.length > 0) {
      const list = errors.map((e) => {
        const pos = this.#lines.linePos(e.pos[0]);
        return `${name}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`;
      });
      throw new ConfigError(`${name} is not valid YAML:\n  ${list.join('\n  ')}`);
    }
    try {
      this.value = this.#doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      // The yaml package stops expanding aliases past maxAliasCount with a ReferenceError ("Excessive alias count").
      if (!(e instanceof ReferenceError)) throw e;
      throw new ConfigError(
        `${name}: its aliases (*name) expand past the loader's limit (the yaml package's maxAliasCount, ${MAX_ALIAS_COUNT}): ` +
          `${e.message}. A config needs a few aliases, not nested ones multiplying; write the repeated values out`,
      );
    }
  }

  /**
   * The 1-based line of the value at `path`, or of its key with `key: true` (for an unknown key); for a
   * path that is not in the file (a missing key), the line of its nearest ancestor that is. Undefined
   * for the top level and for a top-level key that is not in the file: the whole file has no one line.
   */
  lineOf(path: ConfigPath, options: { key?: boolean } = {}): number | undefined {
    let node: unknown = this.#doc.contents;
    let offset: number | undefined;
    for (const [i, part] of path.entries()) {
      let keyNode: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
        if (pair === undefined) break;
        [keyNode, node] = [pair.key, pair.value];
      } else if (isSeq(node) && typeof part === 'number' && part < node.items.length) {
        node = node.items[part];
      } else break;
      const wantKey = options.key === true && i === path.length - 1;
      const at = (wantKey ? undefined : rangeStart(node)) ?? rangeStart(keyNode);
      if (at !== undefined) offset = at;
      if (node === null || node === undefined) break;
    }
    return offset === undefined ? undefined : this.#lines.linePos(offset).line;
  }
}

const rangeStart = (node: unknown): number | undefined => (node as Node | null | undefined)?.range?.[0];
