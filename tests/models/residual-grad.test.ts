/**
 * The gradient of a loss with respect to SOME of a backbone's parameters (GradNorm's shared layer W,
 * surgery limited to some layers: autograd.grad over a subset) is the full backward's, for every
 * family with dropout off. libtorch 1.13 fails it ("could not compute gradients for some functions",
 * also in Python torch 1.13) when a 3-D Linear output receives an in-place residual add of a tensor that
 * requires grad; with dropout the add had hit dropout's fresh output instead.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backboneFamily, createBackbone } from '../../src/models/registry.js';
import { backward, enableGrad, grad, manualSeed, tensor, tidy } from '../../src/tensor/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

const small = { vocabSize: 40, hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 24, maxPositionEmbeddings: 16 };
const off = { hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 };
const FAMILIES: Record<string, Record<string, unknown>> = {
  bert: { ...small, ...off },
  roberta: { ...small, ...off, maxPositionEmbeddings: 20 },
  distilbert: { ...small, ...off },
  gpt2: { ...small, ...off, embeddingDropoutProb: 0 },
  llama: { ...small, attentionProbsDropoutProb: 0 },
};

describe('autograd over a subset of parameters, dropout off', () => {
  for (const [family, fields] of Object.entries(FAMILIES)) {
    it(`${family}: grad(loss, last-layer weights) equals the full backward's`, () => {
      manualSeed(3);
      using backbone = createBackbone(backboneFamily(family).config(fields));
      const named = backbone.namedParameters();
      const last = named.filter(([n]) => /(layer|layers|h|block)\.1\./.test(n)).map(([, p]) => p);
      assert.ok(last.length > 0, `${family}: the last layer's parameters are found`);
      const inputIds = tensor(
        [
          [5, 6, 7, 8, 9],
          [10, 11, 12, 13, 14],
        ],
        { dtype: 'int64' },
      );
      const attentionMask = tensor(
        [
          [1, 1, 1, 1, 1],
          [1, 1, 1, 1, 1],
        ],
        { dtype: 'int64' },
      );
      const partial = enableGrad(() =>
        tidy(() => {
          const loss = backbone.forward({ inputIds, attentionMask }).lastHiddenState.pow(2).sum();
          return grad(loss, last).map((g) => g!.detach());
        }),
      );
      enableGrad(() => tidy(() => backward([backbone.forward({ inputIds, attentionMask }).lastHiddenState.pow(2).sum()])));
      for (const [i, p] of last.entries()) {
        const full = p.grad!;
        const [a, b] = [partial[i]!.toFlatArray() as number[], full.toFlatArray() as number[]];
        assert.ok(
          a.every((v, j) => Math.abs(v - b[j]!) <= 1e-6 + 1e-5 * Math.abs(b[j]!)),
          `${family}: parameter ${i}`,
        );
        full.dispose();
      }
      for (const t of [...partial, inputIds, attentionMask]) t.dispose();
    });
  }
});
