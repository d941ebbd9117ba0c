/**
 * Reductions, checked against Python torch (tests/fixtures/ops.json, group "reduce"): over all
 * elements, one dimension, several and negative dimensions, with keepdim; integer and bool inputs;
 * empty inputs; ties, NaN and -Infinity.
 */
import * as T from '../../src/tensor/index.js';
import { checkLiveTensorsAfterFile, expectTensor, fx, opsFixture, tidyTest, type TensorFixture } from './check.js';

type Dims = number | number[] | null;
interface Reduce {
  sum: { x: TensorFixture; dim: Dims; keepdim: boolean; dtype: T.DType | null; out: TensorFixture }[];
  mean: { x: TensorFixture; dim: Dims; keepdim: boolean; out: TensorFixture }[];
  extrema: Record<'x' | 'max' | 'min' | 'ints' | 'ints_max' | 'with_nan' | 'with_nan_max', TensorFixture>;
  dims: { fn: 'max' | 'min'; x: TensorFixture; dim: number; keepdim: boolean; values: TensorFixture; indices: TensorFixture }[];
  args: { fn: 'argmax' | 'argmin'; x: TensorFixture; dim: number | null; keepdim: boolean; out: TensorFixture }[];
  logsumexp: { x: TensorFixture; dim: number | number[]; keepdim: boolean; out: TensorFixture }[];
  norm: { x: TensorFixture; p: number | string; dim: Dims; keepdim: boolean; out: TensorFixture }[];
  spread: { fn: 'var' | 'std'; x: TensorFixture; dim: Dims; unbiased: boolean; keepdim: boolean; out: TensorFixture }[];
  logic: { x: TensorFixture; all: TensorFixture; any: TensorFixture }[];
  cumsum: { x: TensorFixture; dim: number; out: TensorFixture }[];
}
const F = opsFixture<Reduce>('reduce');
const close = { rtol: 1e-5, atol: 1e-6 };
const dims = (d: Dims): number | number[] | undefined => (d === null ? undefined : d);
const label = (name: string, c: { dim: Dims; keepdim?: boolean }): string =>
  `${name}(dim=${JSON.stringify(c.dim)}, keepdim=${c.keepdim ?? false})`;

checkLiveTensorsAfterFile();

tidyTest('sum over all, one, several and negative dims; int64/bool inputs sum to int64; dtype; empty', () => {
  for (const c of F.sum) {
    expectTensor(fx(c.x).sum(dims(c.dim), c.keepdim, c.dtype ?? undefined), c.out, {
      ...close,
      what: `${label('sum', c)} of ${c.x.dtype}`,
    });
  }
});

tidyTest('mean over all, one and several dims, float32 and float64', () => {
  for (const c of F.mean) expectTensor(fx(c.x).mean(dims(c.dim), c.keepdim), c.out, { ...close, what: label('mean', c) });
});

tidyTest('max and min of all elements (NaN propagates)', () => {
  const e = F.extrema;
  expectTensor(fx(e.x).max(), e.max);
  expectTensor(fx(e.x).min(), e.min);
  expectTensor(fx(e.ints).max(), e.ints_max);
  expectTensor(fx(e.with_nan).max(), e.with_nan_max);
});

tidyTest('maxDim and minDim give values and int64 indices (ties: the same index as torch)', () => {
  for (const c of F.dims) {
    const x = fx(c.x);
    const [values, indices] = c.fn === 'max' ? x.maxDim(c.dim, c.keepdim) : x.minDim(c.dim, c.keepdim);
    expectTensor(values, c.values, { what: `${label(c.fn, c)} values` });
    expectTensor(indices, c.indices, { what: `${label(c.fn, c)} indices` });
  }
});

tidyTest('argmax and argmin, flattened and along a dim', () => {
  for (const c of F.args) {
    const x = fx(c.x);
    const dim = c.dim ?? undefined;
    expectTensor(c.fn === 'argmax' ? x.argmax(dim, c.keepdim) : x.argmin(dim, c.keepdim), c.out, { what: label(c.fn, c) });
  }
});

tidyTest('logsumexp, stable for large values and -Infinity rows', () => {
  for (const c of F.logsumexp) expectTensor(fx(c.x).logsumexp(c.dim, c.keepdim), c.out, { ...close, what: label('logsumexp', c) });
});

tidyTest('norm for p = 2, 1, 3, 0.5, 0, Infinity and -Infinity', () => {
  for (const c of F.norm) {
    const p = c.p === 'inf' ? Infinity : c.p === '-inf' ? -Infinity : (c.p as number);
    expectTensor(fx(c.x).norm(p, dims(c.dim), c.keepdim), c.out, { ...close, what: `${label('norm', c)}, p=${p}` });
  }
});

tidyTest('variance and std, unbiased and biased (one element, unbiased: NaN)', () => {
  for (const c of F.spread) {
    const x = fx(c.x);
    const out = c.fn === 'var' ? x.variance(dims(c.dim), c.unbiased, c.keepdim) : x.std(dims(c.dim), c.unbiased, c.keepdim);
    expectTensor(out, c.out, { ...close, what: `${label(c.fn, c)}, unbiased=${c.unbiased}` });
  }
});

tidyTest('all and any on bool and float inputs, and on empty tensors', () => {
  for (const c of F.logic) {
    const x = fx(c.x);
    expectTensor(x.all(), c.all, { what: `all of ${c.x.dtype}[${c.x.shape.join(',')}]` });
    expectTensor(x.any(), c.any, { what: `any of ${c.x.dtype}[${c.x.shape.join(',')}]` });
  }
});

tidyTest('cumsum along dims; int64 and bool inputs accumulate in int64', () => {
  for (const c of F.cumsum) expectTensor(fx(c.x).cumsum(c.dim), c.out, { ...close, what: `cumsum(${c.dim}) of ${c.x.dtype}` });
});
