/**
 * Autograd: gradients of every op family against PyTorch (tests/fixtures/autograd.json, made by
 * scripts/fixtures/autograd.py), and the semantics of backward, .grad, grad(), grad modes and detach.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { ConfigError, TorchError } from '../../src/errors.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';
import { GRAD_CASES, type Inputs } from '../helpers/grad-cases.js';

const { tensor, tidy, grad, noGrad, enableGrad, inferenceMode, isInferenceMode, isGradEnabled, liveTensorCount } = T;

interface OpCase {
  inputs: Record<string, TensorFixture>;
  requires: string[];
  output: TensorFixture;
  grad_output: TensorFixture | null;
  grads: Record<string, TensorFixture>;
}
interface ApiCases {
  multi: Record<'x' | 'y' | 'grad_output' | 'dx' | 'dy', TensorFixture>;
  retain: Record<'x' | 'first' | 'second', TensorFixture>;
  accumulate: Record<'w' | 'after_one' | 'after_two', TensorFixture>;
  second_order: Record<'x' | 'w' | 'v' | 'dx' | 'dxx' | 'dxw', TensorFixture>;
}
const fixture = loadFixture<{ ops: Record<string, OpCase>; api: ApiCases }>('autograd');
const tol = { rtol: 1e-4, atol: 1e-5 };

/** The tensor a grad getter / grad() returned, asserting there was one. */
function defined(t: T.Tensor | undefined, what = 'gradient'): T.Tensor {
  assert.ok(t !== undefined, `${what} is undefined`);
  return t;
}

/** A leaf holding fixture values that requires grad. */
const leaf = (f: TensorFixture): T.Tensor => fromFixture(f).requiresGrad_();

const values = (t: T.Tensor | undefined) => defined(t).toFlatArray() as number[];

let baseline = 0;
beforeEach(() => {
  baseline = liveTensorCount();
});
afterEach(() => {
  assert.equal(liveTensorCount(), baseline, 'every tensor a test makes is freed');
});

describe('gradients match PyTorch for each op family', () => {
  test('the TypeScript cases and the fixture name the same functions', () => {
    assert.deepEqual(Object.keys(GRAD_CASES).sort(), Object.keys(fixture.ops).sort());
  });
  for (const [name, c] of Object.entries(fixture.ops)) {
    test(name, () => {
      tidy(() => {
        const inputs: Inputs = {};
        for (const [k, f] of Object.entries(c.inputs)) inputs[k] = c.requires.includes(k) ? leaf(f) : fromFixture(f);
        const out = (GRAD_CASES[name] as (x: Inputs) => T.Tensor)(inputs);
        assertClose(out, c.output, { ...tol, what: `${name} output` });
        if (c.grad_output === null) out.backward();
        else out.backward(fromFixture(c.grad_output));
        for (const k of c.requires)
          assertClose(defined(inputs[k]?.grad, k), c.grads[k] as TensorFixture, { ...tol, what: `${name} d/d${k}` });
      });
    });
  }
});

describe('grad() as torch.autograd.grad', () => {
  test('several outputs and inputs, a gradient for the non-scalar output, none for the scalar one', () => {
    const f = fixture.api.multi;
    tidy(() => {
      const [x, y] = [leaf(f.x), leaf(f.y)];
      const [dx, dy] = grad([x.mul(y), x.exp().mul(y).sum()], [x, y], { gradOutputs: [fromFixture(f.grad_output), undefined] });
      assertClose(defined(dx), f.dx, tol);
      assertClose(defined(dy), f.dy, tol);
      assert.equal(x.grad, undefined, 'grad() does not accumulate into .grad');
      assert.equal(y.grad, undefined);
    });
  });

  test('leaves an existing .grad untouched', () => {
    tidy(() => {
      const x = tensor([1, 2, 3], { requiresGrad: true });
      x.mul(x).sum().backward();
      grad(x.mul(x).mul(x).sum(), [x]);
      assert.deepEqual(values(x.grad), [2, 4, 6]);
    });
  });

  test('retainGraph keeps the graph for a second call; without it the graph is freed', () => {
    const f = fixture.api.retain;
    tidy(() => {
      const x = leaf(f.x);
      const out = x.pow(3).sum();
      assertClose(defined(grad(out, [x], { retainGraph: true })[0]), f.first, tol);
      assertClose(defined(grad(out, [x])[0]), f.second, tol);
      assert.throws(
        () => grad(out, [x]),
        (e: unknown) => e instanceof TorchError && e.op === 'grad' && /backward through the graph a second time/.test(e.message),
      );
    });
  });

  test('allowUnused gives undefined for an input the outputs do not use; otherwise a TorchError', () => {
    tidy(() => {
      const [x, unused] = [tensor([1, 2], { requiresGrad: true }), tensor([3], { requiresGrad: true })];
      const out = x.mul(2).sum();
      const [dx, du] = grad(out, [x, unused], { allowUnused: true, retainGraph: true });
      assert.deepEqual(values(dx), [2, 2]);
      assert.equal(du, undefined);
      assert.throws(
        () => grad(out, [x, unused]),
        (e: unknown) =>
          e instanceof TorchError &&
          /not have been used in the graph/.test(e.torchMessage) &&
          /inputs=\[Float\[2\], Float\[1\]\]/.test(e.message),
      );
    });
  });

  test('createGraph gives differentiable gradients (second order, as a Hessian-vector product)', () => {
    const f = fixture.api.second_order;
    tidy(() => {
      const [x, w, v] = [leaf(f.x), leaf(f.w), fromFixture(f.v)];
      const out = x.pow(3).mul(w).sum().add(x.mul(w).sin().sum());
      const dx = defined(grad(out, [x], { createGraph: true })[0]);
      assert.ok(dx.requiresGrad, 'a gradient made with createGraph requires grad');
      assertClose(dx, f.dx, tol);
      const [dxx, dxw] = grad(dx.mul(v).sum(), [x, w]);
      assertClose(defined(dxx), f.dxx, tol);
      assertClose(defined(dxw), f.dxw, tol);
    });
  });

  test('without createGraph the gradient is a constant', () => {
    tidy(() => {
      const x = tensor([1, 2], { requiresGrad: true });
      const dx = defined(grad(x.pow(2).sum(), [x])[0]);
      assert.equal(dx.requiresGrad, false);
    });
  });
});

describe('backward and .grad', () => {
  test('.grad accumulates over two backward calls, as PyTorch', () => {
    const f = fixture.api.accumulate;
    tidy(() => {
      const w = leaf(f.w);
      w.mul(w).sum().backward();
      assertClose(defined(w.grad), f.after_one, tol);
      w.sin().sum().backward();
      assertClose(defined(w.grad), f.after_two, tol);
    });
  });

  test('zeroGrad drops the gradient; the next backward starts afresh', () => {
    tidy(() => {
      const x = tensor([1, 2], { requiresGrad: true });
      x.mul(3).sum().backward();
      x.zeroGrad();
      assert.equal(x.grad, undefined);
      x.mul(5).sum().backward();
      assert.deepEqual(values(x.grad), [5, 5]);
    });
  });

  test('backward(gradient) for a non-scalar output, and backward() of several outputs', () => {
    tidy(() => {
      const x = tensor([1, 2, 3], { requiresGrad: true });
      x.mul(x).backward(tensor([1, 0, 2]));
      assert.deepEqual(values(x.grad), [2, 0, 12]);
      x.zeroGrad();
      T.backward([x.sum(), x.mul(x)], [undefined, tensor([1, 1, 1])]);
      assert.deepEqual(values(x.grad), [3, 5, 7]);
    });
  });

  test('retainGraph lets backward run twice through one graph; otherwise the second is a TorchError', () => {
    tidy(() => {
      const x = tensor([1, 2], { requiresGrad: true });
      const out = x.exp().sum();
      out.backward(undefined, { retainGraph: true });
      out.backward();
      const e = Math.exp(1);
      assert.ok(Math.abs((values(x.grad)[0] as number) - 2 * e) < 1e-5);
      assert.throws(
        () => out.backward(),
        (err: unknown) => err instanceof TorchError && err.op === 'backward' && /second time/.test(err.message),
      );
    });
  });

  test('assigning .grad checks shape and dtype', () => {
    tidy(() => {
      const x = tensor([1, 2, 3], { requiresGrad: true });
      x.grad = tensor([4, 5, 6]);
      assert.deepEqual(values(x.grad), [4, 5, 6]);
      assert.throws(
        () => (x.grad = tensor([1, 2])),
        (e: unknown) => e instanceof TorchError && /shape \[2\].*\[3\]/.test(e.message),
      );
      assert.throws(
        () => (x.grad = tensor([1, 2, 3], { dtype: 'float64' })),
        (e: unknown) => e instanceof TorchError && /dtype Double/.test(e.message),
      );
      x.grad = undefined;
      assert.equal(x.grad, undefined);
    });
  });

  test('reading .grad of a computed tensor gives undefined and a TorchWarning', async () => {
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    tidy(() => {
      const y = tensor([1, 2], { requiresGrad: true }).mul(2);
      y.sum().backward();
      assert.equal(y.grad, undefined);
    });
    const w = await warned;
    assert.equal(w.name, 'TorchWarning');
    assert.match(w.message, /non-leaf/);
  });

  test('a tensor that does not require grad cannot be back-propagated', () => {
    tidy(() => {
      assert.throws(
        () => tensor([1, 2]).sum().backward(),
        (e: unknown) => e instanceof TorchError && /does not require grad/.test(e.message),
      );
    });
  });
});

describe('requiresGrad, isLeaf and detach', () => {
  test('leaves and computed tensors', () => {
    tidy(() => {
      const x = tensor([1, 2], { requiresGrad: true });
      const c = tensor([3, 4]);
      assert.equal(x.requiresGrad, true);
      assert.equal(x.isLeaf, true);
      assert.equal(c.requiresGrad, false);
      assert.equal(c.isLeaf, true);
      const y = x.mul(c);
      assert.equal(y.requiresGrad, true);
      assert.equal(y.isLeaf, false);
      assert.equal(c.mul(2).requiresGrad, false);
      y.requiresGrad_(true); // a no-op on a computed tensor, as PyTorch's requires_grad_()
      assert.throws(
        () => (y.requiresGrad = false),
        (e: unknown) => e instanceof TorchError && /leaf/.test(e.message) && /detach\(\)/.test(e.message),
      );
      assert.throws(
        () => tensor([1], { dtype: 'int64' }).requiresGrad_(),
        (e: unknown) => e instanceof TorchError && /floating point/.test(e.message),
      );
      c.requiresGrad = true;
      assert.equal(c.requiresGrad, true);
      c.requiresGrad = false;
      assert.equal(c.requiresGrad, false);
    });
  });

  test('detach shares data but cuts the graph', () => {
    tidy(() => {
      const x = tensor([1, 2, 3], { requiresGrad: true });
      const d = x.detach();
      assert.equal(d.requiresGrad, false);
      assert.equal(d.isLeaf, true);
      x.detach().mul(x).sum().backward(); // d/dx of (const · x) is the constant
      assert.deepEqual(values(x.grad), [1, 2, 3]);
      noGrad(() => x.mul_(2));
      assert.deepEqual(d.toFlatArray(), [2, 4, 6], 'the detached tensor sees in-place updates of x');
    });
  });
});

describe('grad modes', () => {
  test('noGrad stops recording and restores the previous mode', () => {
    tidy(() => {
      const x = tensor([1, 2], { requiresGrad: true });
      assert.equal(isGradEnabled(), true);
      const y = noGrad(() => {
        assert.equal(isGradEnabled(), false);
        return x.mul(2);
      });
      assert.equal(y.requiresGrad, false);
      assert.equal(isGradEnabled(), true);
    });
  });

  test('enableGrad records inside noGrad; nesting restores each level', () => {
    tidy(() => {
      const x = tensor([1, 2], { requiresGrad: true });
      noGrad(() => {
        const y = enableGrad(() => {
          assert.equal(isGradEnabled(), true);
          return x.mul(2);
        });
        assert.equal(y.requiresGrad, true);
        assert.equal(isGradEnabled(), false);
        noGrad(() => assert.equal(isGradEnabled(), false));
        assert.equal(isGradEnabled(), false);
      });
      assert.equal(isGradEnabled(), true);
    });
  });

  test('an async fn is refused: the mode cannot follow it across an await', async () => {
    assert.throws(
      () => noGrad(async () => 1),
      (e: unknown) => e instanceof ConfigError && /noGrad\(\) takes a synchronous function/.test(e.message),
    );
    let pending: Promise<number> | undefined;
    assert.throws(
      () => enableGrad(() => (pending = Promise.resolve(1))),
      (e: unknown) => e instanceof ConfigError && /promise/.test(e.message),
    );
    await pending;
    assert.equal(isGradEnabled(), true);
  });

  test('inferenceMode records nothing, gives the values noGrad gives, and restores the mode', () => {
    tidy(() => {
      const x = tensor([1, -2, 3], { requiresGrad: true });
      const y = inferenceMode(() => {
        assert.equal(isInferenceMode(), true, 'inside inferenceMode');
        assert.equal(isGradEnabled(), false, 'no recording inside inferenceMode');
        return x.mul(2).exp().softmax(0);
      });
      assert.equal(y.requiresGrad, false);
      assert.deepEqual(y.toFlatArray(), noGrad(() => x.mul(2).exp().softmax(0)).toFlatArray());
      assert.equal(isInferenceMode(), false, 'restored on return');
      assert.equal(isGradEnabled(), true, 'grad mode restored on return');
      assert.equal(
        inferenceMode(() => inferenceMode(() => isInferenceMode())),
        true,
        'nested',
      );
    });
  });

  test('inferenceMode: a thrown error passes through unchanged and the mode is restored', () => {
    const boom = new Error('boom');
    assert.throws(
      () =>
        inferenceMode(() => {
          throw boom;
        }),
      (e: unknown) => e === boom,
    );
    assert.equal(isInferenceMode(), false, 'restored after a throw');
    assert.throws(
      () => inferenceMode(async () => 1),
      (e: unknown) => e instanceof ConfigError && /inferenceMode\(\) takes a synchronous/.test(e.message),
    );
    assert.equal(isInferenceMode(), false, 'restored after refusing an async fn');
  });

  test('a tensor made in inferenceMode cannot be saved for backward later (TorchError), and nothing leaks', () => {
    const before = liveTensorCount();
    tidy(() => {
      const w = tensor([1, 2], { requiresGrad: true });
      const made = inferenceMode(() => tensor([3, 4]).mul(1));
      assert.throws(
        () => w.mul(made),
        (e: unknown) => e instanceof TorchError && /[Ii]nference tensors/.test(e.message),
      );
      assert.deepEqual(noGrad(() => w.mul(made)).toFlatArray(), [3, 8], 'reading it without autograd works');
    });
    assert.equal(liveTensorCount(), before, 'live tensors back to the baseline');
  });

  test('the mode is restored when fn throws', () => {
    assert.throws(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    );
    assert.equal(isGradEnabled(), true);
    noGrad(() => {
      assert.throws(() =>
        enableGrad(() => {
          throw new Error('boom');
        }),
      );
      assert.equal(isGradEnabled(), false);
    });
    assert.equal(isGradEnabled(), true);
    tidy(() => {
      const x = tensor([1], { requiresGrad: true });
      assert.throws(
        () =>
          noGrad(() =>
            x.add(
              tensor([1, 2, 3, 4])
                .reshape([2, 2])
                .matmul(tensor([1, 2, 3])),
            ),
          ),
        TorchError,
      );
      assert.equal(isGradEnabled(), true);
    });
  });
});
