/**
 * Reading tensors back (toString, toArray, item, dataSync, toFlatArray), checked against Python
 * torch's repr() and tolist() (tests/fixtures/ops.json, group "format"). toString claims to print
 * exactly what PyTorch prints, so every recorded repr() must match character for character.
 */
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { ShapeError } from '../../src/errors.js';
import { values } from '../helpers/fixtures.js';
import { checkLiveTensorsAfterFile, fx, opsFixture, tidyTest, type TensorFixture } from './check.js';

type Listed = number | boolean | string | Listed[];
interface FormatCase {
  name: string;
  x: TensorFixture;
  requires_grad: boolean;
  repr: string;
  tolist: Listed;
}
const CASES = opsFixture<FormatCase[]>('format');

checkLiveTensorsAfterFile();

/** tolist() output with "nan"/"inf"/"-inf" turned back into numbers. */
const decode = (v: Listed): T.NestedArray =>
  Array.isArray(v) ? v.map(decode) : v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number | boolean);

function build(c: FormatCase): T.Tensor {
  const t = fx(c.x);
  if (c.requires_grad) t.requiresGrad = true;
  return t;
}

for (const c of CASES) {
  tidyTest(`toString() prints like torch's repr(): ${c.name}`, () => {
    assert.equal(build(c).toString(), c.repr);
  });
}

tidyTest('toArray() equals torch tolist(), nesting empty dimensions too', () => {
  for (const c of CASES) assert.deepEqual(build(c).toArray(), decode(c.tolist), c.name);
});

tidyTest('item() reads one-element tensors and rejects others', () => {
  for (const c of CASES) {
    const t = build(c);
    if (t.numel === 1) assert.deepEqual(t.item(), values(c.x)[0], c.name);
    else assert.throws(() => t.item(), ShapeError, c.name);
  }
});

tidyTest('dataSync() and toFlatArray() give the elements in row-major order', () => {
  for (const c of CASES) {
    const t = build(c);
    const flat = values(c.x);
    assert.deepEqual(t.toFlatArray(), flat, c.name);
    const data = t.dataSync();
    assert.equal(data.length, flat.length, c.name);
    if (c.x.dtype === 'float32' || c.x.dtype === 'float64') assert.deepEqual(Array.from(data as Float32Array), flat, c.name);
    if (c.x.dtype === 'int64') assert.deepEqual(Array.from(data as BigInt64Array, Number), flat, c.name);
    if (c.x.dtype === 'bool') assert.deepEqual(Array.from(data as Uint8Array, Boolean), flat, c.name);
  }
});

tidyTest('a view prints and reads its own elements (non-contiguous data)', () => {
  const c = CASES.find((k) => k.name === 'randn_2d')!;
  const t = build(c);
  const expected = decode(c.tolist) as number[][];
  assert.deepEqual(
    t.transpose(0, 1).toArray(),
    expected[0]!.map((_, j) => expected.map((row) => row[j])),
  );
});

tidyTest('a disposed tensor prints as such', () => {
  const t = build(CASES[0]!);
  t.dispose();
  assert.equal(t.toString(), 'Tensor(disposed)');
});
