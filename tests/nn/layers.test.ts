import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { Dropout, Embedding, LayerNorm, Linear } from '../../src/nn/index.js';
import { grad, liveTensorCount, manualSeed, noGrad, ones, randn, tensor, tidy } from '../../src/tensor/index.js';

const close = (a: number[], b: number[], tol = 1e-5) => a.every((v, i) => Math.abs(v - (b[i] as number)) <= tol);

describe('Linear', () => {
  it('computes x·Wᵀ + b over any leading dimensions: (…, in) → (…, out)', () => {
    const lin = new Linear(3, 2);
    tidy(() => {
      noGrad(() => {
        lin.weight.copy_(
          tensor([
            [1, 2, 3],
            [0, -1, 1],
          ]),
        );
        lin.bias?.copy_(tensor([0.5, -0.5]));
      });
      const y = lin.forward(tensor([[[1, 1, 1]], [[2, 0, -1]]]));
      assert.deepEqual(y.shape, [2, 1, 2]);
      assert.deepEqual(y.toFlatArray(), [6.5, -0.5, -0.5, -1.5]);
    });
    lin.dispose();
  });

  it('initialises as PyTorch by default and as BERT with initStd; bias is optional', () => {
    manualSeed(1);
    const torchDefault = new Linear(100, 50);
    const bound = 1 / Math.sqrt(100);
    assert.ok((torchDefault.weight.toFlatArray() as number[]).every((v) => Math.abs(v) <= bound));
    assert.ok((torchDefault.bias?.toFlatArray() as number[]).some((v) => v !== 0));
    const bert = new Linear(100, 50, { initStd: 0.02 });
    const std = tidy(() => bert.weight.std().item() as number);
    assert.ok(Math.abs(std - 0.02) < 0.002, `std ${std}`);
    assert.ok((bert.bias?.toFlatArray() as number[]).every((v) => v === 0));
    const noBias = new Linear(4, 4, { bias: false });
    assert.equal(noBias.bias, undefined);
    assert.deepEqual(
      noBias.namedParameters().map(([n]) => n),
      ['weight'],
    );
    [torchDefault, bert, noBias].forEach((m) => m.dispose());
  });
});

describe('Embedding', () => {
  it('looks rows up: (…) int64 → (…, H), with a zero padding row that gets no gradient', () => {
    const emb = new Embedding(5, 3, { paddingIdx: 0, initStd: 0.5 });
    assert.deepEqual(
      tidy(() => emb.weight.select(0, 0).toFlatArray()),
      [0, 0, 0],
    );
    tidy(() => {
      const ids = tensor(
        [
          [0, 2],
          [2, 4],
        ],
        { dtype: 'int64' },
      );
      const y = emb.forward(ids);
      assert.deepEqual(y.shape, [2, 2, 3]);
      assert.deepEqual(y.select(0, 1).select(0, 0).toFlatArray(), emb.weight.select(0, 2).toFlatArray());
      const [g] = grad(y.sum(), [emb.weight]);
      assert.deepEqual(g?.toArray(), [
        [0, 0, 0],
        [0, 0, 0],
        [2, 2, 2],
        [0, 0, 0],
        [1, 1, 1],
      ]);
    });
    emb.dispose();
  });

  it('rejects a padding index outside the table', () => {
    assert.throws(() => new Embedding(5, 3, { paddingIdx: 5 }), /paddingIdx must be an integer in \[0, 5\)/);
    assert.throws(() => new Embedding(5, 3, { paddingIdx: -1 }), ConfigError);
  });
});

describe('LayerNorm', () => {
  it('normalises the last dimension, then scales by weight (1) and shifts by bias (0)', () => {
    const ln = new LayerNorm(4, 1e-12);
    assert.deepEqual(ln.weight.toFlatArray(), [1, 1, 1, 1]);
    assert.deepEqual(ln.bias.toFlatArray(), [0, 0, 0, 0]);
    tidy(() => {
      const y = ln.forward(tensor([[1, 2, 3, 4]]));
      const s = Math.sqrt(1.25);
      assert.ok(close(y.toFlatArray() as number[], [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]));
    });
    ln.dispose();
  });
});

describe('Dropout', () => {
  it('is active only in training mode', () => {
    manualSeed(3);
    const drop = new Dropout(0.5);
    tidy(() => {
      const x = ones([1000]);
      const trained = drop.forward(x).toFlatArray() as number[];
      assert.ok(trained.every((v) => v === 0 || v === 2));
      const zeros = trained.filter((v) => v === 0).length;
      assert.ok(zeros > 400 && zeros < 600, `${zeros} of 1000 dropped`);
      drop.eval();
      assert.equal(drop.forward(x), x, 'identity without an operator in eval mode');
      drop.train();
      assert.equal(new Dropout(0).forward(x), x);
    });
  });

  it('validates p', () => {
    assert.throws(() => new Dropout(1), /dropout probability must be in \[0, 1\), got 1/);
    assert.throws(() => new Dropout(-0.1), ConfigError);
  });

  it('leaves no tensor behind', () => {
    const baseline = liveTensorCount();
    const drop = new Dropout(0.1);
    tidy(() => {
      drop.forward(randn([10]));
    });
    assert.equal(liveTensorCount(), baseline);
  });
});
