import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';
import { liveTensorCount } from '../../src/tensor/index.js';
import { train } from '../../src/train/trainer.js';
import { needsTinyRunData, tinyConfig, tinyRun, tinyYaml, type RunFolder } from './trainer-fixture.js';
import { assertSameFiles, interruptAndResume } from '../helpers/resume.js';

const SGD_TRAINING = `  max_steps: 10
  batch_size: 16
  learning_rate: 0.05
  weight_decay: 0.001
  warmup_steps: 2
  optimizer: { name: sgd, momentum: 0.9, nesterov: true }
  eval_every: 5
  log_every: 5
  early_stopping: { metric: average, patience: 50 }`;

describe('training.optimizer in the config', () => {
  const parse = (optimizer: string) =>
    parseTrainingConfig(tinyYaml('out', { training: `  max_steps: 2\n  optimizer: ${optimizer}` }), {
      source: '/tmp/optimizer.yaml',
      checkFiles: false,
      taskTypes,
    }).training.optimizer;

  it('defaults to AdamW with torch defaults, and takes a bare name or a name with settings', () => {
    assert.deepEqual(
      parseTrainingConfig(tinyYaml('out', { training: '  max_steps: 2' }), { source: '/tmp/o.yaml', checkFiles: false, taskTypes }).training
        .optimizer,
      {
        name: 'adamw',
        betas: [0.9, 0.999],
        eps: 1e-8,
        amsgrad: false,
      },
    );
    assert.deepEqual(parse('sgd'), { name: 'sgd', momentum: 0, dampening: 0, nesterov: false });
    assert.deepEqual(parse('{ name: adamw, betas: [0.9, 0.98], eps: 1.0e-6 }'), {
      name: 'adamw',
      betas: [0.9, 0.98],
      eps: 1e-6,
      amsgrad: false,
    });
  });

  it('refuses an unknown optimizer naming the known ones, and a setting of the other optimizer', () => {
    assert.throws(
      () => parse('adam'),
      (e: unknown) => e instanceof ConfigError && /expected an optimizer name: adamw, sgd, adagrad/.test(e.message),
    );
    assert.throws(
      () => parse('{ name: sgd, betas: [0.9, 0.99] }'),
      (e: unknown) => e instanceof ConfigError && /betas/.test(e.message),
    );
    assert.throws(
      () => parse('{ name: sgd, momentum: -1 }'),
      (e: unknown) => e instanceof ConfigError && /momentum/.test(e.message),
    );
  });
});

describe('training with SGD (Nesterov momentum)', needsTinyRunData(), () => {
  const baseline = liveTensorCount();
  let run: RunFolder;
  before(() => {
    run = tinyRun();
  });
  after(() => {
    run.remove();
    assert.equal(liveTensorCount(), baseline, 'every tensor of the runs is freed');
  });
  const out = (name: string, ...rest: string[]) => path.join(run.dir, name, ...rest);

  it('saves SGD state (momentum buffers, settings) and resumes bit for bit', async () => {
    const full = await train(tinyConfig(run, 'sgd-full', { training: SGD_TRAINING }));
    assert.equal(full.status, 'completed');
    {
      using ckpt = loadCheckpoint(out('sgd-full', 'last'));
      const json = ckpt.trainerState?.optimizer as { optimizer: string; param_groups: Record<string, unknown>[] };
      assert.equal(json.optimizer, 'SGD');
      assert.equal(json.param_groups[0]?.momentum, 0.9);
      assert.equal(json.param_groups[0]?.nesterov, true);
      assert.equal(json.param_groups[0]?.weight_decay, 0.001);
      assert.equal(json.param_groups[1]?.weight_decay, 0, 'biases and LayerNorm weights are not decayed');
      const names = Object.keys(ckpt.optimizerTensors ?? {});
      assert.ok(names.length > 0 && names.every((n) => n.endsWith('.momentum_buffer')), names.slice(0, 3).join(', '));
    }
    const second = await interruptAndResume(tinyConfig(run, 'sgd-resumed', { training: SGD_TRAINING }), 6);
    assert.equal(second.step, 10);
    assertSameFiles(out('sgd-resumed', 'last'), out('sgd-full', 'last'), ['model.safetensors', 'optimizer.safetensors']);
  });

  it('refuses to resume an SGD run as AdamW, naming the key', async () => {
    const adamw = tinyConfig(run, 'sgd-full', { training: SGD_TRAINING.replace('{ name: sgd, momentum: 0.9, nesterov: true }', 'adamw') });
    await assert.rejects(train(adamw, { resume: true }), /training\.optimizer\.name: "sgd" in the checkpoint, "adamw" now/);
  });
});
