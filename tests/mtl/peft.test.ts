import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { BertModel, bertConfig, type BertModel as BertModelType } from '../../src/models/bert/index.js';
import { Conv1D, Linear, Module } from '../../src/nn/index.js';
import { GPT2_FAMILY, gpt2Config } from '../../src/models/gpt2/index.js';
import {
  activeAdapters,
  addBottleneckAdapters,
  addLora,
  adapterNames,
  adapterStateDict,
  countParameters,
  deleteAdapter,
  formatCount,
  freeze,
  mergeLora,
  nameMatcher,
  parameterSummary,
  setActiveAdapter,
  unfreeze,
  unmergeLora,
  withAdapter,
} from '../../src/mtl/peft/index.js';
import { grad, liveTensorCount, manualSeed, noGrad, randn, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';
import { referenceInputs, referenceModel } from '../models/bert-fixture.js';

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

interface PeftFixture {
  base: { last_hidden_state: TensorFixture };
  lora: {
    adapters: Record<string, { r: number; alpha: number }>;
    weights: Record<string, TensorFixture>;
    last_hidden_state: Record<string, TensorFixture>;
  };
  bottleneck: {
    adapters: Record<string, { placement: 'houlsby' | 'pfeiffer'; bottleneck_size: number; activation: 'relu' | 'gelu' }>;
    weights: Record<string, TensorFixture>;
    last_hidden_state: Record<string, TensorFixture>;
  };
}
const fixture = loadFixture<PeftFixture>('peft');

/** The tiny BERT of the style guide (hidden 32, 2 layers, 4 heads, vocab 99), seeded, in eval mode. */
function tinyBert(seed = 0): BertModelType {
  manualSeed(seed);
  return new BertModel(
    bertConfig({
      vocabSize: 99,
      hiddenSize: 32,
      numHiddenLayers: 2,
      numAttentionHeads: 4,
      intermediateSize: 37,
      maxPositionEmbeddings: 64,
    }),
  ).eval();
}

/** lastHiddenState (B, T, H) of the fixture's padded batch, as a flat array. */
const hidden = (model: BertModelType): number[] => tidy(() => model.forward(referenceInputs()).lastHiddenState.toFlatArray() as number[]);

const maxDiff = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);

/** Loads fixture tensors into `model` by name; every name must be one of its parameters. */
function loadWeights(model: Module, weights: Record<string, TensorFixture>): void {
  const state = new Map(Object.entries(weights).map(([k, f]) => [k, fromFixture(f)]));
  try {
    const { unexpectedKeys } = model.loadStateDict(state, { strict: false });
    assert.deepEqual(unexpectedKeys, [], 'every fixture weight names a parameter of the model');
  } finally {
    for (const t of state.values()) t.dispose();
  }
}

/** Gives every parameter whose name matches `pattern` random values (0.3·N(0, 1)). */
function randomise(model: Module, pattern: RegExp): void {
  noGrad(() => {
    for (const [name, p] of model.namedParameters()) if (pattern.test(name)) tidy(() => p.copy_(randn(p.shape).mul(0.3)));
  });
}

const trainableNames = (m: Module): string[] =>
  m
    .namedParameters()
    .filter(([, p]) => p.requiresGrad)
    .map(([n]) => n);

describe('name patterns', () => {
  it('match globs of whole segments anywhere in the path', () => {
    const qv = nameMatcher('attention.self.query|value');
    assert.ok(qv('encoder.layer.0.attention.self.query'));
    assert.ok(qv('encoder.layer.1.attention.self.value.weight'));
    assert.ok(!qv('encoder.layer.0.attention.self.key'));
    assert.ok(!nameMatcher('query')('encoder.layer.0.attention.self.queryx'));
    assert.ok(nameMatcher('layer.*.output')('encoder.layer.1.output.dense.bias'));
    assert.ok(!nameMatcher('layer.*.output')('encoder.layer.1.attention.output.dense.bias'));
    assert.ok(nameMatcher('layer.**.dense')('encoder.layer.1.attention.output.dense.bias'));
    assert.ok(nameMatcher('Layer?orm')('embeddings.LayerNorm.weight'));
    assert.ok(nameMatcher('**')('anything.at.all'));
  });

  it('take RegExps (as given) and lists, and reject empty patterns', () => {
    assert.ok(nameMatcher(/\.bias$/)('pooler.dense.bias'));
    assert.ok(!nameMatcher(/^dense/)('pooler.dense.bias'));
    const either = nameMatcher(['pooler', /word_embeddings/]);
    assert.ok(
      either('embeddings.word_embeddings.weight') && either('pooler.dense.weight') && !either('encoder.layer.0.output.dense.weight'),
    );
    assert.throws(() => nameMatcher(''), ConfigError);
    assert.throws(() => nameMatcher('a..b'), ConfigError);
    assert.throws(() => nameMatcher([]), ConfigError);
  });
});

describe('freeze and count', () => {
  it('freezes and unfreezes by pattern, returning what matched', () => {
    const model = tinyBert();
    const { total } = countParameters(model);
    assert.equal(total, model.numParameters());
    // word 99·32 + position 64·32 + token type 2·32 + LayerNorm 2·32
    assert.deepEqual(freeze(model, 'embeddings'), { tensors: 5, parameters: 99 * 32 + 64 * 32 + 2 * 32 + 2 * 32 });
    assert.deepEqual(countParameters(model), { total, trainable: total - 5344 });
    assert.ok(trainableNames(model).every((n) => !n.startsWith('embeddings.')));
    // the embeddings' LayerNorm and two per layer (attention.output, output)
    assert.deepEqual(freeze(model, /LayerNorm\.bias$/), { tensors: 5, parameters: 5 * 32 });
    assert.deepEqual(unfreeze(model, 'embeddings|LayerNorm'), { tensors: 13, parameters: 5344 + 8 * 32 });
    assert.equal(countParameters(model).trainable, total);
    assert.deepEqual(freeze(model), { tensors: model.parameters().length, parameters: total });
    assert.equal(countParameters(model).trainable, 0);
    model.dispose();
  });

  it('refuses a pattern that matches nothing, naming what names look like', () => {
    const model = tinyBert();
    assert.throws(
      () => freeze(model, 'embedings'),
      (e: Error) => e instanceof ConfigError && /embeddings\.word_embeddings\.weight/.test(e.message),
    );
    model.dispose();
  });

  it('summarises trainable parameters on one line', () => {
    assert.deepEqual([formatCount(999), formatCount(1234), formatCount(11_300_000), formatCount(2.5e9)], ['999', '1.2K', '11.3M', '2.5B']);
    const layer = new Linear(1000, 1130);
    freeze(layer, 'weight');
    assert.equal(parameterSummary(layer), 'trainable 1.1K of 1.1M (0.10%)');
    unfreeze(layer);
    freeze(layer, 'bias');
    assert.equal(parameterSummary(layer), 'trainable 1.1M of 1.1M (99.9%)');
    layer.dispose();
  });
});

describe('LoRA', () => {
  it('leaves outputs exactly unchanged while B is zero, and trains only A and B', () => {
    const model = tinyBert();
    const before = hidden(model);
    const result = addLora(model, { targets: 'attention.self.query|value', adapter: 'intent', r: 4, alpha: 8 });
    assert.deepEqual(result.layers, [
      'encoder.layer.0.attention.self.query',
      'encoder.layer.0.attention.self.value',
      'encoder.layer.1.attention.self.query',
      'encoder.layer.1.attention.self.value',
    ]);
    assert.equal(result.parameters, 4 * 4 * (32 + 32)); // r·(in + out) per layer
    assert.deepEqual(hidden(model), before); // exactly: W·x + b + (α/r)·0
    assert.deepEqual(
      trainableNames(model),
      result.layers.flatMap((l) => [`${l}.lora_A.intent.weight`, `${l}.lora_B.intent.weight`]),
    );
    assert.deepEqual(countParameters(model).trainable, 1024);
    // the base weights keep their names, so a Hugging Face checkpoint still loads into the model
    assert.ok(model.stateDict().has('encoder.layer.0.attention.self.query.weight'));
    model.dispose();
  });

  it('sends gradients to A and B only (to A once B is non-zero)', () => {
    const model = tinyBert();
    addLora(model, { targets: 'query|value', r: 2 });
    const lora = model.namedParameters().filter(([n]) => n.includes('.lora_'));
    const query = model.stateDict().get('encoder.layer.0.attention.self.query.weight') as Tensor;
    assert.equal(query.requiresGrad, false);
    const gradNorms = () =>
      tidy(() => {
        const loss = model.forward(referenceInputs()).lastHiddenState.pow(2).sum();
        return grad(
          loss,
          lora.map(([, p]) => p),
        ).map((g) => (g as Tensor).abs().sum().item() as number);
      });
    let norms = gradNorms();
    lora.forEach(([n], i) => assert.ok(n.includes('lora_A') ? norms[i] === 0 : (norms[i] as number) > 0, `${n}: |grad| ${norms[i]}`));
    randomise(model, /lora_B/);
    norms = gradNorms();
    lora.forEach(([n], i) => assert.ok((norms[i] as number) > 0, `${n}: |grad| ${norms[i]}`));
    model.dispose();
  });

  it('counts r·(in + out) for every Linear a pattern picks, whatever its shape', () => {
    const model = tinyBert();
    const { layers, parameters } = addLora(model, { targets: 'dense', r: 2 });
    // per layer: attention.output.dense 32→32, intermediate.dense 32→37, output.dense 37→32; plus pooler.dense 32→32
    assert.equal(layers.length, 7);
    assert.equal(parameters, 2 * (2 * (64 + 69 + 69) + 64));
    assert.equal(countParameters(model).trainable, parameters);
    model.dispose();
  });

  it('matches PyTorch with two adapters of different rank, switched per forward pass', () => {
    const model = referenceModel();
    for (const [name, { r, alpha }] of Object.entries(fixture.lora.adapters))
      addLora(model, { targets: 'query|value', adapter: name, r, alpha });
    loadWeights(model, fixture.lora.weights);
    assert.deepEqual(adapterNames(model), ['intent', 'slots']);
    assert.deepEqual(activeAdapters(model), ['slots']); // the adapter added last
    const outputs = new Map<string, number[]>();
    for (const name of ['intent', 'slots']) {
      setActiveAdapter(model, name);
      tidy(() =>
        assertClose(model.forward(referenceInputs()).lastHiddenState, fixture.lora.last_hidden_state[name]!, { atol: 1e-5, what: name }),
      );
      outputs.set(name, hidden(model));
    }
    assert.ok(maxDiff(outputs.get('intent')!, outputs.get('slots')!) > 0.1, 'switching adapters changes the outputs');
    setActiveAdapter(model, null);
    tidy(() => assertClose(model.forward(referenceInputs()).lastHiddenState, fixture.base.last_hidden_state, { atol: 1e-5, what: 'none' }));
    assert.deepEqual(
      withAdapter(model, 'intent', () => hidden(model)),
      outputs.get('intent'),
    );
    assert.deepEqual(activeAdapters(model), [], 'withAdapter restores the previous choice');
    assert.throws(() => setActiveAdapter(model, 'sentiment'), /no adapter is called 'sentiment'; the model has adapters intent, slots/);
    model.dispose();
  });

  it('merges into the weights with the same outputs (1e-5), unmerges, and unloads for export', () => {
    const model = referenceModel();
    const baseState = new Map([...model.stateDict()].map(([k, t]) => [k, t.toFlatArray() as number[]]));
    for (const [name, { r, alpha }] of Object.entries(fixture.lora.adapters))
      addLora(model, { targets: 'query|value', adapter: name, r, alpha });
    loadWeights(model, fixture.lora.weights);
    setActiveAdapter(model, 'intent');
    const unmerged = hidden(model);

    assert.equal(mergeLora(model), 4);
    assert.ok(maxDiff(hidden(model), unmerged) <= 1e-5);
    assert.throws(() => setActiveAdapter(model, 'slots'), /'intent' is merged into the weight; call unmergeLora first/);
    assert.equal(unmergeLora(model), 4);
    assert.ok(maxDiff(hidden(model), unmerged) <= 1e-5);
    const query = model.stateDict().get('encoder.layer.0.attention.self.query.weight') as Tensor;
    assert.ok(maxDiff(query.toFlatArray() as number[], baseState.get('encoder.layer.0.attention.self.query.weight')!) <= 1e-6);

    assert.equal(mergeLora(model, { adapter: 'slots', unload: true }), 4);
    assert.deepEqual([...model.stateDict().keys()], [...baseState.keys()], 'only the base names are left');
    assert.deepEqual(adapterNames(model), []);
    const layer = model.encoder.layer.items[0]!.attention.self.query;
    assert.ok(!Object.prototype.hasOwnProperty.call(layer, 'forward'), 'the layer has its own forward back');
    tidy(() =>
      assertClose(model.forward(referenceInputs()).lastHiddenState, fixture.lora.last_hidden_state.slots!, {
        atol: 1e-5,
        what: 'merged slots',
      }),
    );
    model.dispose();
  });

  it('applies LoRA dropout to the adapter input in training mode only', () => {
    class Net extends Module {
      readonly proj: Linear;
      constructor() {
        super();
        this.proj = this.registerModule('proj', new Linear(16, 8));
      }
    }
    manualSeed(1);
    const net = new Net();
    addLora(net, { targets: 'proj', r: 4, alpha: 4, dropout: 0.5 });
    randomise(net, /lora_B/);
    tidy(() => {
      const x = randn([64, 16]);
      const run = () => net.proj.forward(x).toFlatArray() as number[];
      net.eval();
      const [e1, e2] = [run(), run()];
      assert.deepEqual(e1, e2);
      net.train();
      assert.ok(maxDiff(run(), run()) > 1e-3, 'dropout draws a new mask each call');
    });
    net.dispose();
  });

  it('refuses bad options and repeated adapters, changing nothing', () => {
    const model = tinyBert();
    assert.throws(
      () => addLora(model, { targets: 'qurey' }),
      /match no Linear or Conv1D layer of BertModel; its Linear and Conv1D layers are encoder.layer.0.attention.self.query/,
    );
    assert.throws(() => addLora(model, { targets: 'query', r: 0 }), ConfigError);
    assert.throws(() => addLora(model, { targets: 'query', alpha: -1 }), ConfigError);
    assert.throws(() => addLora(model, { targets: 'query', dropout: 1 }), ConfigError);
    assert.throws(() => addLora(model, { targets: 'query', adapter: 'a.b' }), ConfigError);
    assert.equal(countParameters(model).trainable, countParameters(model).total, 'nothing was frozen');
    addLora(model, { targets: 'query', adapter: 'intent' });
    const names = model.namedParameters().map(([n]) => n);
    assert.throws(() => addLora(model, { targets: 'query|value', adapter: 'intent' }), /already has a LoRA adapter 'intent'/);
    assert.deepEqual(
      model.namedParameters().map(([n]) => n),
      names,
    );
    model.dispose();
  });

  it('keeps named base parameters trainable, saves one adapter, and deletes adapters', () => {
    const model = tinyBert();
    addLora(model, { targets: 'query', adapter: 'intent', r: 2, trainable: 'pooler' });
    addLora(model, { targets: 'query', adapter: 'slots', r: 2, trainable: 'pooler' });
    assert.equal(countParameters(model).trainable, 2 * 2 * 2 * 64 + 32 * 32 + 32);
    assert.deepEqual(
      [...adapterStateDict(model, 'slots').keys()],
      [0, 1].flatMap((i) => [
        `encoder.layer.${i}.attention.self.query.lora_A.slots.weight`,
        `encoder.layer.${i}.attention.self.query.lora_B.slots.weight`,
      ]),
    );
    const before = liveTensorCount();
    assert.equal(deleteAdapter(model, 'slots'), 2);
    assert.equal(liveTensorCount(), before - 4, 'the deleted adapter is freed');
    assert.deepEqual(adapterNames(model), ['intent']);
    assert.ok(!model.namedParameters().some(([n]) => n.includes('.slots.')));
    model.dispose();
  });
});

describe('LoRA on GPT-2 Conv1D layers (weight (in, out), as PEFT with fan_in_fan_out)', () => {
  /** A module holding one Conv1D 3 → 4, named 'c_attn'. */
  class Holder extends Module {
    readonly cAttn = this.registerModule('c_attn', new Conv1D(3, 4, 0.02));
  }
  const W = [
    [0.1, -0.2, 0.3, 0.0],
    [0.5, 0.4, -0.1, 0.2],
    [-0.3, 0.1, 0.2, 0.6],
  ]; // (in 3, out 4)
  const bias = [0.01, 0.02, -0.03, 0.04];
  const A = [
    [1, 0, -1],
    [0.5, 2, 0],
  ]; // (r 2, in 3)
  const B = [
    [1, 0],
    [0, 1],
    [2, -1],
    [0.5, 0.5],
  ]; // (out 4, r 2)
  const x = [1, -2, 0.5];
  const scaling = 3 / 2; // alpha / r
  // by hand: y_j = Σ_i x_i W[i][j] + b_j + s · Σ_k B[j][k] Σ_i A[k][i] x_i
  const ax = A.map((row) => row.reduce((a, v, i) => a + v * x[i]!, 0)); // [0.5, -3.5]
  const want = bias.map((b, j) => W.reduce((a, row, i) => a + x[i]! * row[j]!, b) + scaling * B[j]!.reduce((a, v, k) => a + v * ax[k]!, 0));
  // merged: W'[i][j] = W[i][j] + s · Σ_k B[j][k] A[k][i]
  const merged = W.map((row, i) => row.map((w, j) => w + scaling * B[j]!.reduce((a, v, k) => a + v * A[k]![i]!, 0)));

  it('adds (α/r)·B·A·x to x·W + b, merges into W as (B·A)ᵀ, and unmerges', () => {
    const holder = new Holder();
    noGrad(() =>
      tidy(() => {
        holder.cAttn.weight.copy_(tensor(W));
        holder.cAttn.bias.copy_(tensor(bias));
      }),
    );
    const { layers, parameters } = addLora(holder, { targets: 'c_attn', r: 2, alpha: 3 });
    assert.deepEqual(layers, ['c_attn']);
    assert.equal(parameters, 2 * (3 + 4));
    const state = new Map([
      ['c_attn.lora_A.default.weight', tensor(A)],
      ['c_attn.lora_B.default.weight', tensor(B)],
    ]);
    holder.loadStateDict(state, { strict: false });
    for (const t of state.values()) t.dispose();
    const out = () => tidy(() => holder.cAttn.forward(tensor([x])).toFlatArray() as number[]);
    assert.ok(maxDiff(out(), want) < 1e-6, `${String(out())} vs ${String(want)}`);
    assert.equal(mergeLora(holder), 1);
    assert.ok(maxDiff(holder.cAttn.weight.toFlatArray() as number[], merged.flat()) < 1e-6, 'W + s·(B·A)ᵀ');
    assert.ok(maxDiff(out(), want) < 1e-6, 'merged: the same output');
    assert.equal(unmergeLora(holder), 1);
    assert.ok(maxDiff(holder.cAttn.weight.toFlatArray() as number[], W.flat()) < 1e-6, 'unmerged: W again');
    holder.dispose();
  });

  it("targets a GPT-2's c_attn in every block, leaving its logits unchanged while B is zero", () => {
    manualSeed(4);
    const gpt2 = GPT2_FAMILY.create(
      gpt2Config({
        vocabSize: 50,
        hiddenSize: 16,
        numHiddenLayers: 2,
        numAttentionHeads: 2,
        intermediateSize: 32,
        maxPositionEmbeddings: 16,
      }),
    );
    gpt2.eval();
    const inputs = { inputIds: tensor([[1, 5, 7, 9]], { dtype: 'int64' }), attentionMask: tensor([[1, 1, 1, 1]], { dtype: 'int64' }) };
    const before = tidy(() => gpt2.forward(inputs).lastHiddenState.toFlatArray() as number[]);
    const { layers } = addLora(gpt2, { targets: 'c_attn', r: 2 });
    assert.deepEqual(layers, ['h.0.attn.c_attn', 'h.1.attn.c_attn']);
    assert.deepEqual(
      tidy(() => gpt2.forward(inputs).lastHiddenState.toFlatArray() as number[]),
      before,
    );
    inputs.inputIds.dispose();
    inputs.attentionMask.dispose();
    gpt2.dispose();
  });
});

describe('bottleneck adapters', () => {
  it('is the identity with a zero up-projection', () => {
    const model = tinyBert();
    const before = hidden(model);
    const { sites, bottleneckSize } = addBottleneckAdapters(model, { adapter: 'intent', placement: 'houlsby', reductionFactor: 4 });
    assert.equal(bottleneckSize, 8);
    assert.deepEqual(sites, [
      'encoder.layer.0.attention.output',
      'encoder.layer.0.output',
      'encoder.layer.1.attention.output',
      'encoder.layer.1.output',
    ]);
    assert.deepEqual(hidden(model), before);
    model.dispose();
  });

  it('adds 2·H·m + m + H per site: four sites for Houlsby, two for Pfeiffer', () => {
    const perSite = 2 * 32 * 8 + 8 + 32; // down (m, H) + m, up (H, m) + H
    for (const [placement, sites] of [
      ['houlsby', 4],
      ['pfeiffer', 2],
    ] as const) {
      const model = tinyBert();
      const result = addBottleneckAdapters(model, { placement, bottleneckSize: 8 });
      assert.equal(result.parameters, sites * perSite, placement);
      assert.equal(countParameters(model).trainable, sites * perSite, placement);
      assert.ok(trainableNames(model).every((n) => /\.adapters\.default\.adapter_(down|up)\.(weight|bias)$/.test(n)));
      model.dispose();
    }
  });

  it('matches PyTorch in both placements, switched per forward pass', () => {
    const model = referenceModel();
    for (const [name, cfg] of Object.entries(fixture.bottleneck.adapters))
      addBottleneckAdapters(model, {
        adapter: name,
        placement: cfg.placement,
        bottleneckSize: cfg.bottleneck_size,
        activation: cfg.activation,
      });
    loadWeights(model, fixture.bottleneck.weights);
    assert.ok(model.stateDict().has('encoder.layer.1.attention.output.adapters.intent.adapter_up.bias'));
    assert.ok(!model.stateDict().has('encoder.layer.1.attention.output.adapters.slots.adapter_up.bias'), 'Pfeiffer: no attention adapter');
    for (const name of ['intent', 'slots']) {
      setActiveAdapter(model, name);
      tidy(() =>
        assertClose(model.forward(referenceInputs()).lastHiddenState, fixture.bottleneck.last_hidden_state[name]!, {
          atol: 1e-5,
          what: name,
        }),
      );
    }
    deleteAdapter(model, 'intent');
    deleteAdapter(model, 'slots');
    assert.ok(!Object.prototype.hasOwnProperty.call(model.encoder.layer.items[0]!.output.dropout, 'forward'), 'hooks removed');
    tidy(() =>
      assertClose(model.forward(referenceInputs()).lastHiddenState, fixture.base.last_hidden_state, { atol: 1e-5, what: 'removed' }),
    );
    model.dispose();
  });

  it('trains the up-projection from the start, the down-projection once up is non-zero', () => {
    const model = tinyBert();
    addBottleneckAdapters(model, { placement: 'pfeiffer', bottleneckSize: 4 });
    const params = model.namedParameters().filter(([, p]) => p.requiresGrad);
    const gradNorms = () =>
      tidy(() => {
        const loss = model.forward(referenceInputs()).lastHiddenState.pow(2).sum();
        return grad(
          loss,
          params.map(([, p]) => p),
        ).map((g) => (g as Tensor).abs().sum().item() as number);
      });
    let norms = gradNorms();
    params.forEach(([n], i) => assert.ok(n.includes('adapter_down.') ? norms[i] === 0 : (norms[i] as number) > 0, `${n}: ${norms[i]}`));
    randomise(model, /adapter_up\.weight/);
    norms = gradNorms();
    params.forEach(([n], i) => assert.ok((norms[i] as number) > 0, `${n}: ${norms[i]}`));
    model.dispose();
  });

  it('combines with LoRA in one model: each task activates its own kind', () => {
    const model = referenceModel();
    addLora(model, { targets: 'query|value', adapter: 'slots', r: 2, alpha: 6 });
    addBottleneckAdapters(model, { adapter: 'intent', placement: 'houlsby', bottleneckSize: 8 });
    const lora = Object.entries(fixture.lora.weights).filter(([k]) => k.includes('.slots.'));
    const bottleneck = Object.entries(fixture.bottleneck.weights).filter(([k]) => k.includes('.intent.'));
    loadWeights(model, Object.fromEntries([...lora, ...bottleneck]));
    setActiveAdapter(model, 'slots'); // LoRA on, bottleneck adapters off
    tidy(() => assertClose(model.forward(referenceInputs()).lastHiddenState, fixture.lora.last_hidden_state.slots!, { atol: 1e-5 }));
    setActiveAdapter(model, 'intent'); // bottleneck adapters on, LoRA off
    tidy(() => assertClose(model.forward(referenceInputs()).lastHiddenState, fixture.bottleneck.last_hidden_state.intent!, { atol: 1e-5 }));
    model.dispose();
  });

  it('refuses a module without backbone layers and repeated adapters', () => {
    const layer = new Linear(4, 4);
    assert.throws(() => addBottleneckAdapters(layer), /Linear has no backbone layer; it has none/);
    layer.dispose();
    const model = tinyBert();
    assert.throws(
      () => addBottleneckAdapters(model, { layers: 'layer.7' }),
      /no backbone layer matching 'layer.7'; its layers are encoder.layer.0, encoder.layer.1/,
    );
    addBottleneckAdapters(model, { layers: 'layer.1', placement: 'pfeiffer' });
    const count = liveTensorCount();
    assert.throws(() => addBottleneckAdapters(model, { placement: 'houlsby' }), /encoder.layer.1.output already has an adapter 'default'/);
    assert.equal(liveTensorCount(), count, 'the adapters made before the refusal are freed');
    model.dispose();
  });
});
