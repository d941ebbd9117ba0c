/**
 * Creating tensors, checked against Python torch (tests/fixtures/ops.json, group "creation"):
 * tensor() from nested arrays, scalars and TypedArrays in every dtype, constant fills, ranges,
 * and random draws, which equal torch's draws for the same seed (one libtorch CPU generator).
 */
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { ConfigError } from '../../src/errors.js';
import { values } from '../helpers/fixtures.js';
import { checkLiveTensorsAfterFile, expectTensor, fx, opsFixture, tidyTest, type TensorFixture } from './check.js';

type Data = T.NestedArray;
interface Creation {
  nested: { data: Data; dtype: T.DType; out: TensorFixture }[];
  scalars: { data: number | boolean; dtype: T.DType | null; out: TensorFixture }[];
  raw16: { dtype: 'float16' | 'bfloat16'; bits: number[]; out: TensorFixture }[];
  fills: Record<string, TensorFixture>;
  like: Record<'x' | 'zeros' | 'ones' | 'full' | 'zeros_float64' | 'full_float32', TensorFixture>;
  arange: { args: number[]; out: TensorFixture }[];
  random: { seed: number; draws: { fn: 'randn' | 'rand' | 'randint'; args: unknown[]; dtype: T.DType; out: TensorFixture }[] }[];
}
const F = opsFixture<Creation>('creation');
const exact = { rtol: 0, atol: 0 };

checkLiveTensorsAfterFile();

tidyTest('tensor() from nested arrays equals torch.tensor(data, dtype) in every dtype', () => {
  for (const c of F.nested)
    expectTensor(T.tensor(c.data, { dtype: c.dtype }), c.out, { ...exact, what: `${c.dtype} ${JSON.stringify(c.data)}` });
});

tidyTest('tensor() infers float32 for numbers and bool for booleans', () => {
  const floats = F.nested.find((c) => c.dtype === 'float32')!;
  const bools = F.nested.find(
    (c) => c.dtype === 'bool' && typeof values(c.out)[0] === 'boolean' && JSON.stringify(c.data).includes('true'),
  )!;
  expectTensor(T.tensor(floats.data), floats.out, exact);
  expectTensor(T.tensor(bools.data), bools.out, exact);
});

tidyTest('tensor() from scalars makes 0-d tensors', () => {
  for (const c of F.scalars) {
    const t = T.tensor(c.data, c.dtype === null ? {} : { dtype: c.dtype });
    expectTensor(t, c.out, exact);
    assert.deepEqual(t.shape, []);
    assert.equal(t.item(), values(c.out)[0]);
  }
});

function typedArrayOf(c: Creation['nested'][number]): T.TypedArray | undefined {
  const flat = values(c.out) as number[];
  switch (c.dtype) {
    case 'float32':
      return Float32Array.from(flat);
    case 'float64':
      return Float64Array.from(flat);
    case 'int32':
      return Int32Array.from(flat);
    case 'int64':
      return BigInt64Array.from(flat, (v) => BigInt(v));
    case 'bool':
      return Uint8Array.from(flat, (v) => Number(v));
    default:
      return undefined;
  }
}

tidyTest('tensor() from TypedArrays with a shape', () => {
  for (const c of F.nested) {
    const data = typedArrayOf(c);
    if (data === undefined) continue;
    const t = T.tensor(data, c.dtype === 'bool' ? { dtype: 'bool' } : {}, c.out.shape);
    expectTensor(t, c.out, { ...exact, what: `${c.dtype} TypedArray` });
  }
});

tidyTest('a Uint16Array is read as raw float16/bfloat16 bits, and dataSync() gives them back', () => {
  for (const c of F.raw16) {
    const t = T.tensor(new Uint16Array(c.bits), { dtype: c.dtype });
    expectTensor(t, c.out, { ...exact, what: c.dtype });
    assert.deepEqual(Array.from(t.dataSync() as Uint16Array), c.bits);
  }
});

tidyTest('tensor() rejects ragged arrays, non-integers and out-of-range integers for integer dtypes, and wrong shapes', () => {
  const ints = F.nested.find((c) => c.dtype === 'int32')!;
  const biggest = Math.max(...(values(ints.out) as number[]));
  assert.throws(() => T.tensor([[1, 2], [3]]), ConfigError);
  assert.throws(() => T.tensor([0.5], { dtype: 'int64' }), ConfigError);
  assert.throws(() => T.tensor([biggest + 1], { dtype: 'int32' }), ConfigError);
  assert.throws(() => T.tensor(new Float32Array(4), {}, [3]), ConfigError);
  assert.throws(() => T.tensor(new Uint16Array(2)), ConfigError);
});

tidyTest('zeros, ones, full and eye', () => {
  const f = F.fills;
  expectTensor(T.zeros([2, 3]), f.zeros!, exact);
  expectTensor(T.zeros([2], { dtype: 'int64' }), f.zeros_int64!, exact);
  expectTensor(T.ones([3, 1]), f.ones!, exact);
  expectTensor(T.ones([2, 2], { dtype: 'float64' }), f.ones_float64!, exact);
  expectTensor(T.full([2, 2], 2.5), f.full!, exact);
  expectTensor(T.full([3], 7, { dtype: 'int64' }), f.full_int!, exact);
  expectTensor(T.full([2], true), f.full_bool!, exact);
  expectTensor(T.zeros([2, 0, 3]), f.zeros_empty!, exact);
  expectTensor(T.eye(3), f.eye!, exact);
  expectTensor(T.eye(2, { dtype: 'int64' }), f.eye_int64!, exact);
  assert.equal(T.zeros([2], { requiresGrad: true }).requiresGrad, true);
});

tidyTest('zerosLike, onesLike and fullLike keep shape and dtype unless a dtype is given', () => {
  const x = fx(F.like.x);
  expectTensor(T.zerosLike(x), F.like.zeros, exact);
  expectTensor(T.onesLike(x), F.like.ones, exact);
  expectTensor(T.fullLike(x, 9), F.like.full, exact);
  expectTensor(T.zerosLike(x, { dtype: 'float64' }), F.like.zeros_float64, exact);
  expectTensor(T.fullLike(x, 0.5, { dtype: 'float32' }), F.like.full_float32, exact);
});

tidyTest('arange: int64 for integral arguments, float32 otherwise, negative steps and empty ranges', () => {
  for (const c of F.arange) {
    const [a, b, step] = c.args as [number, number?, number?];
    expectTensor(T.arange(a, b, step), c.out, { what: `arange(${c.args.join(', ')})` });
  }
});

function draw(d: Creation['random'][number]['draws'][number]): T.Tensor {
  if (d.fn === 'randint') {
    const [low, high, shape] = d.args as [number, number, number[]];
    return T.randint(low, high, shape, { dtype: d.dtype });
  }
  return T[d.fn](d.args as number[], { dtype: d.dtype });
}

tidyTest('manualSeed(s) makes randn/rand/randint draw exactly what torch draws after torch.manual_seed(s)', () => {
  for (const r of F.random) {
    T.manualSeed(r.seed);
    r.draws.forEach((d, i) => expectTensor(draw(d), d.out, { ...exact, what: `seed ${r.seed}, draw ${i} (${d.fn})` }));
  }
});

tidyTest('random draws have the right shapes, dtypes and ranges', () => {
  for (const r of F.random) {
    T.manualSeed(r.seed);
    for (const d of r.draws) {
      const t = draw(d);
      assert.deepEqual(t.shape, d.out.shape);
      assert.equal(t.dtype, d.dtype);
      const flat = t.toFlatArray() as number[];
      if (d.fn === 'rand')
        assert.ok(
          flat.every((v) => v >= 0 && v < 1),
          'rand in [0, 1)',
        );
      if (d.fn === 'randint') {
        const [low, high] = d.args as [number, number];
        assert.ok(
          flat.every((v) => Number.isInteger(v) && v >= low && v < high),
          `randint in [${low}, ${high})`,
        );
      }
    }
  }
});

tidyTest('the same seed twice gives the same draws', () => {
  const seed = F.random[0]!.seed;
  T.manualSeed(seed);
  const first = T.randn([8]).toFlatArray();
  T.manualSeed(seed);
  assert.deepEqual(T.randn([8]).toFlatArray(), first);
});
