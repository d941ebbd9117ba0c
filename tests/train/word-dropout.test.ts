import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropWords } from '../../src/train/word-dropout.js';
import { manualSeed, tensor, tidy } from '../../src/tensor/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

const [PAD, UNK, CLS, SEP] = [0, 1, 2, 3];
const ids = { unk: UNK, keep: [CLS, SEP] };

/** B rows of `[CLS] w… [SEP] [PAD]…` with row b holding 10 + (b mod 50) words (ids 10…). */
function batch(B: number) {
  const T = 62;
  const rows = Array.from({ length: B }, (_, b) => {
    const n = 10 + (b % 50);
    return Array.from({ length: T }, (_, t) => (t === 0 ? CLS : t <= n ? 10 + ((b + t) % 90) : t === n + 1 ? SEP : PAD));
  });
  const inputIds = tensor(rows, { dtype: 'int64' });
  const attentionMask = tensor(
    rows.map((r) => r.map((id) => (id === PAD ? 0 : 1))),
    { dtype: 'int64' },
  );
  return {
    inputIds,
    attentionMask,
    tokenTypeIds: tensor(
      rows.map((r) => r.map(() => 0)),
      { dtype: 'int64' },
    ),
  };
}

test('replaces words at the rate p (binomial bound) and never [CLS], [SEP] or padding', () => {
  tidy(() => {
    manualSeed(0);
    const inputs = batch(400);
    const before = inputs.inputIds.toArray() as number[][];
    const after = dropWords(inputs, 0.3, ids).inputIds.toArray() as number[][];
    let words = 0;
    let replaced = 0;
    before.forEach((row, b) =>
      row.forEach((id, t) => {
        const got = (after[b] as number[])[t] as number;
        if (id === PAD || id === CLS || id === SEP) assert.equal(got, id, `row ${b} token ${t}: a special token or padding is kept`);
        else {
          words++;
          if (got === UNK) replaced++;
          else assert.equal(got, id, `row ${b} token ${t}: a word is kept or becomes [UNK]`);
        }
      }),
    );
    // 13,800 words; the binomial standard deviation of the rate is √(0.3·0.7/13800) ≈ 0.0039: allow 5σ.
    const rate = replaced / words;
    assert.ok(Math.abs(rate - 0.3) < 0.02, `replacement rate ${rate} vs 0.3`);
  });
});

test('p = 0 gives the inputs back; the draw repeats under the same seed; p outside [0, 1) is refused', () => {
  tidy(() => {
    const inputs = batch(8);
    assert.equal(dropWords(inputs, 0, ids), inputs, 'p = 0 is the identity');
    manualSeed(5);
    const a = dropWords(inputs, 0.5, ids).inputIds.toArray();
    manualSeed(5);
    const b = dropWords(inputs, 0.5, ids).inputIds.toArray();
    assert.deepEqual(a, b, 'same seed, same words dropped');
    assert.notDeepEqual(a, inputs.inputIds.toArray(), 'p = 0.5 drops some words');
    assert.throws(() => dropWords(inputs, 1, ids), /word dropout must be a probability in \[0, 1\), got 1/);
  });
});
