// Gradient checkpointing of a BERT encoder's layers (src/models/checkpointing.ts): in training mode,
// dropout on, the loss and the gradient of every parameter equal those of the plain encoder (within
// 1e-6); each layer runs again in backward; a checkpointed function that reads a tensor requiring grad
// outside its inputs and parameters is refused; evaluation under noGrad is untouched; nothing leaks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TorchError } from '../../src/errors.js';
import { BertModel, bertConfig } from '../../src/models/bert/index.js';
import { checkpoint, liveTensorCount, manualSeed, noGrad, randint, randn, tensor, tidy } from '../../src/tensor/index.js';
import { assertCloseNumbers, checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

const TINY = { vocabSize: 99, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 37 };

/** Loss and per-parameter gradients of one forward/backward of a fresh seeded encoder, with dropout. */
function run(checkpointed: boolean): { loss: number; grads: Map<string, number[]> } {
  manualSeed(5);
  const model = new BertModel(bertConfig({ ...TINY, hiddenDropoutProb: 0.2, attentionProbsDropoutProb: 0.2 }));
  model.setGradientCheckpointing(checkpointed);
  try {
    return tidy(() => {
      manualSeed(9);
      const inputIds = randint(0, 99, [3, 7]);
      const attentionMask = tensor([
        [1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 0, 0, 0],
        [1, 1, 1, 1, 1, 1, 0],
      ]);
      const { lastHiddenState, pooledOutput } = model.forward({ inputIds, attentionMask });
      const loss = lastHiddenState.pow(2).mean().add(pooledOutput!.sum());
      loss.backward();
      const grads = new Map(model.namedParameters().map(([n, p]) => [n, p.grad!.toFlatArray() as number[]]));
      return { loss: loss.item() as number, grads };
    });
  } finally {
    model.dispose();
  }
}

describe('gradient checkpointing (BERT encoder)', () => {
  it('gives the loss and gradients of the plain encoder, dropout on (within 1e-6)', () => {
    const plain = run(false);
    const ckpt = run(true);
    assert.ok(Math.abs(ckpt.loss - plain.loss) <= 1e-6, `loss ${ckpt.loss} vs ${plain.loss}`);
    assert.equal(ckpt.grads.size, plain.grads.size);
    for (const [name, g] of plain.grads) assertCloseNumbers(ckpt.grads.get(name)!, g, 1e-6, name);
  });

  it('runs each layer again in backward and not under noGrad', () => {
    manualSeed(5);
    const model = new BertModel(bertConfig(TINY));
    model.setGradientCheckpointing(true);
    const layer = model.layers()[0]!;
    const forward = layer.forward.bind(layer);
    let calls = 0;
    layer.forward = (...args: Parameters<typeof forward>) => (calls++, forward(...args));
    try {
      tidy(() => {
        const inputIds = randint(0, 99, [2, 5]);
        noGrad(() => model.forward({ inputIds }));
        assert.equal(calls, 1, 'evaluation: once');
        model.forward({ inputIds }).lastHiddenState.sum().backward();
        assert.equal(calls, 3, 'training: once in forward, once in backward');
      });
    } finally {
      model.dispose();
    }
  });

  it('refuses a function that reads a tensor requiring grad outside its inputs and parameters', () => {
    tidy(() => {
      const outside = randn([4]).requiresGrad_(true);
      const x = randn([4]).requiresGrad_(true);
      const [y] = checkpoint((a) => [a!.mul(outside)], [x], []);
      assert.throws(
        () => y!.sum().backward(),
        (e: unknown) => e instanceof TorchError && /neither one of its inputs nor of its parameters/.test(e.message),
      );
    });
  });

  it('frees a graph dropped without backward, leaving no tensor behind', () => {
    const before = liveTensorCount();
    manualSeed(5);
    const model = new BertModel(bertConfig(TINY));
    model.setGradientCheckpointing(true);
    tidy(() => void model.forward({ inputIds: randint(0, 99, [2, 5]) }));
    model.dispose();
    assert.equal(liveTensorCount(), before);
  });
});
