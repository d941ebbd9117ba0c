/**
 * Parity checks shared by the encoder-decoder families (t5, bart, marian) against the PyTorch
 * references of scripts/fixtures/t5.py and bart.py: the family built through the registry from
 * config.json and loaded strictly through its Hugging Face naming; encoder states, decoder states and
 * LM logits within 1e-5; padded = unpadded on real tokens; incremental decoding with a key/value cache
 * = the teacher-forced forward.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadSafetensors } from '../../src/io/safetensors.js';
import type { AttentionCache, EncoderDecoderBackbone, KeyValues } from '../../src/models/encoder-decoder.js';
import { backboneFamily } from '../../src/models/registry.js';
import { cat, dispose, keep, noGrad, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertClose, fromFixture, type TensorFixture } from '../helpers/fixtures.js';

/** One model of a fixture: config.json, weights file, a padded batch and the reference outputs. */
export interface EncoderDecoderCase {
  config: Record<string, unknown>;
  weights: string;
  lengths: number[];
  target_lengths: number[];
  inputs: Record<'input_ids' | 'attention_mask' | 'decoder_input_ids' | 'decoder_attention_mask', TensorFixture>;
  outputs: Record<'encoder_last_hidden_state' | 'last_hidden_state' | 'logits', TensorFixture>;
  unpadded_logits: TensorFixture[];
  param_names: string[];
}

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const TOL = { rtol: 1e-5, atol: 1e-5 };

/** The case's model, built from its config.json through the registry, weights loaded strictly, in eval mode. */
export function loadCase(c: EncoderDecoderCase): { model: EncoderDecoderBackbone; ignored: string[] } {
  const f = backboneFamily(c.config.model_type as string);
  const model = f.create(f.configFromHf(c.config)).eval() as EncoderDecoderBackbone;
  const { tensors } = loadSafetensors(path.join(FIXTURES, c.weights));
  try {
    const parts = f.hfNames.splitStateDict(tensors);
    assert.deepEqual([...parts.rest.keys()], [], 'every tensor is the backbone’s or a known copy');
    model.loadStateDict(parts.backbone);
    return { model, ignored: parts.ignored.sort() };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    dispose([...tensors.values()]);
  }
}

/** A cache over plain maps, with the decoding loop's `KeyValueCache` semantics (the part encoder-decoders use). */
export class MapCache implements AttentionCache {
  readonly self = new Map<number, KeyValues>();
  readonly statics = new Map<string, KeyValues>();
  get length(): number {
    const first = this.self.values().next().value;
    return first === undefined ? 0 : (first.key.shape[2] as number);
  }
  update(layer: number, key: Tensor, value: Tensor): KeyValues {
    const past = this.self.get(layer);
    const next =
      past === undefined
        ? { key: keep(key.clone()), value: keep(value.clone()) }
        : { key: keep(cat([past.key, key], 2)), value: keep(cat([past.value, value], 2)) };
    if (past !== undefined) dispose([past.key, past.value]);
    this.self.set(layer, next);
    return next;
  }
  staticEntry(name: string, compute: () => KeyValues): KeyValues {
    let e = this.statics.get(name);
    if (e === undefined) {
      const made = compute();
      e = { key: keep(made.key), value: keep(made.value) };
      this.statics.set(name, e);
    }
    return e;
  }
  dispose(): void {
    for (const kv of [...this.self.values(), ...this.statics.values()]) dispose([kv.key, kv.value]);
  }
}

/**
 * The parity tests of one fixture case.
 * @param ignored the names the naming must skip (tied copies, computed tables), sorted.
 * @param decoderLayers how many cross-attention entries the cache must hold after decoding.
 */
export function parityTests(name: string, c: EncoderDecoderCase, ignored: string[], decoderLayers: number): void {
  describe(`${c.config.model_type as string} parity: ${name}`, () => {
    it('loads Hugging Face names strictly and matches encoder states, decoder states and logits', () => {
      const { model, ignored: skipped } = loadCase(c);
      try {
        assert.deepEqual(skipped, ignored);
        noGrad(() =>
          tidy(() => {
            const out = model.forward({
              inputIds: fromFixture(c.inputs.input_ids),
              attentionMask: fromFixture(c.inputs.attention_mask),
              decoderInputIds: fromFixture(c.inputs.decoder_input_ids),
              decoderAttentionMask: fromFixture(c.inputs.decoder_attention_mask),
            });
            assertClose(out.encoderLastHiddenState!, c.outputs.encoder_last_hidden_state, { ...TOL, what: 'encoder' });
            assertClose(out.lastHiddenState, c.outputs.last_hidden_state, { ...TOL, what: 'decoder' });
            assertClose(model.lmLogits(out.lastHiddenState), c.outputs.logits, { ...TOL, what: 'logits' });
          }),
        );
      } finally {
        model.dispose();
      }
    });

    it('padded = unpadded on real tokens', () => {
      const { model } = loadCase(c);
      try {
        noGrad(() =>
          tidy(() => {
            c.lengths.forEach((n, i) => {
              const ids = fromFixture(c.inputs.input_ids).narrow(0, i, 1).narrow(1, 0, n);
              const dec = fromFixture(c.inputs.decoder_input_ids).narrow(0, i, 1).narrow(1, 0, c.target_lengths[i]!);
              const out = model.forward({ inputIds: ids, decoderInputIds: dec });
              assertClose(model.lmLogits(out.lastHiddenState).squeeze(0), c.unpadded_logits[i]!, { ...TOL, what: `row ${i}` });
            });
          }),
        );
      } finally {
        model.dispose();
      }
    });

    it('cached incremental decoding = the teacher-forced forward (self-attention cache, cross keys/values computed once)', () => {
      const { model } = loadCase(c);
      const cache = new MapCache();
      try {
        noGrad(() =>
          tidy(() => {
            const mask = fromFixture(c.inputs.attention_mask);
            const dec = fromFixture(c.inputs.decoder_input_ids);
            const T = dec.shape[1] as number;
            const encoder = model.encode(fromFixture(c.inputs.input_ids), mask);
            const full = model.lmLogits(model.decode({ decoderInputIds: dec, encoderHiddenStates: encoder, encoderAttentionMask: mask }));
            const steps: Tensor[] = [];
            for (let t = 0; t < T; t++) {
              const h = model.decode({
                decoderInputIds: dec.narrow(1, t, 1),
                encoderHiddenStates: encoder,
                encoderAttentionMask: mask,
                cache,
              });
              steps.push(model.lmLogits(h)); // (B, 1, V)
            }
            assert.equal(cache.length, T);
            assert.equal(cache.statics.size, decoderLayers);
            const diff = cat(steps, 1).sub(full).abs().max().item() as number;
            assert.ok(diff <= 1e-5, `max |cached − uncached| = ${diff}`);
          }),
        );
      } finally {
        cache.dispose();
        model.dispose();
      }
    });
  });
}
