/**
 * Matrix products, checked against Python torch (tests/fixtures/ops.json, group "linalg"): matmul
 * for every rank pairing incl. batched broadcasting, mm, bmm, linear with and without bias, einsum.
 */
import * as T from '../../src/tensor/index.js';
import { checkLiveTensorsAfterFile, expectTensor, fx, opsFixture, tidyTest, type TensorFixture } from './check.js';

type Pair = { a: TensorFixture; b: TensorFixture; out: TensorFixture };
interface Linalg {
  matmul: Pair[];
  mm: Pair;
  bmm: Pair;
  linear: { x: TensorFixture; w: TensorFixture; bias: TensorFixture | null; out: TensorFixture }[];
  einsum: { eq: string; xs: TensorFixture[]; out: TensorFixture }[];
}
const F = opsFixture<Linalg>('linalg');
const close = { rtol: 1e-5, atol: 1e-5 };

checkLiveTensorsAfterFile();

tidyTest('matmul: vector·vector, matrix·vector, vector·matrix, batched with broadcast batch dims', () => {
  for (const c of F.matmul) {
    expectTensor(fx(c.a).matmul(fx(c.b)), c.out, { ...close, what: `[${c.a.shape}] @ [${c.b.shape}]` });
  }
});

tidyTest('mm and bmm', () => {
  expectTensor(T.mm(fx(F.mm.a), fx(F.mm.b)), F.mm.out, close);
  expectTensor(fx(F.bmm.a).bmm(fx(F.bmm.b)), F.bmm.out, close);
});

tidyTest('linear with and without bias, on 3-d and 1-d inputs', () => {
  for (const c of F.linear) {
    const out = T.linear(fx(c.x), fx(c.w), c.bias === null ? undefined : fx(c.bias));
    expectTensor(out, c.out, { ...close, what: `linear [${c.x.shape}] bias=${c.bias !== null}` });
  }
});

tidyTest('einsum: attention scores, matmul, diagonal, trace, outer, transpose, ellipsis, full sum', () => {
  for (const c of F.einsum) expectTensor(T.einsum(c.eq, ...c.xs.map(fx)), c.out, { ...close, what: c.eq });
});
