/**
 * Error mapping at the native boundary: every libtorch failure arrives as a TorchError naming the
 * operator, its inputs' dtypes and shapes and libtorch's message without the C++ backtrace, and
 * the process keeps working afterwards.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { native } from '../../src/tensor/native.js';
import { DisposedError, MtlError, TorchError } from '../../src/errors.js';

const { tensor, tidy, liveTensorCount } = T;

let baseline = 0;
beforeEach(() => {
  baseline = liveTensorCount();
});
afterEach(() => {
  assert.equal(liveTensorCount(), baseline, 'a failed call leaves no tensor behind');
  // The process still works: an op after the failure gives the right answer.
  const ok = tidy(() =>
    tensor([1, 2])
      .add(tensor([3, 4]))
      .toFlatArray(),
  );
  assert.deepEqual(ok, [4, 6]);
});

interface Expected {
  op: string;
  inputs?: string[];
  torch: RegExp;
}

/** Runs `fn` in a scope and checks the TorchError it throws. */
function expectTorchError(fn: () => unknown, expected: Expected): TorchError {
  let caught: unknown;
  tidy(() => {
    try {
      fn();
    } catch (e) {
      caught = e;
    }
  });
  assert.ok(caught instanceof TorchError, `expected a TorchError, got ${String(caught)}`);
  const e = caught;
  assert.ok(e instanceof MtlError && e instanceof Error);
  assert.equal(e.name, 'TorchError');
  assert.equal(e.code, 'ERR_TORCH');
  assert.equal(e.op, expected.op);
  assert.match(e.torchMessage, expected.torch);
  assert.ok(e.message.startsWith(`${expected.op}: `), `the message names the operator: ${e.message}`);
  assert.ok(e.message.includes(e.torchMessage), 'the message includes libtorch message');
  for (const input of expected.inputs ?? []) {
    assert.ok(e.inputs?.includes(input), `inputs "${e.inputs}" name ${input}`);
    assert.ok(e.message.includes(input), `the message names ${input}`);
  }
  for (const text of [e.message, e.torchMessage]) {
    assert.doesNotMatch(text, /Exception raised from/);
    assert.doesNotMatch(text, /frame #\d/);
  }
  assert.match(e.stack ?? '', /errors\.test\.ts/, 'the JS stack shows the caller');
  return e;
}

describe('libtorch failures become TorchError', () => {
  test('a shape mismatch', () => {
    expectTorchError(() => tensor([1, 2, 3]).add(tensor([1, 2])), {
      op: 'aten::add.Tensor',
      inputs: ['self=Float[3]', 'other=Float[2]'],
      torch: /size of tensor a \(3\) must match the size of tensor b \(2\)/,
    });
    expectTorchError(() => T.zeros([2, 3]).matmul(T.zeros([2, 3])), {
      op: 'aten::matmul',
      inputs: ['Float[2, 3]'],
      torch: /cannot be multiplied \(2x3 and 2x3\)/,
    });
    expectTorchError(() => T.cat([T.zeros([2, 3]), T.zeros([2, 4])]), {
      op: 'aten::cat',
      inputs: ['tensors=[Float[2, 3], Float[2, 4]]'],
      torch: /Sizes of tensors must match/,
    });
  });

  test('a dtype mismatch', () => {
    expectTorchError(() => T.mm(T.zeros([2, 3]), T.zeros([3, 2], { dtype: 'float64' })), {
      op: 'aten::mm',
      inputs: ['self=Float[2, 3]', 'mat2=Double[3, 2]'],
      torch: /expected scalar type Float but found Double|expected .*same dtype/,
    });
    expectTorchError(() => T.indexSelect(T.zeros([3]), 0, tensor([0.5])), {
      op: 'aten::index_select',
      inputs: ['index=Float[1]'],
      torch: /Expected dtype int32 or int64 for index/,
    });
  });

  test('an out-of-range index: index_select, gather, embedding', () => {
    const idx = tensor([5], { dtype: 'int64' });
    expectTorchError(() => T.indexSelect(T.zeros([3, 2]), 0, idx), {
      op: 'aten::index_select',
      inputs: ['self=Float[3, 2]', 'index=Long[1]'],
      torch: /index out of range/,
    });
    expectTorchError(() => T.gather(T.zeros([3]), 0, idx), {
      op: 'aten::gather',
      inputs: ['self=Float[3]', 'index=Long[1]'],
      torch: /index 5 is out of bounds for dimension 0 with size 3/,
    });
    expectTorchError(() => T.embedding(T.zeros([3, 4]), idx), {
      op: 'aten::embedding',
      inputs: ['weight=Float[3, 4]', 'indices=Long[1]'],
      torch: /index out of range/,
    });
    idx.dispose();
  });

  test('an argument of the wrong type', () => {
    const sum = T.sum as (t: T.Tensor, dim: unknown) => T.Tensor;
    expectTorchError(() => sum(T.zeros([2]), 'rows'), {
      op: 'aten::sum.dim_IntList',
      inputs: ['self=Float[2]'],
      torch: /argument 'dim' expects an integer/,
    });
    const add = T.add as (a: T.Tensor, b: unknown) => T.Tensor;
    expectTorchError(() => add(T.zeros([2]), 'one'), { op: 'aten::add.Scalar', torch: /argument 'other' expects a number or boolean/ });
    expectTorchError(() => sum(T.zeros([2]), [0.5]), { op: 'aten::sum.dim_IntList', torch: /expects an integer/ });
    // Binding functions outside the dispatcher map the same way.
    expectTorchError(() => (native.setRequiresGrad as (id: number, flag: unknown) => void)(0, 'yes'), {
      op: 'setRequiresGrad',
      torch: /./,
    });
    expectTorchError(() => native.fromBuffer(new Float32Array(2), 6, [3]), {
      op: 'fromBuffer',
      torch: /buffer holds 8 bytes, shape needs 12/,
    });
  });

  test('an unknown operator or overload', () => {
    expectTorchError(() => native.opHandle('aten::no_such_op', ''), { op: 'aten::no_such_op', torch: /Could not find schema/ });
    expectTorchError(() => native.call(1e9), { op: 'call', torch: /unknown operator handle/ });
  });

  test('backward on a non-scalar without a gradient', () => {
    expectTorchError(() => tensor([1, 2, 3], { requiresGrad: true }).mul(2).backward(), {
      op: 'backward',
      inputs: ['outputs=[Float[3]]'],
      torch: /grad can be implicitly created only for scalar outputs/,
    });
  });

  test('backward through a freed graph', () => {
    expectTorchError(
      () => {
        const out = tensor([1, 2], { requiresGrad: true }).exp().sum();
        out.backward();
        out.backward();
      },
      { op: 'backward', inputs: ['outputs=[Float[]]'], torch: /backward through the graph a second time/ },
    );
  });
});

describe('use after dispose', () => {
  test('is a DisposedError, in JS, before any native call', () => {
    const t = tensor([1, 2]);
    t.dispose();
    for (const use of [() => t.add(1), () => t.shape, () => t.toFlatArray(), () => T.cat([t]), () => t.backward()]) {
      assert.throws(use, (e: unknown) => e instanceof DisposedError && e.code === 'ERR_DISPOSED' && /already disposed/.test(e.message));
    }
  });

  test('a tensor freed by its tidy scope', () => {
    let inner: T.Tensor | undefined;
    tidy(() => {
      inner = tensor([1]);
    });
    assert.throws(() => inner?.mul(2), DisposedError);
  });

  test('a raw id that is no longer live is a TorchError from the binding', () => {
    const t = tensor([1]);
    const id = t.id;
    t.dispose();
    expectTorchError(() => native.shape(id), { op: 'shape', torch: /tensor id \d+ is not live/ });
    expectTorchError(() => native.free(id), { op: 'dispose', torch: /is not live/ });
  });
});
