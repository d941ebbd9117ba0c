/**
 * `linear` on one row by gemv (src/tensor/ops/linear-rows.ts), checked against products summed in
 * float64 on the host (independent of libtorch) and against aten::linear with the path off; and what
 * must stay aten::linear bit for bit: autograd (training), bfloat16, more than one row.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

/** Seeded values in [-1, 1) (a 32-bit LCG), so the host reference needs no libtorch. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** x (rows, in) · W + b summed in float64, W given (in, out) row-major. */
function hostProduct(x: Float32Array, w: Float32Array, b: Float32Array | undefined, rows: number, inF: number, outF: number): Float64Array {
  const y = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outF; o++) {
      let sum = b === undefined ? 0 : (b[o] as number);
      for (let i = 0; i < inF; i++) sum += (x[r * inF + i] as number) * (w[i * outF + o] as number);
      y[r * outF + o] = sum;
    }
  return y;
}

const IN = 96;
const OUT = 160;
const wData = values(IN * OUT, 1);
const bData = values(OUT, 2);

/** Largest |got − want| relative to the largest |want|. */
function relativeError(got: T.Tensor, want: Float64Array): number {
  const g = got.contiguous().dataSync() as Float32Array;
  let err = 0;
  let scale = 0;
  want.forEach((w, i) => {
    err = Math.max(err, Math.abs((g[i] as number) - w));
    scale = Math.max(scale, Math.abs(w));
  });
  return err / scale;
}

/** Runs `fn` with the gemv path off, restoring it. */
function unrouted<R>(fn: () => R): R {
  const was = T.setOneRowGemv(false);
  try {
    return fn();
  } finally {
    T.setOneRowGemv(was);
  }
}

const sameBits = (a: T.Tensor, b: T.Tensor): boolean =>
  Buffer.from((a.contiguous().dataSync() as Float32Array).buffer).equals(Buffer.from((b.contiguous().dataSync() as Float32Array).buffer));

describe('linear on one row by gemv', () => {
  it('one row (…1, in) without autograd: gemv equals the float64 product to 1e-6, with and without bias, either weight layout', () =>
    T.inferenceMode(() =>
      T.tidy(() => {
        const wInOut = T.tensor(wData, {}, [IN, OUT]);
        const wOutIn = wInOut.transpose(0, 1).contiguous(); // Linear's layout
        const b = T.tensor(bData, {}, [OUT]);
        for (const shape of [[IN], [1, IN], [1, 1, IN]]) {
          const xData = values(IN, 3);
          const x = T.tensor(xData, {}, shape);
          for (const bias of [b, undefined]) {
            const want = hostProduct(xData, wData, bias === undefined ? undefined : bData, 1, IN, OUT);
            const viaLinear = T.linear(x, wOutIn, bias);
            const viaInOut = T.linear(x, wInOut.transpose(0, 1), bias); // GPT-2's Conv1D: (in, out) read transposed
            const reference = unrouted(() => T.linear(x, wOutIn, bias));
            for (const [what, got] of [
              ['linear', viaLinear],
              ['linear on an (in, out) weight transposed', viaInOut],
              ['aten::linear', reference],
            ] as const) {
              assert.deepEqual(got.shape, [...shape.slice(0, -1), OUT], `${what} [${shape}] shape`);
              assert.ok(relativeError(got, want) < 1e-6, `${what} [${shape}] bias=${bias !== undefined}: ${relativeError(got, want)}`);
            }
          }
        }
      }),
    ));

  it('with autograd, in bfloat16, with more than one row and with the path off, every call is aten::linear (the same bits, the same gradients)', () =>
    T.tidy(() => {
      const w = T.tensor(wData, {}, [IN, OUT]).transpose(0, 1).contiguous(); // (out, in)
      w.requiresGrad = true;
      const x = T.tensor(values(IN, 4), {}, [1, IN]);
      const got = T.linear(x, w);
      const reference = unrouted(() => T.linear(x, w));
      assert.ok(sameBits(got, reference), 'one row with autograd: aten::linear');
      got.sum().backward();
      const gemvGrad = w.grad!.clone();
      w.zeroGrad();
      unrouted(() => T.linear(x, w).sum().backward());
      assert.ok(sameBits(gemvGrad, w.grad!), 'the same gradient');
      T.inferenceMode(() => {
        const rows = T.tensor(values(4 * IN, 5), {}, [4, 1, IN]);
        assert.ok(
          sameBits(
            T.linear(rows, w),
            unrouted(() => T.linear(rows, w)),
          ),
          'four rows: aten::linear',
        );
        const wb = w.to('bfloat16');
        const xb = x.to('bfloat16');
        const bf = T.linear(xb, wb);
        assert.equal(bf.dtype, 'bfloat16');
        assert.ok(sameBits(bf.to('float32'), unrouted(() => T.linear(xb, wb)).to('float32')), 'bfloat16: aten::linear');
      });
      assert.equal(T.setOneRowGemv(true), true, 'the gemv path is on by default');
    }));
});
