import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CharCnn, type CharCnnShape } from '../../src/nn/char-cnn.js';
import { ConfigError } from '../../src/errors.js';
import { grad, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { padWordChars, wordCharIds } from '../../src/tasks/word-chars.js';
import type { Features } from '../../src/tasks/types.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

/** scripts/fixtures/char_cnn.py: torch.nn.Embedding + Conv1d + max, each word run alone (unpadded). */
interface CharCnnCase {
  embedding: TensorFixture;
  weight: TensorFixture;
  bias: TensorFixture;
  /** (B, T) positions, each a word's character ids or [] */
  words: number[][][];
  output: TensorFixture;
  grad_embedding: TensorFixture;
  grad_weight: TensorFixture;
  grad_bias: TensorFixture;
}
const cases = loadFixture<Record<string, CharCnnCase>>('char_cnn');

/** A CharCnn holding a case's parameters, without dropout. */
function cnnOf(c: CharCnnCase): CharCnn {
  const [filters, embeddingSize, kernelSize] = c.weight.shape as [number, number, number];
  const cnn = new CharCnn({ charVocabSize: c.embedding.shape[0] as number, embeddingSize, filters, kernelSize, dropout: 0 });
  tidy(() => {
    const state = new Map([
      ['embedding.weight', fromFixture(c.embedding, 'float32')],
      ['weight', fromFixture(c.weight, 'float32')],
      ['bias', fromFixture(c.bias, 'float32')],
    ]);
    cnn.loadStateDict(state, { strict: true });
  });
  return cnn;
}

/** (B, T, L) ids of `words`, each padded with 0 to L = the longest word + `extra`. */
function idsOf(words: number[][][], extra: number): Tensor {
  const L = Math.max(1, ...words.flat().map((w) => w.length)) + extra;
  return tensor(
    words.map((row) => row.map((w) => Array.from({ length: L }, (_, j) => w[j] ?? 0))),
    { dtype: 'int64' },
  );
}

for (const [name, c] of Object.entries(cases)) {
  test(`CharCnn equals torch (Embedding, Conv1d, max over each word alone) and its gradients: ${name}`, () => {
    using cnn = cnnOf(c);
    tidy(() => {
      for (const extra of [0, 3]) {
        const out = cnn.forward(idsOf(c.words, extra)); // padding: none, or 3 more 0s than the longest word
        assertClose(out, c.output, { atol: 1e-5, what: `output (padding + ${extra})` });
      }
      const [gE, gW, gB] = grad(cnn.forward(idsOf(c.words, 2)).sum(), [cnn.embedding.weight, cnn.weight, cnn.bias]) as Tensor[];
      assertClose(gE as Tensor, c.grad_embedding, { atol: 1e-5, what: 'd/d embedding' });
      assertClose(gW as Tensor, c.grad_weight, { atol: 1e-5, what: 'd/d conv weight' });
      assertClose(gB as Tensor, c.grad_bias, { atol: 1e-5, what: 'd/d conv bias' });
    });
  });
}

const shape: CharCnnShape = { charVocabSize: 40, embeddingSize: 6, filters: 8, kernelSize: 3, dropout: 0.5 };

test('CharCnn maps (B, T, L) to (B, T, F) and (N, L) to (N, F); a position without characters gives zeros', () => {
  using cnn = new CharCnn(shape);
  cnn.eval();
  tidy(() => {
    const ids = tensor(
      [
        [
          [5, 6, 7, 0],
          [0, 0, 0, 0],
        ],
      ],
      { dtype: 'int64' },
    );
    const out = cnn.forward(ids);
    assert.deepEqual(out.shape, [1, 2, 8]);
    assert.deepEqual((out.toArray() as number[][][])[0]![1], [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(cnn.forward(tensor([[1, 2]], { dtype: 'int64' })).shape, [1, 8]);
  });
});

test("a word's vector depends neither on the batch's padding nor on its neighbours (evaluation mode)", () => {
  using cnn = new CharCnn(shape);
  cnn.eval();
  tidy(() => {
    const alone = cnn.forward(tensor([[9, 3, 12]], { dtype: 'int64' })).toFlatArray() as number[]; // (1, 8)
    const batch = tensor(
      [
        [
          [1, 2, 3, 4, 5, 6, 7, 8, 9],
          [9, 3, 12, 0, 0, 0, 0, 0, 0],
        ],
        [
          [9, 3, 12, 0, 0, 0, 0, 0, 0],
          [39, 0, 0, 0, 0, 0, 0, 0, 0],
        ],
      ],
      { dtype: 'int64' },
    );
    const rows = cnn.forward(batch).toArray() as number[][][];
    for (const got of [rows[0]![1]!, rows[1]![0]!])
      got.forEach((v, f) => assert.ok(Math.abs(v - alone[f]!) <= 1e-6, `filter ${f}: ${v} vs ${alone[f]}`));
  });
});

test('CharCnn refuses an even kernel size, naming the key', () => {
  assert.throws(
    () => new CharCnn({ ...shape, kernelSize: 4 }),
    (e: Error) => e instanceof ConfigError && /kernel_size must be an odd/.test(e.message),
  );
});

test("wordCharIds folds code points into [1, V): 1 + (code point mod (V - 1)), cut to the word's first characters", () => {
  assert.deepEqual(wordCharIds('abc', 256, 20), [98, 99, 100]); // 'a' = 97
  assert.deepEqual(wordCharIds('á', 256, 20), [226]); // U+00E1 = 225
  assert.deepEqual(wordCharIds('abcdef', 256, 4), [98, 99, 100, 101]);
  assert.deepEqual(wordCharIds('a', 10, 20), [1 + (97 % 9)]);
  assert.deepEqual(wordCharIds('😀', 256, 20), [1 + (0x1f600 % 255)]); // one code point, not two UTF-16 units
});

test("padWordChars puts each word's characters at its first sub-word's position and 0 elsewhere", () => {
  const f = (wordTokens: number[], wordChars: number[][]): Features => ({
    exampleIndex: 0,
    inputIds: [],
    truncated: false,
    wordTokens,
    wordChars,
  });
  tidy(() => {
    const t = padWordChars([f([1, 3], [[5, 6], [7]]), f([1, -1], [[8, 9, 10], [11]])], 5) as Tensor; // word 2 of row 2 has no token
    assert.deepEqual(t.toArray(), [
      [
        [0, 0, 0],
        [5, 6, 0],
        [0, 0, 0],
        [7, 0, 0],
        [0, 0, 0],
      ],
      [
        [0, 0, 0],
        [8, 9, 10],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    ]);
    assert.equal(padWordChars([{ exampleIndex: 0, inputIds: [1], truncated: false }], 1), undefined);
  });
});
