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
import { cat, noGrad, ones, tidy, type Tensor } from '../../src/tensor/index.js';
import { fromFixture } from '../helpers/fixtures.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { maxAbsDiff } from './bert-fixture.js';
import { decoderCases, referenceDecoder, type DecoderCase } from './decoder-fixture.js';

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

  it('gives the reference logits for a right-padded and a left-padded batch (within 1e-5 on real tokens)', () => {
    const { model } = referenceDecoder('gpt2');
    try {
      noGrad(() =>
        tidy(() => {
          const head = tiedLmHead(model);
          const logits = (ids: string, mask: string) =>
            head(
              model.forward({
                inputIds: fromFixture(c.inputs[ids as 'input_ids']),
                attentionMask: fromFixture(c.inputs[mask as 'attention_mask']),
              }).lastHiddenState,
            );
          const T = c.inputs.input_ids.shape[1] as number;
          const right = logits('input_ids', 'attention_mask');
          const left = logits('left_input_ids', 'left_attention_mask');
          c.inputs.lengths.forEach((n, i) => {
            const alone = c.unpadded[i]!;
            assert.ok(maxAbsDiff(right.select(0, i).narrow(0, 0, n), alone) < 1e-5, `row ${i} right-padded`);
            assert.ok(maxAbsDiff(left.select(0, i).narrow(0, T - n, n), alone) < 1e-5, `row ${i} left-padded`);
          });
        }),
      );
    } finally {
      model.dispose();
    }
  });

  it('cached incremental decoding gives the logits of one full forward (within 1e-5)', () => {
    const { model } = referenceDecoder('gpt2');
    try {
      noGrad(() =>
        tidy(() => {
          const head = tiedLmHead(model);
          const ids = fromFixture(c.inputs.left_input_ids); // left-padded (B, T)
          const mask = fromFixture(c.inputs.left_attention_mask);
          const T = ids.shape[1] as number;
          const full = head(model.forward({ inputIds: ids, attentionMask: mask }).lastHiddenState); // (B, T, V)
          using cache = new KeyValueCache();
          const steps: Tensor[] = [];
          // the first 3 tokens at once, then one token at a time
          for (const [from, n] of [
            [0, 3],
            [3, 1],
            [4, 2],
            [6, 1],
          ] as const) {
            const out = model.forward({
              inputIds: ids.narrow(1, from, n),
              attentionMask: mask.narrow(1, 0, from + n),
              pastKeyValues: cache,
            });
            steps.push(head(out.lastHiddenState));
          }
          assert.equal(cache.length, T);
          const incremental = cat(steps, 1);
          const real = mask.unsqueeze(2).to('float32');
          const diff = incremental.sub(full).mul(real).abs().max().item() as number;
          assert.ok(diff < 1e-5, `max |cached − full| on real tokens = ${diff}`);
        }),
      );
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
