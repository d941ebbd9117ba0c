/**
 * Printing tensors as PyTorch's `repr()` does (torch/_tensor_str.py, default print options:
 * precision 4, threshold 1000 elements, 3 edge items, line width 80), e.g.
 * `tensor([1., 2.])`, `tensor([[1.5000, 2.0000]])`, `tensor([1.0000e-05, 1.0000e+00])`,
 * `tensor([1, 2], dtype=torch.int32)`.
 *
 * Float rules, over the finite non-zero values: if all are integral, print `1.` (scientific when
 * max/min > 1000 or max > 1e8); else fixed with 4 decimals, scientific when max/min > 1000,
 * max > 1e8 or min < 1e-4. Every element is right-aligned to the widest one. Numbers round half to
 * even, as Python's format() does. One difference: a non-leaf tensor that requires grad prints
 * `requires_grad=True` where PyTorch names its `grad_fn` (the binding does not expose that name).
 */

const PRECISION = 4;
const THRESHOLD = 1000; // elements above which a tensor is summarised
const EDGE_ITEMS = 3; // items shown at each end of a summarised dimension
const LINE_WIDTH = 80;
/** dtypes PyTorch prints without a `dtype=` suffix (the default float type, int64 and bool). */
const DEFAULT_DTYPES = new Set(['float32', 'int64', 'bool']);

type Value = number | boolean;

/** What `formatTensor` reads of a tensor (./tensor.ts's Tensor has it all). */
export interface PrintableTensor {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly device: string;
  readonly requiresGrad: boolean;
  /** The values in row-major order. */
  toFlatArray(): Value[];
}

/**
 * Rounds |x| to `digits` places like Python (exact value, ties to even); `render` is
 * toFixed or toExponential, which round ties away from zero.
 */
function roundHalfEven(x: number, digits: number, render: (v: number, d: number) => string): string {
  const rounded = render(x, digits);
  const exact = render(x, Math.min(100, digits + 30));
  const [mantissa, exponent] = exact.split('e') as [string, string | undefined];
  const kept = digits === 0 ? mantissa.split('.')[0]! : mantissa.slice(0, mantissa.indexOf('.') + 1 + digits);
  const rest = mantissa.slice(digits === 0 ? mantissa.indexOf('.') + 1 : kept.length);
  const tie = /^50*$/.test(rest);
  const lastDigit = Number(kept[kept.length - 1]);
  if (!tie || lastDigit % 2 === 1) return rounded;
  if (exponent === undefined) return kept;
  return `${kept}e${exponent}`;
}

const signOf = (v: number): string => (v < 0 || Object.is(v, -0) ? '-' : '');

function nonFinite(v: number): string | undefined {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return undefined;
}

/** Python's `'{:.Nf}'.format(v)`. */
export function pythonFixed(v: number, digits: number): string {
  return nonFinite(v) ?? signOf(v) + roundHalfEven(Math.abs(v), digits, (x, d) => x.toFixed(d));
}

/** Python's `'{:.Ne}'.format(v)`: the exponent has a sign and at least two digits. */
export function pythonExponential(v: number, digits: number): string {
  const special = nonFinite(v);
  if (special !== undefined) return special;
  const text = roundHalfEven(Math.abs(v), digits, (x, d) => x.toExponential(d));
  const [mantissa, exponent] = text.split('e') as [string, string];
  const power = Number(exponent);
  return `${signOf(v)}${mantissa}e${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
}

/** Chooses the notation and column width from the values that will be shown (PyTorch's _Formatter). */
class Formatter {
  private intMode = true;
  private sciMode = false;
  readonly width: number = 1;

  constructor(
    values: readonly Value[],
    private readonly floating: boolean,
  ) {
    if (!floating) {
      this.width = this.widest(values);
      return;
    }
    const shown = (values as number[]).filter((v) => Number.isFinite(v) && v !== 0);
    if (shown.length === 0) return;
    let [min, max] = [Infinity, 0];
    for (const v of shown) [min, max] = [Math.min(min, Math.abs(v)), Math.max(max, Math.abs(v))];
    this.intMode = shown.every((v) => v === Math.ceil(v));
    this.sciMode = max / min > 1000 || max > 1e8 || (!this.intMode && min < 1e-4);
    this.width = this.widest(shown);
  }

  private widest(values: readonly Value[]): number {
    let width = 1;
    for (const v of values) width = Math.max(width, this.text(v).length);
    return width;
  }

  private text(v: Value): string {
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    if (!this.floating) return String(v);
    if (this.sciMode) return pythonExponential(v, PRECISION);
    if (this.intMode) return pythonFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    return pythonFixed(v, PRECISION);
  }

  /** `v` right-aligned to the column width. */
  format(v: Value): string {
    return this.text(v).padStart(this.width);
  }
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Indices shown along a dimension of size n: all, or the edge items with -1 marking the gap. */
function shownIndices(n: number, summarise: boolean): number[] {
  if (!summarise || n <= 2 * EDGE_ITEMS) return [...Array(n).keys()];
  return [...Array(EDGE_ITEMS).keys(), -1, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)];
}

/** The values a summarised print shows (PyTorch's get_summarized_data), which set the format. */
function shownValues(flat: readonly Value[], shape: readonly number[], offset: number, summarise: boolean, out: Value[]): Value[] {
  if (shape.length === 0) {
    out.push(flat[offset] as Value);
    return out;
  }
  const [n, ...rest] = shape as [number, ...number[]];
  const stride = product(rest);
  for (const i of shownIndices(n, summarise)) if (i >= 0) shownValues(flat, rest, offset + i * stride, summarise, out);
  return out;
}

interface Layout {
  flat: readonly Value[];
  summarise: boolean;
  formatter: Formatter;
}

function vectorText(layout: Layout, n: number, offset: number, indent: number): string {
  const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (layout.formatter.width + 2)));
  const items = shownIndices(n, layout.summarise).map((i) => (i < 0 ? ' ...' : layout.formatter.format(layout.flat[offset + i] as Value)));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
}

function tensorText(layout: Layout, shape: readonly number[], offset: number, indent: number): string {
  if (shape.length === 0) return layout.formatter.format(layout.flat[offset] as Value);
  const [n, ...rest] = shape as [number, ...number[]];
  if (rest.length === 0) return vectorText(layout, n, offset, indent);
  const stride = product(rest);
  const slices = shownIndices(n, layout.summarise).map((i) => (i < 0 ? '...' : tensorText(layout, rest, offset + i * stride, indent + 1)));
  return `[${slices.join(`,${'\n'.repeat(rest.length)}${' '.repeat(indent + 1)}`)}]`;
}

/** Appends `, suffix` items, starting a new line when one would pass the line width. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number): string {
  let out = text;
  let lastLineLength = text.length - text.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > LINE_WIDTH) {
      out += `,\n${' '.repeat(indent)}${suffix}`;
      lastLineLength = indent + suffix.length;
    } else {
      out += `, ${suffix}`;
      lastLineLength += suffix.length + 2;
    }
  }
  return `${out})`;
}

/** The text PyTorch's repr() prints for `t` (see the module comment for the rules). */
export function formatTensor(t: PrintableTensor): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const shape = t.shape;
  const dtype = t.dtype;
  const suffixes: string[] = [];
  if (t.device !== 'cpu') suffixes.push(`device='${t.device}'`);
  let body: string;
  if (product(shape) === 0) {
    if (shape.length !== 1) suffixes.push(`size=(${shape.join(', ')})`);
    if (dtype !== 'float32') suffixes.push(`dtype=torch.${dtype}`);
    body = '[]';
  } else {
    if (!DEFAULT_DTYPES.has(dtype)) suffixes.push(`dtype=torch.${dtype}`);
    const flat = t.toFlatArray();
    const summarise = flat.length > THRESHOLD;
    const floating = dtype.startsWith('float') || dtype === 'bfloat16';
    const formatter = new Formatter(summarise ? shownValues(flat, shape, 0, true, []) : flat, floating);
    body = tensorText({ flat, summarise, formatter }, shape, 0, indent);
  }
  if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent);
}
