/**
 * docs/configuration.md, the training config's reference, written from its JSON Schema
 * (src/io/config/json-schema.ts, itself generated from the zod schema that validates configs): one
 * table per top-level section, a row per key with its type and range, its default, whether it is
 * required, and its description. `npm run schema` writes it beside the schema; a test keeps it equal.
 */

/** The part of JSON Schema that z.toJSONSchema writes for this config. */
interface Node {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: boolean | Node;
  items?: Node | false;
  prefixItems?: Node[];
  anyOf?: Node[];
  oneOf?: Node[];
}

interface Row {
  readonly key: string;
  readonly type: string;
  readonly fallback: string;
  readonly required: boolean;
  readonly description: string;
}

/** A number as written in a YAML file (thousands grouped for readability). */
const num = (x: number): string => (Number.isSafeInteger(x) && Math.abs(x) >= 10_000 ? x.toLocaleString('en-US') : String(x));

/** A safe-integer bound that only says "any integer" is left out. */
const meaningful = (x: number | undefined): x is number => x !== undefined && Math.abs(x) < Number.MAX_SAFE_INTEGER;

/** The range of a number: "1 … 100", "> 0", "≥ 0 and < 1". */
function range(n: Node): string {
  const low = meaningful(n.minimum) ? `≥ ${num(n.minimum)}` : n.exclusiveMinimum !== undefined ? `> ${num(n.exclusiveMinimum)}` : '';
  const high = meaningful(n.maximum) ? `≤ ${num(n.maximum)}` : n.exclusiveMaximum !== undefined ? `< ${num(n.exclusiveMaximum)}` : '';
  if (meaningful(n.minimum) && meaningful(n.maximum)) return `${num(n.minimum)} … ${num(n.maximum)}`;
  return [low, high].filter((s) => s !== '').join(' and ');
}

/** A type in words: "integer 1 … 100", "`a` \| `b`", "list of string", "number > 0 or null". */
function typeOf(n: Node): string {
  if (n.const !== undefined) return `\`${String(n.const)}\``;
  if (n.enum !== undefined) return n.enum.map((v) => (v === null ? 'null' : `\`${String(v)}\``)).join(' | ');
  const variants = n.anyOf ?? n.oneOf;
  if (variants !== undefined) return [...new Set(variants.map(typeOf))].join(' or ');
  const t = Array.isArray(n.type) ? n.type.join(' or ') : n.type;
  if (t === 'integer' || t === 'number') {
    const r = range(n);
    return r === '' ? t : `${t} ${r}`;
  }
  if (t === 'array') {
    if (n.prefixItems !== undefined) return `[${n.prefixItems.map(typeOf).join(', ')}]`;
    const item = n.items === undefined || n.items === false ? 'value' : typeOf(n.items);
    return `list of ${item}${n.minItems !== undefined && n.minItems > 0 ? ` (at least ${n.minItems})` : ''}`;
  }
  if (t === 'object') return n.properties === undefined ? 'mapping' : 'section';
  if (t === 'string' && n.maxLength === 1) return 'one character';
  if (t === 'null') return 'null';
  return t ?? 'any';
}

/** A default as a config would write it. */
const fallbackOf = (n: Node): string =>
  n.default === undefined ? '' : `\`${typeof n.default === 'string' ? n.default : JSON.stringify(n.default)}\``;

/** One cell's text: pipes escaped, lines joined. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

/** The section (keys) a node holds: its own properties, or those of its one object variant (`section or null`). */
const sectionOf = (n: Node): Node | undefined =>
  n.properties !== undefined
    ? n
    : (n.anyOf ?? []).filter((v) => v.properties !== undefined).length === 1
      ? n.anyOf!.find((v) => v.properties !== undefined)
      : undefined;

/** The rows of section `n` at `prefix`, depth first (a section's own row, then its keys'). */
function rows(n: Node, prefix: string, out: Row[]): void {
  const required = new Set(n.required ?? []);
  for (const [key, child] of Object.entries(n.properties ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const element = child.type === 'array' && child.items !== undefined && child.items !== false ? child.items : undefined;
    out.push({
      key: path,
      type: typeOf(child),
      fallback: fallbackOf(child),
      required: required.has(key),
      description: child.description ?? '',
    });
    const section = sectionOf(child);
    if (section !== undefined) rows(section, path, out);
    if (element?.properties !== undefined) rows(element, `${path}[]`, out);
    for (const variant of section === undefined ? (child.oneOf ?? child.anyOf ?? []) : []) {
      if (variant.properties === undefined) continue;
      const tag = Object.entries(variant.properties).find(([, v]) => v.const !== undefined);
      const named =
        tag === undefined
          ? variant
          : { ...variant, properties: Object.fromEntries(Object.entries(variant.properties).filter(([k]) => k !== tag[0])) };
      rows(named, tag === undefined ? path : `${path} (${tag[0]}: ${String(tag[1].const)})`, out);
    }
  }
  const other = n.additionalProperties;
  if (typeof other === 'object') {
    // keys the section takes beyond those it names (the encoder's family keys)
    const path = prefix === '' ? '<other key>' : `${prefix}.<other key>`;
    out.push({ key: path, type: typeOf(other), fallback: fallbackOf(other), required: false, description: other.description ?? '' });
  }
}

/** docs/configuration.md's text for the JSON Schema `schema`. */
export function configReferenceMarkdown(schema: Record<string, unknown>): string {
  const root = schema as Node;
  const lines = [
    '# Training config reference',
    '',
    "<!-- Generated by `npm run schema` from the config's JSON Schema (schema/training-config.schema.json,",
    '     itself generated from src/io/config/schema.ts). Do not edit: change the schema and regenerate. -->',
    '',
    `${root.description ?? ''} A config is a YAML (or JSON) file for \`mtl train CONFIG\`; \`mtl finetune\` reads the same`,
    'keys without `tokenizer`. Keys are snake_case. Editors check a config against the JSON Schema when its first',
    'line is `# yaml-language-server: $schema=./node_modules/multitask-lm/schema/training-config.schema.json`.',
    'Each task type checks its own `options` when the config loads (docs/guide-custom-task.md lists the task types).',
    '',
  ];
  const top = Object.entries(root.properties ?? {});
  const required = new Set(root.required ?? []);
  const scalars = top.filter(([, n]) => sectionOf(n) === undefined && !(n.type === 'array' && n.items && n.items.properties));
  const table = (rs: Row[]) => [
    '| key | type | default | description |',
    '| --- | --- | --- | --- |',
    ...rs.map((r) => `| \`${r.key}\`${r.required ? ' (required)' : ''} | ${cell(r.type)} | ${cell(r.fallback)} | ${cell(r.description)} |`),
    '',
  ];
  lines.push('## Top level', '');
  lines.push(
    ...table(
      scalars.map(([k, n]) => ({
        key: k,
        type: typeOf(n),
        fallback: fallbackOf(n),
        required: required.has(k),
        description: n.description ?? '',
      })),
    ),
  );
  for (const [key, n] of top) {
    if (scalars.some(([k]) => k === key)) continue;
    const out: Row[] = [];
    const element = n.type === 'array' && n.items !== undefined && n.items !== false ? n.items : undefined;
    rows(element ?? sectionOf(n)!, element !== undefined ? `${key}[]` : key, out);
    lines.push(`## \`${key}\`${required.has(key) ? ' (required)' : ''}`, '');
    if (n.description !== undefined) lines.push(n.description, '');
    if (n.anyOf?.some((v) => v.type === 'null')) lines.push(`Optional: \`${key}: null\` (the default) leaves it out.`, '');
    if (element !== undefined) lines.push(`A list${n.minItems !== undefined ? ` of at least ${n.minItems}` : ''}; each element:`, '');
    lines.push(...table(out));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
