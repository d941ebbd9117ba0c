/**
 * Per-group peak learning rates (src/train/learning-rates.ts): a lower rate for the encoder than for
 * the heads, and layer-wise decay, checked by hand on a 3-layer BERT with a classification head.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BertModel } from '../../src/models/bert/index.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import { createOptimizer } from '../../src/optim/create.js';
import { paramGroupsNoDecay } from '../../src/optim/param-groups.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { taskSpec, taskTypes } from '../../src/tasks/index.js';
import { liveTensorCount, manualSeed, zeros } from '../../src/tensor/index.js';
import { learningRateGroups, parameterLearningRates } from '../../src/train/learning-rates.js';
import { tinyConfig } from '../tasks/helpers.js';

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

function model(): MultiTaskModel {
  manualSeed(0);
  const spec = taskSpec({ name: 'intent', kind: 'sequence-classification', labels: ['a', 'b'], options: { pooling: 'cls' } });
  return MultiTaskModel.fromSpecs(new BertModel(tinyConfig(50, { numHiddenLayers: 3 })), [spec]);
}

/** The rate the rule gives a parameter name of this model (L = 3), written out by hand. */
function expected(name: string, lr: number, encoderLr: number, xi: number): number {
  const layer = /^encoder\.encoder\.layer\.(\d)\./.exec(name);
  if (layer !== null) return encoderLr * xi ** (2 - Number(layer[1])); // layer 2 (last): ξ⁰, 1: ξ¹, 0: ξ²
  if (name.startsWith('encoder.embeddings.')) return encoderLr * xi ** 3;
  if (name.startsWith('encoder.pooler.')) return encoderLr;
  assert.match(name, /^heads\.intent\./);
  return lr;
}

describe('layer-wise learning rates', () => {
  it('encoder 1e-4 under heads 1e-3, ξ = 0.5: layers 1e-4, 5e-5, 2.5e-5 from the top, embeddings 1.25e-5, pooler 1e-4', () => {
    using m = model();
    const named = m.namedParameters();
    const rates = parameterLearningRates(m.backbone, named, {
      learningRate: 1e-3,
      weightDecay: 0,
      encoderLearningRate: 1e-4,
      layerLrDecay: 0.5,
    });
    named.forEach(([name], i) => assert.ok(Math.abs(rates[i]! - expected(name, 1e-3, 1e-4, 0.5)) < 1e-15, `${name}: ${rates[i]}`));
    const byName = new Map(named.map(([name], i) => [name, rates[i]]));
    assert.equal(byName.get('encoder.encoder.layer.2.output.dense.weight'), 1e-4);
    assert.equal(byName.get('encoder.encoder.layer.0.attention.self.query.weight'), 2.5e-5);
    assert.equal(byName.get('encoder.embeddings.word_embeddings.weight'), 1.25e-5);
    assert.equal(byName.get('heads.intent.classifier.weight'), 1e-3);
    assert.equal(new Set(rates).size, 5, 'five rates: heads, layers 2, 1, 0 (pooler with layer 2), embeddings');
  });

  it('only the encoder rate (no decay): every backbone parameter at it, heads at learning_rate', () => {
    using m = model();
    const named = m.namedParameters();
    const rates = parameterLearningRates(m.backbone, named, { learningRate: 1e-3, weightDecay: 0, encoderLearningRate: 2e-5 });
    named.forEach(([name], i) => assert.equal(rates[i], name.startsWith('heads.') ? 1e-3 : 2e-5, name));
  });

  it("groups: the usual [decayed, exempt, extra] without the keys; with them each rate's groups carry their lr to the optimizer, every parameter once", () => {
    using m = model();
    const named = m.namedParameters();
    const extra = [zeros([2], { requiresGrad: true })];
    const plain = learningRateGroups(m.backbone, named, extra, { learningRate: 1e-3, weightDecay: 0.01 });
    assert.deepEqual(plain, [...paramGroupsNoDecay(named, 0.01), { params: extra, weightDecay: 0 }]);
    const t = { learningRate: 1e-3, weightDecay: 0.01, encoderLearningRate: 1e-4, layerLrDecay: 0.5 };
    const groups = learningRateGroups(m.backbone, named, extra, t);
    assert.deepEqual(
      groups.map((g) => g.lr),
      [1e-3, 1e-3, 1e-4, 1e-4, 5e-5, 5e-5, 2.5e-5, 2.5e-5, 1.25e-5, 1.25e-5, 1e-3],
      'highest rate first, decayed then exempt, extra last',
    );
    assert.equal(groups.flatMap((g) => g.params).length, named.length + 1);
    const lrOf = new Map(named.map(([name, p]) => [p, expected(name, 1e-3, 1e-4, 0.5)])); // the rule written out by hand
    for (const g of groups.slice(0, -1)) for (const p of g.params) assert.equal(lrOf.get(p), g.lr);
    const optimizer = createOptimizer({ name: 'adamw', betas: [0.9, 0.999], eps: 1e-8, amsgrad: false }, groups, t.learningRate);
    assert.deepEqual(
      optimizer.paramGroups.map((g) => g.lr),
      groups.map((g) => g.lr),
    );
    optimizer.dispose();
    extra[0]!.dispose();
  });

  it('config keys: encoder_learning_rate and layer_lr_decay in (0, 1]', () => {
    const text = (training: string) => `output_dir: out
tokenizer: { train: { vocab_size: 100 } }
tasks:
  - { name: mlm, type: masked-lm, data: { format: wordnet } }
training: { max_steps: 1, learning_rate: 1.0e-3, ${training} }
`;
    const c = parseTrainingConfig(text('encoder_learning_rate: 1.0e-4, layer_lr_decay: 0.8'), { taskTypes, checkFiles: false });
    assert.equal(c.training.encoderLearningRate, 1e-4);
    assert.equal(c.training.layerLrDecay, 0.8);
    assert.throws(() => parseTrainingConfig(text('layer_lr_decay: 1.5'), { taskTypes, checkFiles: false }), /layer_lr_decay/);
    assert.throws(() => parseTrainingConfig(text('layer_lr_decay: 0'), { taskTypes, checkFiles: false }), /layer_lr_decay/);
  });
});
