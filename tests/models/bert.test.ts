import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, ShapeError } from '../../src/errors.js';
import {
  BERT_BASE,
  BertModel,
  bertConfig,
  bertConfigFromHf,
  bertConfigToHf,
  encoderKeyFromHf,
  splitHfStateDict,
  toHfStateDict,
  type BertConfig,
} from '../../src/models/bert/index.js';
import { dispose, grad, liveTensorCount, manualSeed, noGrad, ones, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertClose, fromFixture } from '../helpers/fixtures.js';
import { fixture, maxAbsDiff, referenceInputs, referenceModel } from './bert-fixture.js';

const TINY: Partial<BertConfig> = {
  vocabSize: 99,
  hiddenSize: 32,
  numHiddenLayers: 2,
  numAttentionHeads: 4,
  intermediateSize: 37,
  maxPositionEmbeddings: 64,
};
const tiny = () => bertConfig(TINY);
const ids = (rows: number[][]) => tensor(rows, { dtype: 'int64' });

/** The fixture's scalar loss: Σ hidden·Wh + Σ pooled·Wp. */
function referenceLoss(hidden: Tensor, pooled: Tensor): Tensor {
  return hidden
    .mul(fromFixture(fixture.loss.hidden_weight))
    .sum()
    .add(pooled.mul(fromFixture(fixture.loss.pooled_weight)).sum());
}

describe('BertModel shapes and names', () => {
  it('maps (B, T) ids to lastHiddenState (B, T, H) and pooledOutput (B, H)', () => {
    const model = new BertModel(tiny());
    tidy(() => {
      const out = model.forward({
        inputIds: ids([
          [1, 2, 3, 4, 5],
          [6, 7, 8, 0, 0],
        ]),
        attentionMask: ids([
          [1, 1, 1, 1, 1],
          [1, 1, 1, 0, 0],
        ]),
      });
      assert.deepEqual(out.lastHiddenState.shape, [2, 5, 32]);
      assert.deepEqual(out.pooledOutput?.shape, [2, 32]);
    });
    model.dispose();
  });

  it('has no pooler without addPoolingLayer', () => {
    const model = new BertModel(tiny(), { addPoolingLayer: false });
    assert.ok(!model.namedParameters().some(([n]) => n.startsWith('pooler.')));
    tidy(() => assert.equal(model.forward({ inputIds: ids([[1, 2]]) }).pooledOutput, undefined));
    model.dispose();
  });

  it("names parameters exactly as Hugging Face's BertModel, in the same order", () => {
    const model = new BertModel(bertConfigFromHf(fixture.config));
    assert.deepEqual(
      model.namedParameters().map(([n]) => n),
      fixture.param_names,
    );
    assert.equal(model.numParameters(), fixture.num_parameters);
    model.dispose();
  });

  it("initialises as Hugging Face's _init_weights: N(0, 0.02²) weights, zero biases and padding row, LayerNorm 1/0", () => {
    manualSeed(0);
    const model = new BertModel(bertConfig({ ...TINY, hiddenSize: 64, intermediateSize: 256 }));
    const p = model.stateDict();
    tidy(() => {
      const std = p.get('encoder.layer.0.intermediate.dense.weight')?.std().item() as number;
      assert.ok(Math.abs(std - 0.02) < 0.001, `std ${std}`);
      assert.ok((p.get('embeddings.word_embeddings.weight')?.select(0, 0).toFlatArray() as number[]).every((v) => v === 0));
      for (const [name, t] of p) {
        const values = t.toFlatArray() as number[];
        if (name.endsWith('LayerNorm.weight'))
          assert.ok(
            values.every((v) => v === 1),
            name,
          );
        else if (name.endsWith('bias'))
          assert.ok(
            values.every((v) => v === 0),
            name,
          );
      }
    });
    model.dispose();
  });
});

describe('BertModel matches the PyTorch reference (scripts/fixtures/bert.py)', () => {
  it('gives the same last hidden state and pooled output on a padded batch (eval mode)', () => {
    const model = referenceModel();
    tidy(() => {
      const out = model.forward(referenceInputs());
      assertClose(out.lastHiddenState, fixture.outputs.last_hidden_state, { atol: 1e-5, rtol: 1e-5, what: 'lastHiddenState' });
      assertClose(out.pooledOutput as Tensor, fixture.outputs.pooler_output, { atol: 1e-5, rtol: 1e-5, what: 'pooledOutput' });
    });
    model.dispose();
  });

  it('gives the same outputs without attentionMask and tokenTypeIds', () => {
    const model = referenceModel();
    tidy(() => {
      const out = noGrad(() => model.forward({ inputIds: referenceInputs().inputIds }));
      assertClose(out.lastHiddenState, fixture.outputs_default.last_hidden_state, { atol: 1e-5, rtol: 1e-5, what: 'lastHiddenState' });
      assertClose(out.pooledOutput as Tensor, fixture.outputs_default.pooler_output, { atol: 1e-5, rtol: 1e-5, what: 'pooledOutput' });
    });
    model.dispose();
  });

  it('gives the same gradients of a scalar loss', () => {
    const model = referenceModel();
    const params = model.stateDict();
    tidy(() => {
      const out = model.forward(referenceInputs());
      const loss = referenceLoss(out.lastHiddenState, out.pooledOutput as Tensor);
      assert.ok(Math.abs((loss.item() as number) - fixture.loss.value) <= 1e-4 * Math.abs(fixture.loss.value));
      const names = Object.keys(fixture.grads);
      const grads = grad(
        loss,
        names.map((n) => params.get(n) as Tensor),
      );
      names.forEach((n, i) => {
        const expected = fixture.grads[n]!;
        const scale = Math.max(...(expected.data as number[]).map(Math.abs));
        assert.ok(maxAbsDiff(grads[i] as Tensor, expected) <= 2e-6 * scale, `${n}: max |Δ| ${maxAbsDiff(grads[i] as Tensor, expected)}`);
      });
      // the padding token's row gets no gradient
      assert.ok((grads[0]?.select(0, 0).toFlatArray() as number[]).every((v) => v === 0));
    });
    model.dispose();
  });
});

describe('BertModel padding', () => {
  it('gives real tokens the same outputs padded in a batch as alone', () => {
    const model = referenceModel();
    const { lengths } = fixture.inputs;
    tidy(() => {
      const inputs = referenceInputs();
      const batch = model.forward(inputs);
      lengths.forEach((n, i) => {
        const row = (t: Tensor) => t.narrow(0, i, 1).narrow(1, 0, n); // (1, n)
        const alone = model.forward({ inputIds: row(inputs.inputIds), tokenTypeIds: row(inputs.tokenTypeIds) });
        const padded = batch.lastHiddenState.narrow(0, i, 1).narrow(1, 0, n);
        const diff = padded.sub(alone.lastHiddenState).abs().max().item() as number;
        assert.ok(diff <= 1e-5, `row ${i}: hidden states differ by ${diff}`); // a few ulps: GEMMs of other sizes sum in another order
        const pooledDiff = (batch.pooledOutput as Tensor)
          .narrow(0, i, 1)
          .sub(alone.pooledOutput as Tensor)
          .abs()
          .max()
          .item() as number;
        assert.ok(pooledDiff <= 1e-5, `row ${i}: pooled outputs differ by ${pooledDiff}`);
      });
    });
    model.dispose();
  });
});

describe('BertModel modes and memory', () => {
  it('applies dropout only in training mode', () => {
    const model = referenceModel();
    manualSeed(5);
    tidy(() => {
      const inputs = referenceInputs();
      const run = () => model.forward(inputs).lastHiddenState.toFlatArray();
      assert.deepEqual(run(), run(), 'eval mode is deterministic');
      model.train();
      assert.notDeepEqual(run(), run(), 'training mode draws dropout masks');
      model.eval();
      assertClose(model.forward(inputs).lastHiddenState, fixture.outputs.last_hidden_state, { atol: 1e-5, rtol: 1e-5 });
    });
    model.dispose();
  });

  it('returns to the baseline live-tensor count after forward and backward inside tidy', () => {
    const baseline = liveTensorCount();
    const model = referenceModel();
    const withModel = liveTensorCount();
    assert.equal(withModel - baseline, fixture.param_names.length);
    model.train();
    for (let step = 0; step < 2; step++) {
      tidy(() => {
        const out = model.forward(referenceInputs());
        referenceLoss(out.lastHiddenState, out.pooledOutput as Tensor).backward();
      });
      assert.equal(liveTensorCount(), withModel, `after step ${step}`);
    }
    tidy(() => {
      const g = model.embeddings.wordEmbeddings.weight.grad;
      assert.deepEqual(g?.shape, [99, 32]);
    });
    for (const p of model.parameters()) p.zeroGrad();
    model.dispose();
    assert.equal(liveTensorCount(), baseline);
  });

  it('leaves only its outputs after an inference forward', () => {
    const model = referenceModel();
    const inputs = referenceInputs();
    const before = liveTensorCount();
    const out = noGrad(() => model.forward(inputs));
    assert.equal(liveTensorCount(), before + 2);
    dispose(inputs);
    out.lastHiddenState.dispose();
    out.pooledOutput?.dispose();
    model.dispose();
  });

  it('rejects inputs of the wrong shape, dtype or length', () => {
    const model = new BertModel(tiny());
    tidy(() => {
      assert.throws(
        () => model.forward({ inputIds: ids([1, 2, 3] as unknown as number[][]) }),
        /inputIds must be \(B, T\), got shape \[3\]/,
      );
      assert.throws(() => model.forward({ inputIds: tensor([[1, 2]]) }), /inputIds must hold int64 token ids, got float32/);
      assert.throws(
        () => model.forward({ inputIds: ids([[1, 2]]), attentionMask: ids([[1, 1, 1]]) }),
        /attentionMask must have the shape of inputIds \[1, 2\], got \[1, 3\]/,
      );
      assert.throws(() => model.forward({ inputIds: ids([[1, 2]]), tokenTypeIds: ids([[0], [0]]) }), ShapeError);
      assert.throws(
        () => model.forward({ inputIds: ones([1, 65], { dtype: 'int64' }) }),
        /65 tokens, more than maxPositionEmbeddings \(64\)/,
      );
    });
    model.dispose();
  });
});

describe('BertConfig', () => {
  it('defaults to bert-base and validates with precise messages', () => {
    assert.deepEqual(bertConfig(), BERT_BASE);
    assert.throws(
      () => bertConfig({ hiddenSize: 768, numAttentionHeads: 5 }),
      /hidden size \(768\) is not a multiple of the number of attention heads \(5\)/,
    );
    assert.throws(() => bertConfig({ numHiddenLayers: 0 }), /numHiddenLayers must be a positive integer, got 0/);
    assert.throws(() => bertConfig({ hiddenDropoutProb: 1.5 }), /hiddenDropoutProb must be a probability in \[0, 1\), got 1.5/);
    assert.throws(
      () => bertConfig({ hiddenAct: 'swish' as never }),
      /hiddenAct must be one of gelu, gelu_new, gelu_pytorch_tanh, relu, got 'swish'/,
    );
    assert.throws(() => bertConfig({ layerNormEps: 0 }), /layerNormEps must be a finite number > 0/);
    assert.throws(
      () => bertConfig({ vocabSize: 10, padTokenId: 10 }),
      /padTokenId must be null or an integer in \[0, vocabSize = 10\), got 10/,
    );
    assert.equal(bertConfig({ padTokenId: null }).padTokenId, null);
  });

  it('rejects unknown keys, suggesting the nearest valid one', () => {
    assert.throws(() => bertConfig({ hidden_size: 32 } as never), /unknown BERT config key 'hidden_size'; did you mean 'hiddenSize'\?/);
    assert.throws(
      () => bertConfig({ numHeads: 4 } as never),
      (e: unknown) => e instanceof ConfigError && /did you mean 'numAttentionHeads'/.test(e.message),
    );
    assert.throws(() => bertConfig({ vocabSise: 4 } as never), /did you mean 'vocabSize'/);
  });

  it("round-trips through Hugging Face's config.json spelling", () => {
    const c = bertConfig({ ...TINY, hiddenAct: 'gelu_new', padTokenId: 1 });
    const json = bertConfigToHf(c);
    assert.equal(json.hidden_size, 32);
    assert.equal(json.num_attention_heads, 4);
    assert.equal(json.layer_norm_eps, 1e-12);
    assert.equal(json.model_type, 'bert');
    assert.deepEqual(bertConfigFromHf(JSON.parse(JSON.stringify(json)) as Record<string, unknown>), c);
    const fromFixtureConfig = bertConfigFromHf(fixture.config);
    const back = bertConfigToHf(fromFixtureConfig);
    for (const [k, v] of Object.entries(fixture.config)) assert.deepEqual(back[k], v, k);
  });

  it('reads config.json leniently about extra keys but strictly about values and architecture', () => {
    const hf = { ...bertConfigToHf(tiny()), architectures: ['BertForMaskedLM'], transformers_version: '4.40.0', id2label: { 0: 'a' } };
    assert.equal(bertConfigFromHf(hf).hiddenSize, 32);
    assert.equal(bertConfigFromHf({}).hiddenSize, 768, 'missing keys take the defaults');
    assert.throws(() => bertConfigFromHf({ ...hf, hidden_size: '32' }), /config.json: hidden_size must be a number, got "32"/);
    assert.throws(
      () => bertConfigFromHf({ ...hf, num_attention_heads: 5 }),
      /config.json: hidden size \(32\) is not a multiple of the number of attention heads \(5\)/,
    );
    assert.throws(
      () => bertConfigFromHf({ ...hf, num_hidden_layers: 1.5 }),
      /config.json: num_hidden_layers must be a positive integer, got 1.5/,
    );
    assert.throws(
      () => bertConfigFromHf({ ...hf, position_embedding_type: 'relative_key' }),
      /position_embedding_type = "relative_key", but this BERT encoder supports only "absolute"/,
    );
    assert.throws(() => bertConfigFromHf({ ...hf, model_type: 'roberta' }), ConfigError);
  });
});

describe('Hugging Face checkpoint names', () => {
  it("strips the task models' 'bert.' prefix and renames TensorFlow-era LayerNorm names", () => {
    assert.equal(encoderKeyFromHf('bert.encoder.layer.0.attention.self.query.weight'), 'encoder.layer.0.attention.self.query.weight');
    assert.equal(encoderKeyFromHf('pooler.dense.bias'), 'pooler.dense.bias');
    assert.equal(encoderKeyFromHf('bert.embeddings.LayerNorm.gamma'), 'embeddings.LayerNorm.weight');
    assert.equal(encoderKeyFromHf('bert.encoder.layer.1.output.LayerNorm.beta'), 'encoder.layer.1.output.LayerNorm.bias');
    assert.equal(encoderKeyFromHf('cls.predictions.bias'), undefined);
    assert.equal(encoderKeyFromHf('classifier.weight'), undefined);
  });

  it('splits a task checkpoint into encoder, heads and ignored buffers, and adds the prefix back', () => {
    const model = new BertModel(tiny());
    const prefixed = toHfStateDict(model.stateDict(), 'bert.');
    assert.ok([...prefixed.keys()].every((k) => k.startsWith('bert.')));
    const head = tensor([0]);
    const positionIds = tensor([0]);
    prefixed.set('classifier.weight', head);
    prefixed.set('bert.embeddings.position_ids', positionIds);
    const parts = splitHfStateDict(prefixed);
    assert.deepEqual([...parts.backbone.keys()], [...model.stateDict().keys()]);
    assert.deepEqual([...parts.rest.keys()], ['classifier.weight']);
    assert.deepEqual(parts.ignored, ['bert.embeddings.position_ids']);
    assert.deepEqual(model.loadStateDict(parts.backbone), { missingKeys: [], unexpectedKeys: [] });
    assert.throws(() => model.loadStateDict(prefixed), /unexpected keys: 'bert\.embeddings/);
    head.dispose();
    positionIds.dispose();
    model.dispose();
  });
});
