/**
 * The few-row routing of `linear` and `linearInOut` (src/tensor/ops/linear-rows.ts): one row by gemv,
 * 2 … 32 rows of an (in, out) weight as (Wᵀ·xᵀ)ᵀ without autograd. Checked against products summed in
 * float64 on the host (independent of libtorch), against aten::linear with the routing off (bit for bit
 * where the routing promises it), and for what must not be routed (autograd, bfloat16, many rows).
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

/** Runs `fn` with the routing off, restoring it. */
function unrouted<R>(fn: () => R): R {
  const was = T.setFewRowRouting(false);
  try {
    return fn();
  } finally {
    T.setFewRowRouting(was);
  }
}

const sameBits = (a: T.Tensor, b: T.Tensor): boolean =>
  Buffer.from((a.contiguous().dataSync() as Float32Array).buffer).equals(Buffer.from((b.contiguous().dataSync() as Float32Array).buffer));

describe('few-row linear products', () => {
  it('one row (…1, in): gemv equals the float64 product to 1e-6 and aten::linear to float32 rounding, with and without bias', () =>
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
          const viaInOut = T.linearInOut(x, wInOut, bias);
          const reference = unrouted(() => T.linear(x, wOutIn, bias));
          for (const [what, got] of [
            ['linear', viaLinear],
            ['linearInOut', viaInOut],
            ['aten::linear', reference],
          ] as const) {
            assert.deepEqual(got.shape, [...shape.slice(0, -1), OUT], `${what} [${shape}] shape`);
            assert.ok(relativeError(got, want) < 1e-6, `${what} [${shape}] bias=${bias !== undefined}: ${relativeError(got, want)}`);
          }
        }
      }
    }));

  it('2 … 32 rows of an (in, out) weight without autograd: bit-identical to aten::linear on Wᵀ, and to the float64 product', () =>
    T.inferenceMode(() =>
      T.tidy(() => {
        const w = T.tensor(wData, {}, [IN, OUT]);
        const b = T.tensor(bData, {}, [OUT]);
        for (const shape of [
          [2, IN],
          [4, 1, IN],
          [8, 2, IN],
          [32, IN],
          [40, IN],
        ]) {
          const rows = shape.slice(0, -1).reduce((p, q) => p * q, 1);
          const xData = values(rows * IN, rows);
          const x = T.tensor(xData, {}, shape);
          for (const bias of [b, undefined]) {
            const got = T.linearInOut(x, w, bias);
            const reference = unrouted(() => T.linear(x, w.transpose(0, 1), bias));
            assert.deepEqual(got.shape, [...shape.slice(0, -1), OUT]);
            assert.doesNotThrow(() => got.view([rows * OUT]), `[${shape}]: contiguous, as aten::linear's output (a view of it works)`);
            assert.ok(sameBits(got, reference), `[${shape}] bias=${bias !== undefined}: the same bits as aten::linear`);
            const want = hostProduct(xData, wData, bias === undefined ? undefined : bData, rows, IN, OUT);
            assert.ok(relativeError(got, want) < 1e-6, `[${shape}] against float64`);
          }
        }
      }),
    ));

  it('with autograd, in bfloat16, and with the routing off, every call is aten::linear (the same bits, the same gradients)', () =>
    T.tidy(() => {
      const w = T.tensor(wData, {}, [IN, OUT]);
      w.requiresGrad = true;
      const x = T.tensor(values(4 * IN, 4), {}, [4, IN]);
      const got = T.linearInOut(x, w);
      const reference = unrouted(() => T.linear(x, w.transpose(0, 1)));
      assert.ok(sameBits(got, reference));
      got.sum().backward();
      const routedGrad = w.grad!.clone();
      w.zeroGrad();
      unrouted(() => T.linear(x, w.transpose(0, 1)).sum().backward());
      assert.ok(sameBits(routedGrad, w.grad!), 'the same gradient');
      const wb = T.tensor(wData, {}, [IN, OUT]).to('bfloat16');
      const xb = x.narrow(0, 0, 1).to('bfloat16');
      const bf = T.linearInOut(xb, wb);
      assert.equal(bf.dtype, 'bfloat16');
      assert.ok(sameBits(bf.to('float32'), unrouted(() => T.linear(xb, wb.transpose(0, 1))).to('float32')));
      assert.equal(T.setFewRowRouting(true), true, 'routing is on by default');
    }));
});
