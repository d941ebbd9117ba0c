// The run's device and what it asks of it (src/run/device.ts, src/run/gradient-checkpointing.ts):
// 'cpu' by default, CUDA refused with a message on a libtorch without it (this machine's) and checked
// against the device count, fp16 refused on the CPU (taken on CUDA), gradient checkpointing refused on CUDA and with
// per-task adapters; `mtl train --device` overrides the config and refuses a misspelt device.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { withOverrides } from '../../src/cli/train.js';
import { ConfigError } from '../../src/errors.js';
import { defineConfig, validateTrainingConfig, type TrainingConfig } from '../../src/io/config/index.js';
import { applyGradientCheckpointing } from '../../src/run/gradient-checkpointing.js';
import { checkTrainingDevice } from '../../src/run/device.js';
import type { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import { cudaDeviceCount } from '../../src/tensor/index.js';
import { taskTypes } from '../../src/tasks/index.js';
import { runCli } from '../helpers/cli.js';

function config(top: Record<string, unknown> = {}, training: Record<string, unknown> = {}): TrainingConfig {
  return validateTrainingConfig(
    defineConfig({
      output_dir: 'runs/device',
      encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64 },
      tokenizer: { train: { vocab_size: 100 } },
      tasks: [
        {
          name: 'topic',
          type: 'sequence-classification',
          data: { format: 'csv', path: 'x.csv' },
          input: { text: 'text' },
          label: { field: 'category' },
        },
      ],
      training: { max_steps: 3, ...training },
      ...top,
    } as Parameters<typeof defineConfig>[0]),
    { checkFiles: false, taskTypes },
  );
}
const refused = (fn: () => unknown, pattern: RegExp): void =>
  assert.throws(fn, (e: unknown) => e instanceof ConfigError && pattern.test(e.message));

describe('device', () => {
  it("is 'cpu' by default and in the config schema takes cpu, cuda and cuda:N only", () => {
    assert.equal(config().device, 'cpu');
    assert.equal(checkTrainingDevice(config()), 'cpu');
    assert.equal(config({ device: 'cuda:1' }).device, 'cuda:1');
    assert.throws(() => config({ device: 'gpu' }), /device/);
  });

  it('refuses CUDA on this libtorch, and an index past the devices libtorch sees', (t) => {
    refused(() => checkTrainingDevice(config({ device: 'cuda' }), 0), /linked libtorch has no CUDA device/);
    refused(() => checkTrainingDevice(config({ device: 'cuda:2' }), 2), /out of range/);
    assert.equal(checkTrainingDevice(config({ device: 'cuda:1' }), 2), 'cuda:1');
    if (cudaDeviceCount() > 0) return t.skip('this libtorch has CUDA');
    refused(() => checkTrainingDevice(config({ device: 'cuda' })), /no CUDA device/);
  });

  it('refuses fp16 on the CPU with the reason; takes it on CUDA (with the loss scaler)', () => {
    refused(() => checkTrainingDevice(config({}, { precision: 'fp16' })), /'fp16' needs a CUDA device.*bfloat16 only/);
    assert.equal(checkTrainingDevice(config({ device: 'cuda' }, { precision: 'fp16' }), 1), 'cuda');
    assert.equal(checkTrainingDevice(config({}, { precision: 'bf16' })), 'cpu');
  });

  it('refuses gradient checkpointing on CUDA', () => {
    refused(() => checkTrainingDevice(config({ device: 'cuda' }, { gradient_checkpointing: true }), 1), /CPU only/);
    assert.equal(checkTrainingDevice(config({}, { gradient_checkpointing: true })), 'cpu');
  });

  it('is overridden by --device, which is spelling-checked', () => {
    assert.equal(withOverrides(config(), undefined, undefined, 'cuda:0').device, 'cuda:0');
    refused(() => withOverrides(config(), undefined, undefined, 'gpu0'), /--device 'gpu0' is not a device/);
  });

  it('mtl train --device cuda stops before training with the message, on a libtorch without CUDA', async (t) => {
    if (cudaDeviceCount() > 0) return t.skip('this libtorch has CUDA');
    const dir = mkdtempSync(path.join(tmpdir(), 'mtl-device-'));
    try {
      writeFileSync(path.join(dir, 'x.csv'), 'text,category\na b,c\nd e,f\n');
      const yaml = `output_dir: out\ntokenizer: { train: { vocab_size: 50 } }\ntasks:\n  - { name: topic, type: sequence-classification, data: { format: csv, path: x.csv }, input: { text: text }, label: { field: category } }\ntraining: { max_steps: 1 }\n`;
      writeFileSync(path.join(dir, 'config.yaml'), yaml);
      const { code, stderr } = await runCli('train', path.join(dir, 'config.yaml'), '--device', 'cuda');
      assert.notEqual(code, 0);
      assert.match(stderr, /device 'cuda' asks for CUDA, but the linked libtorch has no CUDA device/);
      assert.equal(existsSync(path.join(dir, 'out')), false, 'nothing is written');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('applyGradientCheckpointing', () => {
  const model = (modelType: string, withSetter: boolean): { model: MultiTaskModel; calls: boolean[] } => {
    const calls: boolean[] = [];
    const backbone = { config: { modelType }, ...(withSetter ? { setGradientCheckpointing: (on: boolean) => calls.push(on) } : {}) };
    return { model: { backbone } as unknown as MultiTaskModel, calls };
  };

  it('turns it on in the backbone when asked, and leaves it alone otherwise', () => {
    const on = model('bert', true);
    applyGradientCheckpointing(on.model, config({}, { gradient_checkpointing: true }));
    assert.deepEqual(on.calls, [true]);
    const off = model('bert', true);
    applyGradientCheckpointing(off.model, config());
    assert.deepEqual(off.calls, []);
  });

  it('refuses a family without it and per-task adapters', () => {
    refused(
      () => applyGradientCheckpointing(model('gpt2', false).model, config({}, { gradient_checkpointing: true })),
      /not available for model_type 'gpt2'/,
    );
    const peft = { lora: { r: 4 }, per_task: true };
    refused(
      () => applyGradientCheckpointing(model('bert', true).model, config({ peft }, { gradient_checkpointing: true })),
      /per-task adapters/,
    );
    applyGradientCheckpointing(model('bert', true).model, config({ peft: { ...peft, per_task: false } }, { gradient_checkpointing: true }));
  });
});
