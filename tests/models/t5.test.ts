/**
 * Parity of the T5 family with the PyTorch reference of scripts/fixtures/t5.py (written from T5's
 * definition, weights under Hugging Face's names): T5 1.0 (relu, tied head with d_model^-0.5) and
 * T5 v1.1 (gated-gelu, untied head, nh·d_kv ≠ d_model). Built through the registry from config.json,
 * loaded through the family's naming; encoder and decoder states and logits within 1e-5; padded =
 * unpadded on real tokens; incremental decoding with a cache = the teacher-forced forward.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { backboneFamily } from '../../src/models/registry.js';
import { addBottleneckAdapters, addLora } from '../../src/mtl/peft/index.js';
import type { T5Model } from '../../src/models/t5/index.js';
import { relativePositionBucket, t5ConfigFromHf, t5ConfigToHf } from '../../src/models/t5/index.js';
import { arange, grad, tensor, tidy } from '../../src/tensor/index.js';
import { fromFixture, loadFixture } from '../helpers/fixtures.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { loadCase, parityTests, type EncoderDecoderCase } from './encoder-decoder-parity.js';

checkNoLeaks();

const cases = loadFixture<Record<string, EncoderDecoderCase>>('t5');
const TIED = ['decoder.embed_tokens.weight', 'encoder.embed_tokens.weight'];
for (const [name, c] of Object.entries(cases)) parityTests(name, c, TIED, c.config.num_decoder_layers as number);

describe('t5 relative position buckets', () => {
  it('match hand-derived buckets (8 buckets, max distance 20)', () => {
    tidy(() => {
      // Bidirectional: 4 per direction, exact for |d| < 2, then 2 + floor(log(|d|/2)/log(10)·2), at most 3; keys after the query add 4.
      const rel = arange(-25, 26);
      const bi = relativePositionBucket(rel, true, 8, 20).toFlatArray();
      const expectBi = Array.from({ length: 51 }, (_, i) => {
        const d = i - 25;
        const a = Math.abs(d);
        const b = a < 2 ? a : Math.min(3, 2 + Math.trunc((Math.log(a / 2) / Math.log(10)) * 2));
        return b + (d > 0 ? 4 : 0);
      });
      assert.deepEqual(bi, expectBi);
      // Causal: only keys before the query count: 8 buckets, exact below 4.
      const causal = relativePositionBucket(rel, false, 8, 20).toFlatArray();
      const expectCausal = Array.from({ length: 51 }, (_, i) => {
        const a = Math.max(0, -(i - 25));
        return a < 4 ? a : Math.min(7, 4 + Math.trunc((Math.log(a / 4) / Math.log(5)) * 4));
      });
      assert.deepEqual(causal, expectCausal);
    });
  });
});

describe('t5 config', () => {
  it('round-trips config.json and refuses bad values by their config.json name', () => {
    const c = t5ConfigFromHf(cases.t5v11!.config);
    assert.equal(c.hiddenAct, 'gelu_new');
    assert.deepEqual(t5ConfigFromHf(t5ConfigToHf(c)), c);
    assert.throws(() => t5ConfigFromHf({ ...cases.t5!.config, feed_forward_proj: 'swish' }), /feed_forward_proj must be one of/);
    assert.throws(() => t5ConfigFromHf({ ...cases.t5!.config, d_kv: 0 }), ConfigError);
    assert.throws(() => backboneFamily('t5').config({ dModel: 8 }), /unknown T5 config key 'dModel'/);
  });
  it('builds fresh weights with the tiny config and leaves no tensor behind', () => {
    const f = backboneFamily('t5');
    const model = f.create(f.configFromHf(cases.t5!.config)).eval() as T5Model;
    try {
      tidy(() => {
        const out = model.forward({
          inputIds: tensor([[5, 6, 7]], { dtype: 'int64' }),
          decoderInputIds: tensor([[0, 4]], { dtype: 'int64' }),
        });
        assert.deepEqual(out.lastHiddenState.shape, [1, 2, 32]);
        assert.deepEqual(model.lmLogits(out.lastHiddenState).shape, [1, 2, 99]);
      });
      assert.equal(model.layers().length, 5);
    } finally {
      model.dispose();
    }
  });
});

describe('t5 with PEFT', () => {
  for (const attach of ['lora', 'adapters'] as const) {
    it(`${attach}: attaches to every block's attention and feed-forward, only adapter parameters train, gradients flow`, () => {
      const model = loadCase(cases.t5v11!).model as unknown as T5Model;
      try {
        const blocks = model.layers().length;
        if (attach === 'lora') {
          // q and v of every self-attention, and of the decoder's cross-attention
          const r = addLora(model, { targets: backboneFamily('t5').loraTargets, adapter: 'task', r: 2, alpha: 4 });
          assert.equal(r.layers.length, 2 * blocks + 2 * model.config.numDecoderLayers);
        } else {
          const r = addBottleneckAdapters(model, { adapter: 'task', bottleneckSize: 4 });
          assert.equal(r.sites.length, 2 * blocks);
        }
        const trainable = model.namedParameters().filter(([, p]) => p.requiresGrad);
        assert.ok(trainable.length > 0 && trainable.every(([n]) => /lora_|adapter/.test(n)));
        tidy(() => {
          const c = cases.t5v11!;
          const out = model.forward({
            inputIds: fromFixture(c.inputs.input_ids),
            decoderInputIds: fromFixture(c.inputs.decoder_input_ids),
          });
          const grads = grad(
            model.lmLogits(out.lastHiddenState).sum(),
            trainable.map(([, p]) => p),
          );
          assert.ok(grads.some((g) => g !== undefined && (g.abs().sum().item() as number) > 0));
        });
      } finally {
        model.dispose();
      }
    });
  }
});
