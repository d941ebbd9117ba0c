// Devices: names checked against what the linked libtorch has (a CPU-only build here: CUDA is refused
// with a message), fp16 refused on the CPU, and tensors of a structure moved onto another device. The
// moves are checked with libtorch's 'meta' device (shapes without data), the one other device a
// CPU-only libtorch has.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { Linear } from '../../src/nn/index.js';
import {
  checkDevice,
  checkPrecisionOnDevice,
  cudaDeviceCount,
  liveTensorCount,
  moveToDevice,
  tensor,
  tidy,
  type Tensor,
} from '../../src/tensor/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

const refused = (fn: () => unknown, pattern: RegExp): void =>
  assert.throws(fn, (e: unknown) => e instanceof ConfigError && pattern.test(e.message));

describe('checkDevice', () => {
  it("takes 'cpu' always", () => {
    assert.equal(checkDevice('cpu'), 'cpu');
    assert.equal(checkDevice('cpu', 'device', 0), 'cpu');
  });

  it('refuses a name that is no device, saying what is expected', () => {
    for (const name of ['gpu', 'CUDA', 'cuda:', 'cuda:x', 'cpu:0', 'mps', ''])
      refused(() => checkDevice(name, '--device', 1), /is not a device: expected 'cpu', 'cuda' or 'cuda:N'/);
  });

  it('refuses CUDA when libtorch sees no CUDA device, saying how to get one', () => {
    for (const name of ['cuda', 'cuda:0', 'cuda:3'])
      refused(() => checkDevice(name, 'device', 0), /asks for CUDA, but the linked libtorch has no CUDA device/);
  });

  it('refuses CUDA on this CPU-only libtorch (asked of the binding)', (t) => {
    if (cudaDeviceCount() > 0) return t.skip('this libtorch has CUDA');
    refused(() => checkDevice('cuda'), /no CUDA device/);
  });

  it('takes a CUDA index in range and refuses one past the last device', () => {
    assert.equal(checkDevice('cuda', 'device', 1), 'cuda');
    assert.equal(checkDevice('cuda:1', 'device', 2), 'cuda:1');
    refused(() => checkDevice('cuda:2', 'device', 2), /'cuda:2' is out of range: libtorch sees 2 CUDA devices \(cuda:0 … cuda:1\)/);
    refused(() => checkDevice('cuda:1', 'device', 1), /sees 1 CUDA device \(cuda:0 … cuda:0\)/);
  });
});

describe('checkPrecisionOnDevice', () => {
  it('refuses fp16 on the CPU (CPU autocast is bfloat16 only) and takes fp32 and bf16', () => {
    refused(() => checkPrecisionOnDevice('fp16', 'cpu'), /'fp16' needs a CUDA device.*bfloat16 only/);
    checkPrecisionOnDevice('fp32', 'cpu');
    checkPrecisionOnDevice('bf16', 'cpu');
    checkPrecisionOnDevice('fp16', 'cuda:0');
  });
});

describe('moveToDevice', () => {
  it('copies every tensor of a structure onto the device, disposes the originals, and shares the rest', () => {
    const before = liveTensorCount();
    const features = [{ inputIds: [1, 2] }];
    const batch = { inputs: { inputIds: tensor([[1, 2]]) }, batches: new Map([['a', { labels: tensor([0]), features }]]), n: 3 };
    const originals = [batch.inputs.inputIds, batch.batches.get('a')!.labels];
    const moved = moveToDevice(batch, 'meta');
    assert.equal(moved.inputs.inputIds.device, 'meta');
    assert.deepEqual(moved.inputs.inputIds.shape, [1, 2]);
    assert.equal(moved.batches.get('a')!.labels.device, 'meta');
    assert.equal(moved.batches.get('a')!.features, features, 'non-tensor values are shared');
    assert.equal(moved.n, 3);
    assert.ok(originals.every((t) => t.isDisposed));
    assert.equal(liveTensorCount(), before + 2);
    for (const t of [moved.inputs.inputIds, moved.batches.get('a')!.labels] as Tensor[]) t.dispose();
  });

  it('returns the structure itself when every tensor is on the device already', () => {
    tidy(() => {
      const batch = { inputIds: tensor([1]), rows: [tensor([2])] };
      assert.equal(moveToDevice(batch, 'cpu'), batch);
      assert.equal(batch.inputIds.isDisposed, false);
    });
  });
});

describe('Module.to_', () => {
  it('moves the parameters in place: the same Tensor objects, still requiring grad, on the device', () => {
    const layer = new Linear(3, 2);
    const before = liveTensorCount();
    const [weight, bias] = [layer.weight, layer.bias!];
    layer.bias!.requiresGrad = false;
    assert.equal(layer.to_('meta'), layer);
    assert.equal(layer.weight, weight);
    assert.equal(layer.bias, bias);
    assert.equal(weight.device, 'meta');
    assert.deepEqual(weight.shape, [2, 3]);
    assert.equal(weight.requiresGrad, true);
    assert.equal(bias.requiresGrad, false, 'a frozen parameter stays frozen');
    assert.equal(liveTensorCount(), before, 'the old tensors are released, no handle added');
    layer.dispose();
  });
});
