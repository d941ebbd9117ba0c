/**
 * Shape, joining, slicing and indexing ops, checked against Python torch (tests/fixtures/ops.json,
 * group "shape"): negative dimensions, broadcasting masks, uneven splits and empty results included.
 */
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { TorchError } from '../../src/errors.js';
import { checkLiveTensorsAfterFile, expectTensor, fx, opsFixture, tidyTest, type TensorFixture } from './check.js';

type Arg = number | number[] | null;
interface Shape {
  unary: Record<string, { x: TensorFixture; args: Arg[]; out: TensorFixture }>;
  joins: Record<string, { xs: TensorFixture[]; dim: number; out: TensorFixture }>;
  splits: Record<string, { x: TensorFixture; size?: number | number[]; chunks?: number; dim: number; out: TensorFixture[] }>;
  indexing: Record<
    string,
    {
      x: TensorFixture;
      dim?: number;
      index?: TensorFixture;
      indices?: (TensorFixture | null)[];
      src?: TensorFixture;
      value?: number;
      out: TensorFixture;
    }
  >;
  masks: Record<
    string,
    {
      x?: TensorFixture;
      mask?: TensorFixture;
      value?: number | string;
      cond?: TensorFixture;
      a?: TensorFixture | number;
      b?: TensorFixture | number;
      out: TensorFixture;
    }
  >;
  views: { x: TensorFixture; narrow_fill: TensorFixture };
}
const F = opsFixture<Shape>('shape');
const exact = { rtol: 0, atol: 0 };

checkLiveTensorsAfterFile();

const n = (a: Arg): number => a as number;
const opt = (a: Arg): number | undefined => (a === null ? undefined : (a as number));
/** The op named by a case's prefix ("reshape_flat" → reshape), applied to the case's arguments. */
const UNARY: Record<string, (x: T.Tensor, args: Arg[]) => T.Tensor> = {
  reshape: (x, a) => x.reshape(a[0] as number[]),
  view: (x, a) => x.view(a[0] as number[]),
  permute: (x, a) => x.permute(a[0] as number[]),
  transpose: (x, a) => x.transpose(n(a[0]!), n(a[1]!)),
  squeeze: (x, a) => x.squeeze(opt(a[0] ?? null)),
  unsqueeze: (x, a) => x.unsqueeze(n(a[0]!)),
  expand: (x, a) => x.expand(a[0] as number[]),
  flatten: (x, a) => x.flatten(opt(a[0] ?? null), opt(a[1] ?? null)),
  narrow: (x, a) => x.narrow(n(a[0]!), n(a[1]!), n(a[2]!)),
  slice: (x, a) => x.slice(n(a[0]!), opt(a[1]!), opt(a[2]!), n(a[3]!)),
  select: (x, a) => x.select(n(a[0]!), n(a[1]!)),
  repeat: (x, a) => x.repeat(a[0] as number[]),
  triu: (x, a) => x.triu(opt(a[0] ?? null)),
  tril: (x, a) => x.tril(opt(a[0] ?? null)),
};

for (const [name, c] of Object.entries(F.unary)) {
  tidyTest(`${name}(${JSON.stringify(c.args).slice(1, -1)})`, () => {
    const op = UNARY[name.split('_')[0]!]!;
    expectTensor(op(fx(c.x), c.args), c.out, exact);
  });
}

tidyTest('cat and stack, along negative dims and with an empty part', () => {
  for (const [name, c] of Object.entries(F.joins)) {
    const xs = c.xs.map(fx);
    const out = name.startsWith('cat') ? T.cat(xs, c.dim) : T.stack(xs, c.dim);
    expectTensor(out, c.out, { ...exact, what: name });
  }
});

tidyTest('split by size and by sizes, chunk into equal and uneven pieces', () => {
  for (const [name, c] of Object.entries(F.splits)) {
    const x = fx(c.x);
    const parts = name.startsWith('split') ? x.split(c.size!, c.dim) : x.chunk(c.chunks!, c.dim);
    assert.equal(parts.length, c.out.length, `${name}: number of pieces`);
    parts.forEach((p, i) => expectTensor(p, c.out[i]!, { ...exact, what: `${name}[${i}]` }));
  }
});

tidyTest('indexSelect, index (int64, bool and paired index tensors), gather', () => {
  for (const [name, c] of Object.entries(F.indexing)) {
    const x = fx(c.x);
    let out: T.Tensor;
    if (name.startsWith('index_select')) out = x.indexSelect(c.dim!, fx(c.index!));
    else if (name.startsWith('index')) out = x.index(c.indices!.map((i) => (i === null ? null : fx(i))));
    else if (name.startsWith('gather')) out = x.gather(c.dim!, fx(c.index!));
    else continue;
    expectTensor(out, c.out, { ...exact, what: name });
  }
});

tidyTest('scatter (tensor and scalar sources) and scatterAdd with repeated indices', () => {
  for (const [name, c] of Object.entries(F.indexing)) {
    if (!name.startsWith('scatter')) continue;
    const [x, index] = [fx(c.x), fx(c.index!)];
    let out: T.Tensor;
    if (name.startsWith('scatter_add')) out = x.scatterAdd(c.dim!, index, fx(c.src!));
    else out = x.scatter(c.dim!, index, c.src === undefined ? c.value! : fx(c.src));
    expectTensor(out, c.out, { rtol: 1e-6, atol: 1e-7, what: name });
    expectTensor(x, c.x, { ...exact, what: `${name} leaves its input unchanged` });
  }
});

tidyTest('maskedFill (broadcast mask, -Infinity, integer tensors) and where (broadcast, scalar branches)', () => {
  for (const [name, c] of Object.entries(F.masks)) {
    let out: T.Tensor;
    if (name.startsWith('masked_fill')) {
      const value = c.value === '-inf' ? -Infinity : (c.value as number);
      out = fx(c.x!).maskedFill(fx(c.mask!), value);
    } else {
      const branch = (v: TensorFixture | number) => (typeof v === 'number' ? v : fx(v));
      out = T.where(fx(c.cond!), branch(c.a!), branch(c.b!));
    }
    expectTensor(out, c.out, { ...exact, what: name });
  }
});

tidyTest('narrow() is a view: filling it changes the base tensor', () => {
  const x = fx(F.views.x);
  x.narrow(1, 0, 2).fill_(0);
  expectTensor(x, F.views.narrow_fill, exact);
});

tidyTest('view() of a non-contiguous tensor fails with a TorchError; reshape() copies instead', () => {
  const c = F.unary.view!;
  const t = fx(c.x).transpose(0, 1);
  assert.throws(() => t.view([-1]), TorchError);
  assert.deepEqual(t.reshape([-1]).shape, [c.x.data.length]);
});

tidyTest('contiguous() and clone() keep the values', () => {
  const c = F.unary.transpose!;
  const t = fx(c.x).transpose(0, -1);
  expectTensor(t.contiguous(), c.out, exact);
  expectTensor(t.clone(), c.out, exact);
});
