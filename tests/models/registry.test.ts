/**
 * The model registry (src/models/registry.ts) and the Backbone contract (src/models/backbone.ts):
 * config.json's model_type chooses the family, an unsupported one is refused naming the supported
 * ones, and BERT reached only through the contract (registry, HfNaming, forward, layers, inputEmbeddings)
 * still equals the PyTorch reference of scripts/fixtures/bert.py.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { loadSafetensors } from '../../src/io/safetensors.js';
import type { Backbone } from '../../src/models/backbone.js';
import {
  backboneConfigFromHf,
  backboneConfigToHf,
  backboneFamily,
  createBackbone,
  familyConfigKeys,
  familyOfHfConfig,
  supportedModelTypes,
} from '../../src/models/registry.js';
import { dispose, noGrad, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertClose } from '../helpers/fixtures.js';
import { fixture, referenceInputs, weightsPath } from './bert-fixture.js';

/** The fixture's model built and loaded only through the registry and the contract. */
function referenceBackbone(): Backbone {
  const family = familyOfHfConfig(fixture.config);
  const backbone = family.create(family.configFromHf(fixture.config));
  const { tensors } = loadSafetensors(weightsPath);
  try {
    const parts = backbone.hfNames.splitStateDict(tensors);
    assert.deepEqual(backbone.loadStateDict(parts.backbone), { missingKeys: [], unexpectedKeys: [] });
  } finally {
    dispose(tensors);
  }
  backbone.eval();
  return backbone;
}

describe('model registry', () => {
  it('lists bert and builds a BERT backbone for model_type bert (and for a config.json without model_type)', () => {
    assert.ok(supportedModelTypes().includes('bert'));
    assert.equal(familyOfHfConfig({ model_type: 'bert' }).modelType, 'bert');
    assert.equal(familyOfHfConfig({}).modelType, 'bert', 'config.json files of older checkpoints name no model_type');
    const config = backboneFamily('bert').config({ vocabSize: 99, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4 });
    assert.equal(config.modelType, 'bert');
    using backbone = createBackbone(config);
    assert.equal(backbone.kind, 'encoder');
    assert.equal(backbone.layers().length, 2);
    assert.deepEqual(backbone.inputEmbeddings().weight.shape, [99, 32]);
    assert.deepEqual(backboneConfigFromHf(backboneConfigToHf(config)), config, 'config.json round trip');
  });

  it("familyConfigKeys: the snake_case keys of a new encoder's block each family's config accepts, and no other", () => {
    const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    for (const modelType of supportedModelTypes()) {
      const family = backboneFamily(modelType);
      const keys = familyConfigKeys(modelType);
      assert.ok(keys.includes('hidden_size') && keys.includes('num_hidden_layers'), `${modelType}: ${keys.join()}`);
      assert.ok(!keys.includes('model_type') && !keys.includes('vocab_size'), `${modelType}: the schema's own keys are left out`);
      const defaults = family.config() as unknown as Record<string, unknown>;
      const fields = Object.fromEntries(keys.map((k) => [camel(k), defaults[camel(k)]]));
      assert.deepEqual(family.config(fields), family.config(), `${modelType}: every listed key is accepted`);
      assert.throws(() => family.config({ ...fields, dKvv: 1 }), ConfigError, `${modelType}: another key is refused`);
    }
  });

  it('refuses an unsupported model_type, naming the supported ones', () => {
    const refusal = (e: unknown) =>
      e instanceof ConfigError && /model_type 'gpt-j' is not supported; the supported model types are .*bert/.test(e.message);
    assert.throws(() => backboneFamily('gpt-j'), refusal);
    assert.throws(() => familyOfHfConfig({ model_type: 'gpt-j', hidden_size: 32 }), refusal);
    assert.throws(() => backboneConfigFromHf({ model_type: 'gpt-j' }), refusal);
    assert.throws(() => familyOfHfConfig({ model_type: 7 }), /model_type must be a string such as 'bert', got 7/);
  });
});

describe('BERT through the Backbone contract', () => {
  it('equals the PyTorch reference on a padded batch, and without attentionMask and tokenTypeIds', () => {
    using backbone = referenceBackbone();
    tidy(() => {
      const out = backbone.forward(referenceInputs()); // with autograd: the op-by-op path, which computes padded positions too
      assertClose(out.lastHiddenState, fixture.outputs.last_hidden_state, { atol: 1e-5, rtol: 1e-5, what: 'lastHiddenState' });
      assertClose(out.pooledOutput as Tensor, fixture.outputs.pooler_output, { atol: 1e-5, rtol: 1e-5, what: 'pooledOutput' });
      const bare = noGrad(() => backbone.forward({ inputIds: referenceInputs().inputIds }));
      assertClose(bare.lastHiddenState, fixture.outputs_default.last_hidden_state, { atol: 1e-5, rtol: 1e-5, what: 'no mask' });
    });
  });

  it("declares Hugging Face's names: the bert. prefix both ways, tied keys skipped, heads left apart", () => {
    using backbone = referenceBackbone();
    const names = backbone.hfNames;
    assert.equal(names.basePrefix, 'bert.');
    const prefixed = names.toHf(backbone.stateDict(), names.basePrefix);
    assert.ok([...prefixed.keys()].every((k) => k.startsWith('bert.')));
    const withHead = new Map(prefixed);
    const decoder = backbone.inputEmbeddings().weight;
    for (const key of names.tiedKeys) withHead.set(key, decoder);
    withHead.set('classifier.weight', decoder);
    const parts = names.splitStateDict(withHead);
    assert.deepEqual([...parts.backbone.keys()], [...backbone.stateDict().keys()]);
    assert.deepEqual([...parts.rest.keys()], ['classifier.weight']);
    assert.deepEqual(parts.ignored.sort(), [...names.tiedKeys].sort());
  });

  it('declares every layer with its two residual branches (attention output, feed-forward output)', () => {
    using backbone = referenceBackbone();
    const paths = new Map(backbone.namedParameters().map(([n, p]) => [p, n]));
    backbone.layers().forEach((layer, i) => {
      const { attention, feedForward } = layer.residualBranches();
      assert.equal(paths.get(attention.projection.weight), `encoder.layer.${i}.attention.output.dense.weight`);
      assert.equal(paths.get(feedForward.projection.weight), `encoder.layer.${i}.output.dense.weight`);
      assert.equal(attention.projection.outFeatures, backbone.config.hiddenSize);
    });
  });
});
