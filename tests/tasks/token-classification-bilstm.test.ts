/**
 * The token-classification head with a BiLSTM: its option, and logits that do not depend on how far a
 * row is padded (the LSTM's backward direction starts at each row's last real token).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenClassification } from '../../src/tasks/token-classification.js';
import { cat, manualSeed, randn, tensor, tidy, zeros } from '../../src/tensor/index.js';
import type { EncoderConfig } from '../../src/tasks/types.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

test('bilstm: {} takes Ma & Hovy’s 200 per direction; bad values name the key', () => {
  assert.deepEqual(tokenClassification.resolveOptions({ bilstm: {} }).bilstm, { hiddenSize: 200 });
  assert.equal(tokenClassification.resolveOptions({}).bilstm, null);
  assert.throws(
    () => tokenClassification.resolveOptions({ bilstm: { hiddenSize: 0 } }),
    /bilstm: hiddenSize must be an integer >= 1, got 0/,
  );
  assert.throws(() => tokenClassification.resolveOptions({ bilstm: { layers: 2 } }), /bilstm.*layers/);
  assert.throws(() => tokenClassification.resolveOptions({ bilstm: 64 }), /bilstm must be an object/);
});

test('with a BiLSTM, a row’s logits at its real tokens do not depend on the batch’s padding', () => {
  manualSeed(3);
  const encoder = { hiddenSize: 8, hiddenDropoutProb: 0, initializerRange: 0.02 } as EncoderConfig;
  const options = tokenClassification.resolveOptions({ bilstm: { hiddenSize: 5 } });
  const spec = { name: 'slots', kind: 'token-classification', labels: ['O', 'B-x', 'I-x'], options };
  using head = tokenClassification.createHead(encoder as never, spec as never);
  head.eval();
  tidy(() => {
    const states = randn([2, 4, 8]);
    const mask = tensor([
      [1, 1, 1, 1],
      [1, 1, 0, 0],
    ]);
    const logits = head.forward({ lastHiddenState: states, attentionMask: mask } as never);
    assert.deepEqual(logits.shape, [2, 4, 3]);
    const padded = head.forward({
      lastHiddenState: cat([states, zeros([2, 3, 8]).add(9)], 1),
      attentionMask: cat([mask, zeros([2, 3])], 1),
    } as never);
    const real = (t: typeof logits, row: number, n: number) => t.narrow(0, row, 1).narrow(1, 0, n).toFlatArray() as number[];
    const close = (a: number[], b: number[]) => a.every((x, i) => Math.abs(x - b[i]!) < 1e-6);
    assert.ok(close(real(padded, 0, 4), real(logits, 0, 4)), 'row 0');
    assert.ok(close(real(padded, 1, 2), real(logits, 1, 2)), 'row 1');
  });
});
