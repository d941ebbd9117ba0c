/**
 * PEFT, MMoE and MultiTaskModel reach a backbone only through the Backbone contract
 * (src/models/backbone.ts): a small family written here, with names unlike BERT's (`blocks.N.q_lin`,
 * `attn`, `ffn`, base-model prefix `toy.`), gets LoRA, bottleneck adapters, an MMoE layer and task
 * heads, and saves and loads under its own Hugging Face names, with no BERT class involved.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type {
  Backbone,
  BackboneConfig,
  BackboneLayer,
  HfNaming,
  HfStateDictParts,
  ModelInputs,
  ModelOutput,
  ResidualBranch,
} from '../../src/models/backbone.js';
import { Dropout } from '../../src/nn/dropout.js';
import { Embedding } from '../../src/nn/embedding.js';
import { Linear } from '../../src/nn/linear.js';
import { Module, ModuleList } from '../../src/nn/module.js';
import { MMoE } from '../../src/mtl/mmoe.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import { addBottleneckAdapters, addLora, mergeLora, setActiveAdapter } from '../../src/mtl/peft/index.js';
import { taskSpec } from '../../src/tasks/index.js';
import { liveTensorCount, manualSeed, noGrad, relu, tensor, tidy, type Tensor } from '../../src/tensor/index.js';

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

const CONFIG: BackboneConfig = {
  modelType: 'toy',
  vocabSize: 11,
  hiddenSize: 8,
  numHiddenLayers: 2,
  numAttentionHeads: 2,
  intermediateSize: 16,
  hiddenAct: 'relu',
  hiddenDropoutProb: 0,
  initializerRange: 0.02,
  layerNormEps: 1e-12,
  maxPositionEmbeddings: 16,
  padTokenId: 0,
};

/** x + drop(out_lin(h)): a residual branch that ends in its dropout. */
class ToyBranch extends Module {
  readonly outLin: Linear;
  readonly drop: Dropout;
  constructor(inFeatures: number, H: number) {
    super();
    this.outLin = this.registerModule('out_lin', new Linear(inFeatures, H));
    this.drop = this.registerModule('drop', new Dropout(0));
  }
  forward(h: Tensor, residual: Tensor): Tensor {
    return tidy(() => this.drop.forward(this.outLin.forward(h)).add(residual));
  }
}

/** a = x + attn(relu(q_lin(x))); y = a + ffn(relu(ffn_in(a))). Not attention, but the contract's shape of a layer. */
class ToyLayer extends Module implements BackboneLayer {
  readonly qLin: Linear;
  readonly attn: ToyBranch;
  readonly ffnIn: Linear;
  readonly ffn: ToyBranch;
  constructor(c: BackboneConfig) {
    super();
    this.qLin = this.registerModule('q_lin', new Linear(c.hiddenSize, c.hiddenSize));
    this.attn = this.registerModule('attn', new ToyBranch(c.hiddenSize, c.hiddenSize));
    this.ffnIn = this.registerModule('ffn_in', new Linear(c.hiddenSize, c.intermediateSize));
    this.ffn = this.registerModule('ffn', new ToyBranch(c.intermediateSize, c.hiddenSize));
  }
  residualBranches(): { attention: ResidualBranch; feedForward: ResidualBranch } {
    const branch = (b: ToyBranch): ResidualBranch => ({ block: b, branchEnd: b.drop, projection: b.outLin });
    return { attention: branch(this.attn), feedForward: branch(this.ffn) };
  }
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const a = this.attn.forward(relu(this.qLin.forward(x)), x);
      return this.ffn.forward(relu(this.ffnIn.forward(a)), a);
    });
  }
}

const TOY_NAMES: HfNaming = {
  basePrefix: 'toy.',
  classPrefix: 'Toy',
  mlmHeadPrefix: undefined,
  tiedKeys: new Set(),
  splitStateDict(tensors: ReadonlyMap<string, Tensor>): HfStateDictParts {
    const parts: HfStateDictParts = { backbone: new Map(), rest: new Map(), ignored: [] };
    for (const [name, t] of tensors) {
      const key = name.startsWith('toy.') ? name.slice(4) : name;
      if (key.startsWith('word_embeddings.') || key.startsWith('blocks.')) parts.backbone.set(key, t);
      else parts.rest.set(name, t);
    }
    return parts;
  },
  toHf: (state, prefix = '') => new Map([...state].map(([k, t]) => [prefix + k, t])),
};

class ToyBackbone extends Module implements Backbone {
  readonly kind = 'encoder';
  readonly config = CONFIG;
  readonly hfNames = TOY_NAMES;
  readonly words: Embedding;
  readonly blocks: ModuleList<ToyLayer>;
  constructor() {
    super();
    this.words = this.registerModule('word_embeddings', new Embedding(CONFIG.vocabSize, CONFIG.hiddenSize, { initStd: 0.5 }));
    this.blocks = this.registerModule('blocks', new ModuleList([new ToyLayer(CONFIG), new ToyLayer(CONFIG)]));
  }
  forward(inputs: ModelInputs): ModelOutput {
    return tidy(() => {
      let h = this.words.forward(inputs.inputIds);
      for (const layer of this.blocks.items) h = layer.forward(h);
      return { lastHiddenState: h };
    });
  }
  inputEmbeddings(): Embedding {
    return this.words;
  }
  layers(): readonly ToyLayer[] {
    return this.blocks.items;
  }
  layerStack(): Module {
    return this.blocks;
  }
}

const inputIds = () => tensor([[1, 2, 3, 4]], { dtype: 'int64' });
const run = (b: Backbone): number[] =>
  tidy(() => noGrad(() => b.forward({ inputIds: inputIds() }).lastHiddenState.toFlatArray() as number[]));
const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('PEFT through the Backbone contract (a family that is not BERT)', () => {
  it('LoRA adapts the layers the family names, starts as the base, and merges to the same function', () => {
    manualSeed(1);
    using toy = new ToyBackbone();
    const base = run(toy);
    const { layers } = addLora(toy, { targets: 'q_lin', adapter: 'intent', r: 2, alpha: 4 });
    assert.deepEqual(layers, ['blocks.0.q_lin', 'blocks.1.q_lin']);
    assert.equal(maxDiff(run(toy), base), 0, 'B = 0: the adapted model starts as the base one');
    const b = toy.namedParameters().find(([n]) => n === 'blocks.0.q_lin.lora_B.intent.weight')![1];
    noGrad(() => b.fill_(0.3));
    const adapted = run(toy);
    assert.ok(maxDiff(adapted, base) > 1e-3, 'the update changes the output');
    mergeLora(toy, { adapter: 'intent', unload: true });
    assert.ok(maxDiff(run(toy), adapted) < 1e-5, 'merged = unmerged');
  });

  it('bottleneck adapters go at the residual branches the layers declare and start as the identity', () => {
    manualSeed(2);
    using toy = new ToyBackbone();
    const base = run(toy);
    const houlsby = addBottleneckAdapters(toy, { adapter: 'intent', placement: 'houlsby', bottleneckSize: 3 });
    assert.deepEqual(houlsby.sites, ['blocks.0.attn', 'blocks.0.ffn', 'blocks.1.attn', 'blocks.1.ffn']);
    addBottleneckAdapters(toy, { adapter: 'slots', placement: 'pfeiffer', bottleneckSize: 3, layers: 'blocks.1' });
    assert.ok(toy.namedParameters().some(([n]) => n === 'blocks.1.ffn.adapters.slots.adapter_up.weight'));
    setActiveAdapter(toy, 'intent');
    assert.equal(maxDiff(run(toy), base), 0, 'W_up = 0: a new adapter is the identity');
    const up = toy.namedParameters().find(([n]) => n === 'blocks.0.attn.adapters.intent.adapter_up.bias')![1];
    noGrad(() => up.fill_(0.5));
    assert.ok(maxDiff(run(toy), base) > 1e-3, 'a trained adapter changes the output');
    setActiveAdapter(toy, 'slots');
    assert.equal(maxDiff(run(toy), base), 0, "the other task's adapter is still the identity");
  });

  it('MultiTaskModel with an MMoE layer and per-task LoRA saves under the family names and loads back', () => {
    manualSeed(3);
    const specs = [
      taskSpec({ name: 'intent', kind: 'sequence-classification', labels: ['a', 'b', 'c'], options: { pooling: 'mean' } }),
      taskSpec({ name: 'slots', kind: 'token-classification', labels: ['O', 'B-x'] }),
    ];
    const build = () => {
      const model = MultiTaskModel.fromSpecs(new ToyBackbone(), specs);
      model.useMmoe(new MMoE({ inputSize: 8, tasks: ['intent', 'slots'], numExperts: 2, expertHiddenSize: 4 }));
      for (const name of ['intent', 'slots']) addLora(model.backbone, { targets: 'q_lin', adapter: name, r: 2, freezeBase: false });
      model.taskAdapters = true;
      return model.eval();
    };
    using a = build();
    using b = build();
    const saved = a.savedStateDict();
    assert.ok(saved.has('toy.blocks.mmoe.gates.intent.weight'), 'the MMoE layer sits under the layer stack');
    assert.ok(saved.has('toy.blocks.0.q_lin.lora_A.slots.weight'));
    assert.ok([...saved.keys()].every((k) => k.startsWith('toy.') || k.startsWith('heads.')));
    assert.deepEqual(b.loadSavedStateDict(saved), { missingKeys: [], unexpectedKeys: [] });
    const logits = (m: MultiTaskModel) =>
      tidy(() =>
        noGrad(() =>
          [
            ...m.forward({ inputIds: inputIds(), attentionMask: tensor([[1, 1, 1, 0]], { dtype: 'int64' }) }, ['intent', 'slots']).values(),
          ].map((t) => t.toFlatArray() as number[]),
        ),
      );
    const [la, lb] = [logits(a), logits(b)];
    la.forEach((x, i) => assert.ok(maxDiff(x, lb[i]!) < 1e-6, `task ${i}: same logits after loading`));
  });
});
