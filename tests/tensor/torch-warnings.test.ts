/**
 * libtorch's own warnings (TORCH_WARN) reach Node as process warnings of type TorchWarning, after the
 * call that raised them, instead of glog lines on stderr (native/warnings.cc, src/tensor/torch-warnings.ts);
 * the nested-tensor prototype note of the BERT inference path is dropped.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { callOp, defineOp } from '../../src/tensor/dispatch.js';
import { fromNested, inferenceMode, nestedFromMask, ones, tensor, tidy, zeros } from '../../src/tensor/index.js';

const ADD_OUT = defineOp('aten::add', 'out');

/** The process warnings emitted while `fn` runs and the events queued by it are delivered. */
async function warningsOf(fn: () => void): Promise<Error[]> {
  const seen: Error[] = [];
  const listen = (w: Error) => seen.push(w);
  process.on('warning', listen);
  try {
    fn();
    await new Promise((resolve) => setImmediate(resolve)); // emitWarning delivers on the next tick
  } finally {
    process.off('warning', listen);
  }
  return seen;
}

describe('libtorch warnings', () => {
  test("a TORCH_WARN of an operator (an out= tensor resized) becomes a 'TorchWarning' process warning", async () => {
    const seen = await warningsOf(() =>
      tidy(() => {
        const out = zeros([2]);
        callOp(ADD_OUT, ones([3]).id, ones([3]).id, 1, out.id);
        assert.deepEqual(out.toFlatArray(), [2, 2, 2], 'the op ran');
      }),
    );
    assert.equal(seen.length, 1, 'one warning');
    assert.equal(seen[0]?.name, 'TorchWarning');
    assert.match(seen[0]?.message ?? '', /was resized since it had shape \[2\]/);
  });

  test('the nested-tensor prototype note is not emitted', async () => {
    const seen = await warningsOf(() =>
      inferenceMode(() =>
        tidy(() => {
          const keep = tensor([
            [true, false],
            [true, true],
          ]);
          const back = fromNested(nestedFromMask(ones([2, 2, 3]), keep), [2, 2, 3]);
          assert.deepEqual(back.sum([1, 2]).toFlatArray(), [3, 6], 'padded positions come back as zeros');
        }),
      ),
    );
    assert.deepEqual(
      seen.map((w) => w.message),
      [],
      'no warning',
    );
  });
});
