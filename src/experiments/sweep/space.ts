/**
 * A sweep's search space: the hyper-parameters to vary, each a dotted path into the training config
 * (`training.learning_rate`, `encoder.hidden_dropout_prob`, `tasks.intent.weight` — a list of named
 * items is indexed by name, or by position) and a distribution over its values. Pure functions: grid
 * enumeration, seeded random draws, the transformation TPE works in (./tpe.ts), and writing a point
 * into a config.
 */
import { z } from 'zod';
import { ConfigError } from '../../errors.js';

/** One hyper-parameter's values: a list, a real range (uniform or uniform in log), or an integer range. */
export const parameterSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('choice'),
    values: z.array(z.union([z.number(), z.string(), z.boolean(), z.null()])).min(1),
  }),
  z.strictObject({
    type: z.literal('uniform'),
    low: z.number(),
    high: z.number(),
    /** Grid search: this many evenly spaced points, both ends included. */
    grid: z.number().int().min(1).optional(),
  }),
  z.strictObject({
    type: z.literal('log_uniform'),
    low: z.number().positive(),
    high: z.number().positive(),
    /** Grid search: this many points evenly spaced in log space, both ends included. */
    grid: z.number().int().min(1).optional(),
  }),
  z.strictObject({ type: z.literal('int'), low: z.number().int(), high: z.number().int() }),
]);

export type Parameter = z.output<typeof parameterSchema>;
export type ParameterValue = number | string | boolean | null;
/** A point of the space: parameter path → value. */
export type Point = Readonly<Record<string, ParameterValue>>;

/** The space's parameters in the file's order. */
export type Space = readonly (readonly [string, Parameter])[];

/**
 * Checks each range (low < high; low ≤ high for int).
 * @throws ConfigError naming the parameter.
 */
export function checkSpace(space: Space): void {
  for (const [name, p] of space) {
    if (p.type === 'choice') continue;
    if (p.type === 'int' ? p.low > p.high : p.low >= p.high)
      throw new ConfigError(`parameters.${name}: low (${p.low}) must be below high (${p.high})`);
  }
}

/** Evenly spaced values of a real range (`n` points, both ends; in log space for log_uniform). */
function gridValues(name: string, p: Parameter): ParameterValue[] {
  if (p.type === 'choice') return [...p.values];
  if (p.type === 'int') return Array.from({ length: p.high - p.low + 1 }, (_, i) => p.low + i);
  if (p.grid === undefined)
    throw new ConfigError(`parameters.${name}: a ${p.type} range needs 'grid: N' (points to try) for grid search, or use choice`);
  const n = p.grid;
  if (n === 1) return [p.type === 'log_uniform' ? Math.sqrt(p.low * p.high) : (p.low + p.high) / 2];
  const [a, b] = p.type === 'log_uniform' ? [Math.log(p.low), Math.log(p.high)] : [p.low, p.high];
  return Array.from({ length: n }, (_, i) => {
    const x = a + ((b - a) * i) / (n - 1);
    return p.type === 'log_uniform' ? Math.exp(x) : x;
  });
}

/**
 * Every point of the grid, in order: the last parameter varies fastest (as nested loops over the
 * parameters in the file's order).
 * @throws ConfigError for a real range without `grid`.
 */
export function gridPoints(space: Space): Point[] {
  let points: Record<string, ParameterValue>[] = [{}];
  for (const [name, p] of space) {
    const values = gridValues(name, p);
    points = points.flatMap((pt) => values.map((v) => ({ ...pt, [name]: v })));
  }
  return points;
}

/** A value of `p` drawn with `u`, uniform in [0, 1). */
export function drawValue(p: Parameter, u: () => number): ParameterValue {
  switch (p.type) {
    case 'choice':
      return p.values[Math.min(p.values.length - 1, Math.floor(u() * p.values.length))] as ParameterValue;
    case 'uniform':
      return p.low + (p.high - p.low) * u();
    case 'log_uniform':
      return Math.exp(Math.log(p.low) + (Math.log(p.high) - Math.log(p.low)) * u());
    case 'int':
      return Math.min(p.high, p.low + Math.floor(u() * (p.high - p.low + 1)));
  }
}

/** A point drawn independently for each parameter, in the file's order. */
export function randomPoint(space: Space, u: () => number): Point {
  return Object.fromEntries(space.map(([name, p]) => [name, drawValue(p, u)]));
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `config` (a training config in the file's spelling) with `value` at the dotted `key`: mappings are
 * entered by key (missing ones made), lists by an item's `name` or a position. Returns a copy.
 * @throws ConfigError when a list has no item of that name or position, or a step meets a scalar.
 */
export function setPath(config: unknown, key: string, value: unknown): unknown {
  const step = (node: unknown, parts: readonly string[], at: string): unknown => {
    if (parts.length === 0) return value;
    const [head, ...rest] = parts as [string, ...string[]];
    const here = at === '' ? head : `${at}.${head}`;
    if (Array.isArray(node)) {
      const index = /^\d+$/.test(head) ? Number(head) : node.findIndex((item) => isMapping(item) && item.name === head);
      if (index < 0 || index >= node.length) {
        const names = node.filter(isMapping).map((item) => String(item.name));
        throw new ConfigError(
          `${key}: '${at}' has no item '${head}' (its items: ${names.join(', ')}; or a position 0..${node.length - 1})`,
        );
      }
      const copy = [...node];
      copy[index] = step(node[index], rest, here);
      return copy;
    }
    if (node !== undefined && !isMapping(node)) throw new ConfigError(`${key}: '${at}' is a value, not a mapping or list to enter`);
    const mapping = node ?? {};
    return { ...mapping, [head]: step(mapping[head], rest, here) };
  };
  return step(config, key.split('.'), '');
}
