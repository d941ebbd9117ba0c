/**
 * Parity of the BART and Marian families with the PyTorch reference of scripts/fixtures/bart.py
 * (written from the architectures' definitions, weights under Hugging Face's names as
 * BartForConditionalGeneration / MarianMTModel hold them), plus their configs and PEFT.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { bartConfigFromHf, bartConfigToHf, marianSinusoids } from '../../src/models/bart/index.js';
import { backboneFamily } from '../../src/models/registry.js';
import { addBottleneckAdapters, addLora } from '../../src/mtl/peft/index.js';
import { grad, tidy } from '../../src/tensor/index.js';
import { fromFixture, loadFixture } from '../helpers/fixtures.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { loadCase, parityTests, type EncoderDecoderCase } from './encoder-decoder-parity.js';

checkNoLeaks();

const cases = loadFixture<Record<string, EncoderDecoderCase>>('bart');
const COPIES = ['lm_head.weight', 'model.decoder.embed_tokens.weight', 'model.encoder.embed_tokens.weight'];
parityTests('bart', cases.bart!, COPIES, cases.bart!.config.decoder_layers as number);
parityTests(
  'marian',
  cases.marian!,
  [...COPIES, 'model.decoder.embed_positions.weight', 'model.encoder.embed_positions.weight'].sort(),
  cases.marian!.config.decoder_layers as number,
);

describe('bart and marian configs', () => {
  it('round-trip config.json and refuse variants not implemented', () => {
    for (const type of ['bart', 'marian'] as const) {
      const c = bartConfigFromHf(type, cases[type]!.config);
      assert.deepEqual(bartConfigFromHf(type, bartConfigToHf(c)), c);
    }
    assert.throws(() => bartConfigFromHf('bart', { ...cases.bart!.config, normalize_before: true }), /pre-LN/);
    assert.throws(() => bartConfigFromHf('bart', { ...cases.bart!.config, d_model: 30 }), /not a multiple/);
    assert.throws(() => backboneFamily('marian').config({ encoderLayers: 2 }), ConfigError);
  });
  it("Marian's sinusoids: sin in the first half of the columns, cos in the second", () => {
    tidy(() => {
      const t = marianSinusoids(3, 4).toArray() as number[][];
      // angle(p, j) = p / 10000^(2⌊j/2⌋/4): columns 0, 1 are sin(p), sin(p/100); 2, 3 are cos(p), cos(p/100)
      const expect = [0, 1, 2].map((p) => [Math.sin(p), Math.sin(p / 100), Math.cos(p), Math.cos(p / 100)]);
      t.forEach((row, p) => row.forEach((v, j) => assert.ok(Math.abs(v - expect[p]![j]!) < 1e-7, `(${p}, ${j}): ${v}`)));
    });
  });
});

describe('bart with PEFT', () => {
  for (const attach of ['lora', 'adapters'] as const) {
    it(`${attach}: attaches to every layer, only adapter parameters train, gradients flow`, () => {
      const { model } = loadCase(cases.bart!);
      try {
        const layers = model.layers().length;
        const decoderLayers = cases.bart!.config.decoder_layers as number;
        if (attach === 'lora') {
          const r = addLora(model, { targets: backboneFamily('bart').loraTargets, adapter: 'task', r: 2, alpha: 4 });
          assert.equal(r.layers.length, 2 * layers + 2 * decoderLayers); // q, v of self- and cross-attention
        } else {
          const r = addBottleneckAdapters(model, { adapter: 'task', bottleneckSize: 4 });
          assert.equal(r.sites.length, 2 * layers);
        }
        const trainable = model.namedParameters().filter(([, p]) => p.requiresGrad);
        assert.ok(trainable.length > 0 && trainable.every(([n]) => /lora_|adapter/.test(n)));
        tidy(() => {
          const c = cases.bart!;
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
