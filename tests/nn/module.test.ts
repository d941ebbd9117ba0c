import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { Dropout, LayerNorm, Linear, Module, ModuleList } from '../../src/nn/index.js';
import { dispose, liveTensorCount, tensor, tidy, zeros, type Tensor } from '../../src/tensor/index.js';

class Block extends Module {
  readonly dense: Linear;
  readonly norm: LayerNorm;
  readonly dropout: Dropout;
  constructor() {
    super();
    this.dense = this.registerModule('dense', new Linear(3, 2));
    this.norm = this.registerModule('LayerNorm', new LayerNorm(2));
    this.dropout = this.registerModule('dropout', new Dropout(0.5));
  }
}

class Net extends Module {
  readonly scale: Tensor;
  readonly layer: ModuleList<Block>;
  constructor() {
    super();
    this.scale = this.registerParameter('scale', zeros([1]));
    this.layer = this.registerModule('layer', new ModuleList([new Block(), new Block()]));
  }
}

const NET_KEYS = [
  'scale',
  'layer.0.dense.weight',
  'layer.0.dense.bias',
  'layer.0.LayerNorm.weight',
  'layer.0.LayerNorm.bias',
  'layer.1.dense.weight',
  'layer.1.dense.bias',
  'layer.1.LayerNorm.weight',
  'layer.1.LayerNorm.bias',
];

/** Copies of a module's state dict, shapes preserved (the caller disposes them). */
function copies(m: Module): Map<string, Tensor> {
  return new Map([...m.stateDict()].map(([k, t]) => [k, t.detach().clone()]));
}

describe('Module', () => {
  it('names parameters by dotted paths in registration order, as PyTorch', () => {
    const net = new Net();
    assert.deepEqual(
      net.namedParameters().map(([n]) => n),
      NET_KEYS,
    );
    assert.equal(net.parameters().length, NET_KEYS.length);
    assert.deepEqual([...net.stateDict().keys()], NET_KEYS);
    assert.equal(net.stateDict().get('layer.1.dense.weight'), net.layer.items[1]?.dense.weight);
    assert.deepEqual(
      net.namedChildren().map(([n]) => n),
      ['layer'],
    );
    assert.equal(net.layer.length, 2);
    net.dispose();
  });

  it('counts parameters, all or trainable only, and freezes with requiresGrad_', () => {
    const net = new Net();
    const total = 1 + 2 * (3 * 2 + 2 + 2 + 2);
    assert.equal(net.numParameters(), total);
    assert.ok(net.parameters().every((p) => p.requiresGrad));
    net.layer.items[0]?.requiresGrad_(false);
    assert.equal(net.numParameters({ trainableOnly: true }), total - 12);
    net.scale.requiresGrad = false;
    assert.equal(net.numParameters({ trainableOnly: true }), total - 13);
    net.requiresGrad_(true);
    assert.equal(net.numParameters({ trainableOnly: true }), total);
    net.dispose();
  });

  it('propagates train() and eval() to every descendant', () => {
    const net = new Net();
    assert.equal(net.training, true);
    net.eval();
    assert.ok([net, net.layer, ...net.layer.items, ...net.layer.items.map((b) => b.dropout)].every((m) => !m.training));
    net.train();
    assert.ok(net.layer.items.every((b) => b.dropout.training && b.dense.training));
    assert.equal(net.train(false), net);
    net.dispose();
  });

  it('keeps parameters out of tidy scopes and frees them in dispose()', () => {
    const baseline = liveTensorCount();
    const net = tidy(() => new Net());
    assert.equal(liveTensorCount(), baseline + NET_KEYS.length);
    assert.ok(!net.scale.isDisposed);
    net.dispose();
    net.dispose(); // idempotent
    assert.equal(liveTensorCount(), baseline);
    assert.ok(net.parameters().every((p) => p.isDisposed));
  });

  it('loads a state dict by name, without recording gradients, and reports nothing left over', () => {
    const [a, b] = [new Net(), new Net()];
    const state = copies(a);
    const result = b.loadStateDict(state);
    assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
    for (const [k, t] of b.stateDict()) {
      assert.deepEqual(t.toFlatArray(), a.stateDict().get(k)?.toFlatArray(), k);
      assert.ok(t.isLeaf && t.requiresGrad, `${k} is still a trainable leaf`);
    }
    dispose(state);
    a.dispose();
    b.dispose();
  });

  it('names missing and unexpected keys, and loads nothing when strict', () => {
    const net = new Net();
    const before = net.scale.toFlatArray();
    const state = copies(new Net());
    state.get('scale')?.fill_(7);
    const extra = tensor([1]);
    state.delete('layer.1.LayerNorm.bias');
    state.set('layer.2.dense.weight', extra);
    assert.throws(
      () => net.loadStateDict(state),
      (e: unknown) =>
        e instanceof CheckpointError &&
        e.message.includes("missing keys: 'layer.1.LayerNorm.bias'") &&
        e.message.includes("unexpected keys: 'layer.2.dense.weight'") &&
        e.message.includes('strict: false'),
    );
    assert.deepEqual(net.scale.toFlatArray(), before, 'a failed load changes nothing');
    const result = net.loadStateDict(state, { strict: false });
    assert.deepEqual(result, { missingKeys: ['layer.1.LayerNorm.bias'], unexpectedKeys: ['layer.2.dense.weight'] });
    assert.deepEqual(net.scale.toFlatArray(), [7]);
    dispose(state);
    net.dispose();
  });

  it('names the key and both shapes on a shape mismatch, strict or not', () => {
    const net = new Net();
    const state = copies(net);
    state.get('layer.0.dense.weight')?.dispose();
    state.set('layer.0.dense.weight', zeros([3, 2]));
    const message = "shape mismatch: 'layer.0.dense.weight' is [2, 3] in the model but [3, 2] in the state dict";
    assert.throws(
      () => net.loadStateDict(state),
      (e: unknown) => e instanceof CheckpointError && e.message.includes(message),
    );
    assert.throws(
      () => net.loadStateDict(state, { strict: false }),
      (e: unknown) => e instanceof CheckpointError && e.message.includes(message),
    );
    dispose(state);
    net.dispose();
  });

  it('rejects dotted, empty and duplicate registration names', () => {
    class Bad extends Module {
      constructor(name: string, twice = false) {
        super();
        this.registerModule(name, new Dropout(0));
        if (twice) this.registerModule(name, new Dropout(0));
      }
    }
    assert.throws(() => new Bad('a.b'), ConfigError);
    assert.throws(() => new Bad(''), ConfigError);
    assert.throws(() => new Bad('a', true), /'a' is already registered in Bad/);
  });
});
