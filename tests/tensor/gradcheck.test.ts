/**
 * gradcheck: finite-difference checks of every op family in float64 (the cases of
 * tests/helpers/grad-cases.ts, at the fixture's inputs), and the checker itself catching wrong gradients.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { ConfigError, GradcheckError } from '../../src/errors.js';
import { fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';
import { GRAD_CASES, type Inputs } from '../helpers/grad-cases.js';

const { gradcheck, tensor, tidy, liveTensorCount } = T;

interface OpCase {
  inputs: Record<string, TensorFixture>;
  requires: string[];
}
const ops = loadFixture<{ ops: Record<string, OpCase> }>('autograd').ops;

let baseline = 0;
beforeEach(() => {
  baseline = liveTensorCount();
});
afterEach(() => {
  assert.equal(liveTensorCount(), baseline, 'gradcheck and the test free every tensor they make');
});

describe('op families pass gradcheck in float64', () => {
  for (const [name, c] of Object.entries(ops)) {
    test(name, () => {
      tidy(() => {
        const names = Object.keys(c.inputs);
        // Floating inputs in float64; the differentiated ones require grad; indices and masks as they are.
        const inputs = names.map((k) => {
          const f = c.inputs[k] as TensorFixture;
          const t = f.dtype === 'float32' ? fromFixture(f, 'float64') : fromFixture(f);
          return c.requires.includes(k) ? t.requiresGrad_() : t;
        });
        const fn = (...ts: T.Tensor[]) =>
          (GRAD_CASES[name] as (x: Inputs) => T.Tensor)(Object.fromEntries(names.map((k, i) => [k, ts[i] as T.Tensor])));
        if (name === 'embedding') {
          // The padding row's gradient is zero by definition (nn.Embedding(padding_idx)), not the
          // derivative: gradcheck must flag exactly that, and pass without padding.
          assert.throws(
            () => gradcheck(fn, inputs),
            (e: unknown) => e instanceof GradcheckError && /is 0 analytically but 1\.0000\d* numerically/.test(e.message),
          );
          assert.equal(
            gradcheck((w, idx) => T.embedding(w, idx as T.Tensor), inputs),
            true,
          );
          return;
        }
        assert.equal(gradcheck(fn, inputs), true);
        for (const t of inputs) if (t.requiresGrad) assert.equal(t.grad, undefined, 'gradcheck leaves .grad untouched');
      });
    });
  }
});

describe('gradcheck itself', () => {
  const x64 = () => tensor([0.3, -1.2, 2.5, 0.7], { dtype: 'float64', requiresGrad: true });

  test('the @example of its docstring', () => {
    tidy(() => {
      const x = T.randn([3, 4], { dtype: 'float64', requiresGrad: true });
      assert.equal(
        gradcheck((t) => t.tanh().sum(1), [x]),
        true,
      );
    });
  });

  test('several outputs and inputs, an input that is not differentiated, an output that is integral', () => {
    tidy(() => {
      const [a, b, k] = [
        x64(),
        tensor([1.5, 0.5, -0.25, 2], { dtype: 'float64', requiresGrad: true }),
        tensor([2, 3, 4, 5], { dtype: 'float64' }),
      ];
      assert.equal(
        gradcheck((p, q, r) => [p.mul(q).mul(r as T.Tensor), p.exp().sum(), q.argmax()], [a, b, k]),
        true,
      );
    });
  });

  test('an output that does not depend on an input has a zero Jacobian', () => {
    tidy(() => {
      const [a, b] = [x64(), x64()];
      assert.equal(
        gradcheck((p) => p.sin(), [a, b]),
        true,
      );
    });
  });

  test('a wrong gradient is caught, naming output, input and entry', () => {
    tidy(() => {
      // x·detach(x): autograd sees only one factor, so its gradient is x instead of 2x.
      const wrong = (t: T.Tensor) => t.mul(t.detach());
      assert.throws(
        () => gradcheck(wrong, [x64()]),
        (e: unknown) =>
          e instanceof GradcheckError &&
          e.code === 'ERR_GRADCHECK' &&
          /output 0 with respect to input 0/.test(e.message) &&
          /entry \(output element 0, input element 0\) is 0\.3 analytically but 0\.(6|59)\d* numerically/.test(e.message),
      );
      assert.equal(gradcheck(wrong, [x64()], { raiseException: false }), false);
    });
  });

  test('tolerances and eps are honoured', () => {
    tidy(() => {
      // A gradient 1% off: fails at rtol 1e-3, passes at rtol 2e-2.
      const scaled = (t: T.Tensor) => t.mul(1.01).sub(t.detach().mul(0.01));
      assert.equal(gradcheck(scaled, [x64()], { raiseException: false }), false);
      assert.equal(gradcheck(scaled, [x64()], { rtol: 2e-2 }), true);
      // A large eps makes the central difference of a cubic visibly wrong: (x+h)³−(x−h)³ / 2h = 3x² + h².
      assert.equal(
        gradcheck((t) => t.pow(3), [x64()], { eps: 0.1, raiseException: false }),
        false,
      );
    });
  });

  test('inputs must be float64 and at least one must require grad', () => {
    tidy(() => {
      assert.throws(
        () => gradcheck((t) => t.sin(), [tensor([1, 2], { requiresGrad: true })]),
        (e: unknown) => e instanceof ConfigError && /float64/.test(e.message),
      );
      assert.throws(() => gradcheck((t) => t.sin(), [tensor([1, 2], { dtype: 'float64' })]), ConfigError);
    });
  });
});
