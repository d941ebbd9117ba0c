/**
 * Elementwise arithmetic, functions and comparisons, checked against Python torch
 * (tests/fixtures/ops.json, group "math"): broadcasting, scalar operands, alpha, and PyTorch's type
 * promotion (an integer tensor with an integer scalar stays int64; a 0-d tensor does not raise a
 * dimensioned tensor's dtype within its category).
 */
import * as T from '../../src/tensor/index.js';
import { checkLiveTensorsAfterFile, expectTensor, fx, opsFixture, tidyTest, type TensorFixture } from './check.js';

type Operand = TensorFixture | number | boolean;
interface BinaryCase {
  op: 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
  a: TensorFixture;
  b: Operand;
  alpha?: number;
  rounding_mode?: 'trunc' | 'floor';
  out: TensorFixture;
}
interface MathFixture {
  binary: BinaryCase[];
  compare: BinaryCase[];
  logical: Record<'a' | 'b' | 'and' | 'or' | 'not', TensorFixture>;
  clamp: { x: TensorFixture; min: number | null; max: number | null; out: TensorFixture }[];
  unary: Record<string, { x: TensorFixture; out: TensorFixture }>;
  promotion: BinaryCase[];
}
const F = opsFixture<MathFixture>('math');
const close = { rtol: 1e-6, atol: 1e-7 };

checkLiveTensorsAfterFile();

const operand = (b: Operand): T.Tensor | number | boolean => (typeof b === 'object' ? fx(b) : b);
const describe = (c: BinaryCase): string =>
  `${c.op}(${c.a.dtype}[${c.a.shape.join(',')}], ${typeof c.b === 'object' ? `${c.b.dtype}[${c.b.shape.join(',')}]` : String(c.b)}${c.alpha === undefined ? '' : `, alpha=${c.alpha}`}${c.rounding_mode === undefined ? '' : `, ${c.rounding_mode}`})`;

function apply(c: BinaryCase): T.Tensor {
  const [a, b] = [fx(c.a), operand(c.b)];
  switch (c.op) {
    case 'add':
      return a.add(b, c.alpha);
    case 'sub':
      return a.sub(b, c.alpha);
    case 'div':
      return a.div(b, c.rounding_mode);
    case 'maximum':
      return a.maximum(b as T.Tensor);
    case 'minimum':
      return a.minimum(b as T.Tensor);
    default:
      return a[c.op](b);
  }
}

tidyTest('add/sub (with alpha), mul, div (with rounding modes), pow, maximum, minimum: broadcasting and scalar operands', () => {
  for (const c of F.binary) expectTensor(apply(c), c.out, { ...close, what: describe(c) });
});

tidyTest('comparisons with tensors (broadcast) and with integer and fractional scalars give bool', () => {
  for (const c of F.compare) expectTensor(apply(c), c.out, { rtol: 0, atol: 0, what: describe(c) });
});

tidyTest('logicalAnd, logicalOr, logicalNot', () => {
  const [a, b] = [fx(F.logical.a), fx(F.logical.b)];
  expectTensor(a.logicalAnd(b), F.logical.and);
  expectTensor(a.logicalOr(b), F.logical.or);
  expectTensor(a.logicalNot(), F.logical.not);
});

tidyTest('clamp with both bounds, one bound, and on int64', () => {
  for (const c of F.clamp) {
    expectTensor(fx(c.x).clamp(c.min ?? undefined, c.max ?? undefined), c.out, { rtol: 0, atol: 0, what: `clamp(${c.min}, ${c.max})` });
  }
});

const UNARY: Record<string, (t: T.Tensor) => T.Tensor> = {
  neg: T.neg,
  abs: T.abs,
  sqrt: T.sqrt,
  rsqrt: T.rsqrt,
  exp: T.exp,
  log: T.log,
  log1p: T.log1p,
  sin: T.sin,
  cos: T.cos,
  floor: T.floor,
  ceil: T.ceil,
  round: T.round,
  reciprocal: T.reciprocal,
  sign: T.sign,
};

tidyTest('unary functions, including NaN/-Infinity at domain edges, halves rounding to even, and int inputs', () => {
  for (const [name, c] of Object.entries(F.unary)) {
    const op = UNARY[name.split('_')[0]!]!;
    expectTensor(op(fx(c.x)), c.out, { ...close, what: name });
  }
});

tidyTest('type promotion of tensor-tensor, tensor-scalar and tensor-0-d operands', () => {
  for (const c of F.promotion) expectTensor(apply(c), c.out, { ...close, what: describe(c) });
});

tidyTest('method and function forms agree', () => {
  const c = F.binary[0]!;
  const [a, b] = [fx(c.a), fx(c.b as TensorFixture)];
  expectTensor(T.add(a, b), c.out, close);
  expectTensor(a.add(b), c.out, close);
});
