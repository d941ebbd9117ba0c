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
      (e: unknown) => e instanceof ConfigError && /expected an optimizer name: adamw, sgd, adagrad, adafactor/.test(e.message),
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

describe('training.optimizer: adafactor', () => {
  const parseTraining = (training: string) =>
    parseTrainingConfig(tinyYaml('out', { training: `  max_steps: 2\n${training}` }), {
      source: '/tmp/optimizer.yaml',
      checkFiles: false,
      taskTypes,
    }).training;
  const refused = (training: string, pattern: RegExp) =>
    assert.throws(
      () => parseTraining(training),
      (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
    );

  it("defaults to Hugging Face Trainer's settings (the run's learning rate and schedule) and reads Hugging Face's names", () => {
    assert.deepEqual(parseTraining('  optimizer: adafactor').optimizer, {
      name: 'adafactor',
      eps: [1e-30, 1e-3],
      clipThreshold: 1,
      decayRate: -0.8,
      beta1: null,
      scaleParameter: false,
      relativeStep: false,
      warmupInit: false,
    });
    const t = parseTraining(
      '  optimizer: { name: adafactor, relative_step: true, scale_parameter: true, warmup_init: true, beta1: 0.9, clip_threshold: 2 }\n  schedule: constant',
    );
    assert.deepEqual(
      { ...t.optimizer },
      {
        name: 'adafactor',
        eps: [1e-30, 1e-3],
        clipThreshold: 2,
        decayRate: -0.8,
        beta1: 0.9,
        scaleParameter: true,
        relativeStep: true,
        warmupInit: true,
      },
    );
  });

  it('refuses relative_step beside a schedule, a warm-up or per-layer rates, and warmup_init without relative_step', () => {
    const rel = '  optimizer: { name: adafactor, relative_step: true }\n';
    refused(
      rel,
      /training\.schedule: .*relative_step: true sets its own step size min\(1e-2, 1\/√t\); a 'linear' schedule would not apply: set schedule: constant/,
    );
    refused(`${rel}  schedule: constant\n  warmup_steps: 10`, /training\.warmup_steps: .*remove the warm-up, or set relative_step: false/);
    refused(`${rel}  schedule: constant\n  warmup_ratio: 0.1`, /training\.warmup_ratio: /);
    refused(
      `${rel}  schedule: constant\n  encoder_learning_rate: 1.0e-5`,
      /training\.encoder_learning_rate: .*remove encoder_learning_rate/,
    );
    refused(
      '  optimizer: { name: adafactor, warmup_init: true }',
      /training\.optimizer\.warmup_init: warmup_init needs relative_step: true/,
    );
    refused('  optimizer: { name: adafactor, beta1: 1 }', /beta1/);
    assert.equal(parseTraining(`${rel}  schedule: constant\n  warmup_steps: 0`).optimizer.name, 'adafactor');
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

  it('saves Adafactor state (factored moments, first moment, settings) and resumes bit for bit', async () => {
    const training = SGD_TRAINING.replace(
      '{ name: sgd, momentum: 0.9, nesterov: true }',
      '{ name: adafactor, relative_step: true, scale_parameter: true, beta1: 0.9 }',
    ).replace('  warmup_steps: 2\n', '  schedule: constant\n');
    const full = await train(tinyConfig(run, 'adafactor-full', { training }));
    assert.equal(full.status, 'completed');
    {
      using ckpt = loadCheckpoint(out('adafactor-full', 'last'));
      const json = ckpt.trainerState?.optimizer as { optimizer: string; param_groups: Record<string, unknown>[] };
      assert.equal(json.optimizer, 'Adafactor');
      assert.equal(json.param_groups[0]?.relative_step, true);
      assert.equal(json.param_groups[0]?.beta1, 0.9);
      const names = Object.keys(ckpt.optimizerTensors ?? {});
      for (const kind of ['exp_avg', 'exp_avg_sq', 'exp_avg_sq_row', 'exp_avg_sq_col'])
        assert.ok(
          names.some((n) => n.endsWith(`.${kind}`)),
          `a tensor named *.${kind} among ${names.slice(0, 4).join(', ')}…`,
        );
    }
    const second = await interruptAndResume(tinyConfig(run, 'adafactor-resumed', { training }), 6);
    assert.equal(second.step, 10);
    assertSameFiles(out('adafactor-resumed', 'last'), out('adafactor-full', 'last'), ['model.safetensors', 'optimizer.safetensors']);
  });

  it('refuses to resume an SGD run as AdamW, naming the key', async () => {
    const adamw = tinyConfig(run, 'sgd-full', { training: SGD_TRAINING.replace('{ name: sgd, momentum: 0.9, nesterov: true }', 'adamw') });
    await assert.rejects(train(adamw, { resume: true }), /training\.optimizer\.name: "sgd" in the checkpoint, "adamw" now/);
  });
});
