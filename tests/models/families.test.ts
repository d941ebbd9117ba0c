/**
 * Parity of the families beside BERT with the PyTorch references of scripts/fixtures/families.py
 * (written from each architecture's definition, weights saved under Hugging Face's names): built
 * through the registry from config.json, loaded through the family's Hugging Face naming, last
 * hidden states (and RoBERTa's pooler output) within 1e-5, padded = unpadded on real tokens.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { loadSafetensors } from '../../src/io/safetensors.js';
import type { Backbone } from '../../src/models/backbone.js';
import { backboneFamily, supportedModelTypes } from '../../src/models/registry.js';
import { addBottleneckAdapters, addLora } from '../../src/mtl/peft/index.js';
import { dispose, grad, noGrad, tidy, type Tensor } from '../../src/tensor/index.js';
import { fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { maxAbsDiff } from './bert-fixture.js';

checkNoLeaks();

interface FamilyCase {
  config: Record<string, unknown>;
  weights: string;
  prefix: string;
  param_names: string[];
  num_parameters: number;
  inputs: { input_ids: TensorFixture; attention_mask: TensorFixture; lengths: number[]; token_type_ids?: TensorFixture };
  outputs: { last_hidden_state: TensorFixture; pooler_output?: TensorFixture };
  unpadded: TensorFixture[];
}
const cases = loadFixture<Record<string, FamilyCase>>('families');
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const FAMILIES = ['roberta', 'xlm-roberta', 'distilbert', 'electra'] as const;
/** Hugging Face's pre-training heads saved beside each base model (none for the bare xlm-roberta). */
const HEADS: Record<string, string[]> = {
  roberta: ['lm_head.bias', 'lm_head.dense.bias', 'lm_head.dense.weight'],
  'xlm-roberta': [],
  distilbert: ['vocab_projector.bias', 'vocab_transform.bias', 'vocab_transform.weight'],
  electra: ['discriminator_predictions.dense.weight', 'discriminator_predictions.dense_prediction.weight'],
};

/** The family's backbone built from the fixture's config.json, its weights loaded strictly, in eval mode. */
function referenceBackbone(family: string): { model: Backbone; ignored: string[]; rest: string[] } {
  const c = cases[family] as FamilyCase;
  const f = backboneFamily(c.config.model_type as string);
  const model = f.create(f.configFromHf(c.config)).eval();
  const { tensors } = loadSafetensors(path.join(FIXTURES, c.weights));
  try {
    const parts = f.hfNames.splitStateDict(tensors);
    model.loadStateDict(parts.backbone);
    return { model, ignored: parts.ignored, rest: [...parts.rest.keys()].sort() };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    dispose([...tensors.values()]);
  }
}

/** The fixture's padded batch (token types for electra only). */
function inputsOf(c: FamilyCase): { inputIds: Tensor; attentionMask: Tensor; tokenTypeIds?: Tensor } {
  return {
    inputIds: fromFixture(c.inputs.input_ids),
    attentionMask: fromFixture(c.inputs.attention_mask),
    ...(c.inputs.token_type_ids === undefined ? {} : { tokenTypeIds: fromFixture(c.inputs.token_type_ids) }),
  };
}

/** max |a − reference| over the real (unpadded) tokens of each row. */
function realTokenDiff(hidden: Tensor, c: FamilyCase): number {
  return tidy(() => {
    const expected = fromFixture(c.outputs.last_hidden_state);
    return Math.max(
      ...c.inputs.lengths.map(
        (n, i) =>
          hidden
            .narrow(0, i, 1)
            .narrow(1, 0, n)
            .sub(expected.narrow(0, i, 1).narrow(1, 0, n))
            .abs()
            .max()
            .item() as number,
      ),
    );
  });
}

describe('model families: parity with the PyTorch references', () => {
  it('registers every family under its config.json model_type', () => {
    for (const family of FAMILIES) assert.ok(supportedModelTypes().includes(family), family);
    assert.throws(
      () => backboneFamily('gpt-neox'),
      (e: Error) => e instanceof ConfigError && e.message.endsWith(`the supported model types are ${supportedModelTypes().join(', ')}`),
    );
    for (const type of ['bart', 'marian', 't5']) assert.ok(supportedModelTypes().includes(type), type);
  });

  for (const family of FAMILIES) {
    describe(family, () => {
      const c = cases[family] as FamilyCase;

      it("names parameters as Hugging Face's base model, in the same order, and skips heads and saved buffers", () => {
        const { model, ignored, rest } = referenceBackbone(family);
        assert.deepEqual(
          model.namedParameters().map(([n]) => n),
          c.param_names,
        );
        assert.equal(model.numParameters(), c.num_parameters);
        assert.deepEqual(rest, HEADS[family]);
        assert.deepEqual(ignored, family === 'xlm-roberta' ? ['embeddings.position_ids'] : []);
        assert.equal(model.hfNames.basePrefix, c.prefix === '' ? 'roberta.' : c.prefix);
        model.dispose();
      });

      it('config.json round-trips through the family', () => {
        const f = backboneFamily(family);
        const config = f.configFromHf(c.config);
        assert.equal(config.modelType, family);
        assert.deepEqual(f.configFromHf(f.configToHf(config)), config);
      });

      for (const mode of ['eager (with gradients)', 'inference (no gradients)'] as const) {
        it(`last hidden states equal the reference within 1e-5, ${mode}`, () => {
          const { model } = referenceBackbone(family);
          const run = () =>
            tidy(() => {
              const out = model.forward(inputsOf(c));
              // the fused inference kernel leaves padding positions at 0 (nobody reads them): compare real tokens there
              const hidden =
                mode === 'eager (with gradients)'
                  ? maxAbsDiff(out.lastHiddenState, c.outputs.last_hidden_state)
                  : realTokenDiff(out.lastHiddenState, c);
              const pooled =
                c.outputs.pooler_output === undefined ? undefined : maxAbsDiff(out.pooledOutput as Tensor, c.outputs.pooler_output);
              assert.equal(
                out.pooledOutput === undefined,
                c.outputs.pooler_output === undefined,
                'a pooled output exactly where the family has a pooler',
              );
              return { hidden, pooled };
            });
          const { hidden, pooled } = mode === 'inference (no gradients)' ? noGrad(run) : run();
          console.log(
            `# ${family} ${mode}: max |Δ| last hidden state ${hidden.toExponential(2)}${pooled === undefined ? '' : `, pooler ${pooled.toExponential(2)}`}`,
          );
          assert.ok(hidden < 1e-5, `last hidden state differs by ${hidden}`);
          if (pooled !== undefined) assert.ok(pooled < 1e-5, `pooler output differs by ${pooled}`);
          model.dispose();
        });
      }

      it('LoRA (the family’s default targets) and bottleneck adapters attach through the interface and start as the identity', () => {
        const layers = (c.config.num_hidden_layers ?? c.config.n_layers) as number;
        for (const attach of ['lora', 'adapters'] as const) {
          const { model } = referenceBackbone(family);
          if (attach === 'lora') {
            const r = addLora(model, { targets: backboneFamily(family).loraTargets, adapter: 'task', r: 2, alpha: 4 });
            assert.equal(r.layers.length, 2 * layers, `${family}: two projections per layer (${r.layers.join(', ')})`);
          } else {
            const r = addBottleneckAdapters(model, { adapter: 'task', bottleneckSize: 4 });
            assert.equal(r.sites.length, 2 * layers, `${family}: two residual branches per layer (${r.sites.join(', ')})`);
          }
          const trainable = model.namedParameters().filter(([, p]) => p.requiresGrad);
          assert.ok(
            trainable.length > 0 && trainable.every(([n]) => /lora_|adapter/.test(n)),
            `${family} ${attach}: only adapter parameters train`,
          );
          const diff = tidy(() => {
            const out = model.forward(inputsOf(c)).lastHiddenState;
            const grads = grad(
              out.sum(),
              trainable.map(([, p]) => p),
            );
            assert.ok(
              grads.some((g) => g !== undefined && (g.abs().sum().item() as number) > 0),
              `${family} ${attach}: gradients reach the adapters`,
            );
            return maxAbsDiff(out, c.outputs.last_hidden_state);
          });
          assert.ok(diff < 1e-5, `${family} ${attach}: a new adapter changes nothing (${diff})`);
          model.dispose();
        }
      });

      it('padded = unpadded: each row alone gives the padded batch’s states on its real tokens', () => {
        const { model } = referenceBackbone(family);
        noGrad(() =>
          tidy(() => {
            const inputs = inputsOf(c);
            const padded = model.forward(inputs).lastHiddenState;
            c.inputs.lengths.forEach((n, i) => {
              const row = (t: Tensor) => t.narrow(0, i, 1).narrow(1, 0, n);
              const alone = model.forward({
                inputIds: row(inputs.inputIds),
                ...(inputs.tokenTypeIds === undefined ? {} : { tokenTypeIds: row(inputs.tokenTypeIds) }),
              }).lastHiddenState;
              const diff = alone.sub(row(padded)).abs().max().item() as number;
              assert.ok(diff < 1e-5, `row ${i}: ${diff}`);
              assert.ok(maxAbsDiff(alone.select(0, 0), c.unpadded[i] as TensorFixture) < 1e-5, `row ${i} against the reference`);
            });
          }),
        );
        model.dispose();
      });
    });
  }

  it('refuses what a family does not implement, naming the config.json key', () => {
    const distil = backboneFamily('distilbert');
    assert.throws(
      () => distil.configFromHf({ ...(cases.distilbert as FamilyCase).config, sinusoidal_pos_embds: true }),
      /sinusoidal_pos_embds/,
    );
    assert.throws(() => distil.configFromHf({ ...(cases.distilbert as FamilyCase).config, n_heads: 5 }), /config\.json: .*5/);
    const electra = backboneFamily('electra');
    assert.throws(() => electra.configFromHf({ ...(cases.electra as FamilyCase).config, embedding_size: 0 }), /embedding_size/);
    const roberta = backboneFamily('roberta');
    assert.throws(() => roberta.configFromHf({ ...(cases.roberta as FamilyCase).config, max_position_embeddings: 2 }), ConfigError);
  });

  it("RoBERTa takes no more tokens than its positions after the padding id (64 of the fixture's 66)", () => {
    const { model } = referenceBackbone('roberta');
    tidy(() => {
      const ids = (T: number) => fromFixture({ dtype: 'int64', shape: [1, T], data: Array.from({ length: T }, () => 5) });
      assert.deepEqual(model.forward({ inputIds: ids(64) }).lastHiddenState.shape, [1, 64, 32]);
      assert.throws(() => model.forward({ inputIds: ids(65) }), ShapeError);
    });
    model.dispose();
  });
});
