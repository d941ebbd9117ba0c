/**
 * GPT-2 against the PyTorch reference of scripts/fixtures/decoders.py (written from the architecture's
 * definition, weights under GPT2LMHeadModel's names): logits within 1e-5 for a right-padded and a
 * left-padded batch, padded = unpadded on real tokens, cached incremental decoding = one full forward.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { KeyValueCache } from '../../src/generate/cache.js';
import { tiedLmHead } from '../../src/models/causal-lm.js';
import { GPT2_FAMILY } from '../../src/models/gpt2/family.js';
import { backboneFamily } from '../../src/models/registry.js';
import { ones, tidy } from '../../src/tensor/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { cachedLogitsDiff, decoderCases, paddedLogitsDiff, referenceDecoder, type DecoderCase } from './decoder-fixture.js';

checkNoLeaks();
const c = decoderCases.gpt2 as DecoderCase;

describe('gpt2', () => {
  it('loads GPT2LMHeadModel names: the tied lm_head copy and the causal-mask buffers are skipped, nothing is left', () => {
    const { model, ignored, rest } = referenceDecoder('gpt2');
    try {
      assert.deepEqual(rest, []);
      assert.ok(ignored.includes('lm_head.weight'));
      assert.ok(ignored.includes('transformer.h.0.attn.bias') && ignored.includes('transformer.h.1.attn.masked_bias'));
      const names = model
        .namedParameters()
        .map(([n]) => n)
        .sort();
      assert.deepEqual(names, c.param_names.map((n) => n.replace(/^transformer\./, '')).sort());
      assert.equal(model.kind, 'decoder');
    } finally {
      model.dispose();
    }
  });

  it('gives the reference logits right- and left-padded (within 1e-5 on real tokens), and cached = full forward', () => {
    const { model } = referenceDecoder('gpt2');
    try {
      const head = tiedLmHead(model);
      const padded = paddedLogitsDiff(c, model, head);
      assert.ok(padded < 1e-5, `max |logits − reference| = ${padded}`);
      const cached = cachedLogitsDiff(c, model, head);
      assert.ok(cached < 1e-5, `max |cached − full| = ${cached}`);
    } finally {
      model.dispose();
    }
  });

  it('maps config.json both ways (n_inner null is 4·n_embd) and refuses what it does not implement', () => {
    const config = GPT2_FAMILY.configFromHf(c.config);
    assert.equal(config.hiddenSize, 32);
    assert.equal(config.intermediateSize, 37);
    assert.deepEqual(GPT2_FAMILY.configFromHf(GPT2_FAMILY.configToHf(config)), config);
    assert.equal(GPT2_FAMILY.configFromHf({ model_type: 'gpt2', n_embd: 64, n_head: 4, n_inner: null }).intermediateSize, 256);
    assert.equal(backboneFamily('gpt2').configFromHf({ model_type: 'gpt2' }).vocabSize, 50257);
    assert.throws(() => GPT2_FAMILY.configFromHf({ model_type: 'gpt2', scale_attn_by_inverse_layer_idx: true }), ConfigError);
    assert.throws(() => GPT2_FAMILY.configFromHf({ model_type: 'gpt2', n_embd: 30, n_head: 4 }), /n_embd|hidden size \(30\)/);
    assert.throws(() => GPT2_FAMILY.config({ nEmbd: 3 }), /unknown GPT-2 config key 'nEmbd'/);
  });

  it('refuses more tokens than its positions, counting the cached ones', () => {
    const model = GPT2_FAMILY.create(GPT2_FAMILY.configFromHf(c.config)).eval();
    try {
      tidy(() => {
        assert.throws(() => model.forward({ inputIds: ones([1, 65], { dtype: 'int64' }) }), ShapeError);
        using cache = new KeyValueCache();
        model.forward({ inputIds: ones([1, 60], { dtype: 'int64' }), pastKeyValues: cache });
        assert.throws(() => model.forward({ inputIds: ones([1, 5], { dtype: 'int64' }), pastKeyValues: cache }), /60 cached tokens/);
      });
    } finally {
      model.dispose();
    }
  });
});
