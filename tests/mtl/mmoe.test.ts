import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { MMoE, type MmoeConfig } from '../../src/mtl/mmoe.js';
import { Module } from '../../src/nn/index.js';
import { grad, liveTensorCount, manualSeed, randn, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

interface Case {
  x: TensorFixture;
  outputs: Record<string, TensorFixture>;
  gates: Record<string, TensorFixture>;
}
interface MmoeFixture {
  config: { input_size: number; tasks: string[]; num_experts: number; expert_hidden_size: number; output_size: number };
  weights: Record<string, TensorFixture>;
  pooled: Case;
  tokens: Case;
}
const fixture = loadFixture<{ mmoe: MmoeFixture }>('peft').mmoe;

const TINY: MmoeConfig = { inputSize: 32, tasks: ['intent', 'slots', 'sentiment'], numExperts: 4, expertHiddenSize: 16 };

function tiny(config: Partial<MmoeConfig> = {}): MMoE {
  manualSeed(0);
  return new MMoE({ ...TINY, ...config });
}

describe('MMoE', () => {
  it('maps pooled (B, H) and token-level (B, T, H) inputs to one (…, D) output per task', () => {
    const mmoe = tiny({ outputSize: 24 });
    tidy(() => {
      const pooled = mmoe.forward(randn([5, 32]));
      assert.deepEqual([...pooled.keys()], ['intent', 'slots', 'sentiment']);
      for (const y of pooled.values()) assert.deepEqual(y.shape, [5, 24]);
      const tokens = mmoe.forward(randn([5, 7, 32]), ['slots']);
      assert.deepEqual([...tokens.keys()], ['slots']);
      assert.deepEqual(tokens.get('slots')?.shape, [5, 7, 24]);
    });
    mmoe.dispose();
  });

  it('has gates that are distributions over the experts, different per task', () => {
    const mmoe = tiny();
    tidy(() => {
      const { gates } = mmoe.forwardWithGates(randn([3, 6, 32]));
      for (const g of gates.values()) {
        assert.deepEqual(g.shape, [3, 6, 4]);
        const sums = g.sum(-1).toFlatArray() as number[];
        assert.ok(sums.every((s) => Math.abs(s - 1) < 1e-6));
        assert.ok((g.toFlatArray() as number[]).every((p) => p > 0));
      }
      const diff = gates.get('intent')!.sub(gates.get('slots')!).abs().max().item() as number;
      assert.ok(diff > 1e-3);
    });
    mmoe.dispose();
  });

  it('names its parameters experts.<i>.fc1/fc2 and gates.<task>, under mmoe. in a model', () => {
    const mmoe = tiny();
    const names = mmoe.namedParameters().map(([n]) => n);
    assert.deepEqual(names.slice(0, 4), ['experts.0.fc1.weight', 'experts.0.fc1.bias', 'experts.0.fc2.weight', 'experts.0.fc2.bias']);
    assert.deepEqual(names.slice(-3), ['gates.intent.weight', 'gates.slots.weight', 'gates.sentiment.weight']);
    // E·(H·h + h + h·D + D) + K·E·H
    assert.equal(mmoe.numParameters(), 4 * (32 * 16 + 16 + 16 * 32 + 32) + 3 * 4 * 32);
    class Shared extends Module {
      constructor(readonly mmoe: MMoE) {
        super();
        this.registerModule('mmoe', mmoe);
      }
    }
    const model = new Shared(mmoe);
    assert.ok(model.namedParameters().every(([n]) => n.startsWith('mmoe.')));
    model.dispose();
  });

  it('equals the PyTorch reference on fixed weights', () => {
    const c = fixture.config;
    const mmoe = new MMoE({
      inputSize: c.input_size,
      tasks: c.tasks,
      numExperts: c.num_experts,
      expertHiddenSize: c.expert_hidden_size,
      outputSize: c.output_size,
    });
    const state = new Map(Object.entries(fixture.weights).map(([k, f]) => [k, fromFixture(f)]));
    mmoe.loadStateDict(state); // strict: the names are torch's too
    for (const t of state.values()) t.dispose();
    for (const [what, ref] of [
      ['pooled', fixture.pooled],
      ['tokens', fixture.tokens],
    ] as const) {
      tidy(() => {
        const { outputs, gates } = mmoe.forwardWithGates(fromFixture(ref.x));
        for (const task of c.tasks) {
          assertClose(outputs.get(task)!, ref.outputs[task]!, { atol: 1e-5, what: `${what} ${task} output` });
          assertClose(gates.get(task)!, ref.gates[task]!, { atol: 1e-6, what: `${what} ${task} gate` });
        }
      });
    }
    mmoe.dispose();
  });

  it('with one expert, passes that expert through for every task', () => {
    const mmoe = tiny({ numExperts: 1 });
    tidy(() => {
      const x = randn([2, 32]);
      const expert = mmoe.experts.items[0]!.forward(x).toFlatArray();
      for (const y of mmoe.forward(x).values()) assert.deepEqual(y.toFlatArray(), expert);
    });
    mmoe.dispose();
  });

  it('sends each task loss to its own gate and to the experts', () => {
    const mmoe = tiny();
    tidy(() => {
      const out = mmoe.forward(randn([4, 32]), ['intent']);
      const params = mmoe.namedParameters();
      const grads = grad(
        out.get('intent')!.pow(2).sum(),
        params.map(([, p]) => p),
        { allowUnused: true },
      );
      params.forEach(([name], i) => {
        const g = grads[i] as Tensor | undefined;
        if (name.startsWith('gates.') && name !== 'gates.intent.weight') assert.equal(g, undefined, name);
        else assert.ok(g !== undefined && (g.abs().sum().item() as number) > 0, name);
      });
    });
    mmoe.dispose();
  });

  it('refuses bad configs, inputs and tasks', () => {
    assert.throws(() => new MMoE({ ...TINY, numExperts: 0 }), ConfigError);
    assert.throws(() => new MMoE({ ...TINY, tasks: [] }), ConfigError);
    assert.throws(() => new MMoE({ ...TINY, tasks: ['a', 'a'] }), /unique/);
    const mmoe = tiny();
    tidy(() => {
      assert.throws(() => mmoe.forward(randn([2, 31])), ShapeError);
      assert.throws(() => mmoe.forward(randn([32])), /MMoE input must be \(B, 32\) or \(B, T, 32\), got \[32\]/);
      assert.throws(() => mmoe.forward(randn([2, 32]), ['ner']), /no gate for task 'ner'; its tasks are intent, slots, sentiment/);
    });
    mmoe.dispose();
  });
});
