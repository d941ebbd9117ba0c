// training.grad_scaler in the training step, on the CPU in float32 (fp16 autocast needs CUDA; the
// scaler is device-independent): scaling by a power of two and unscaling is exact, so a scaled run ends
// with the weights of an unscaled one; a scale so large that the gradients overflow skips the step (the
// weights and AdamW's state as they were) and halves the scale; the scaler's state is saved in
// trainer_state.json and a resumed run continues it exactly.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { maxWeightDiff, needsTinyRunData, tinyRun, tinyYaml, type RunFolder } from './trainer-fixture.js';

/** AdamW at a constant rate (no warm-up unless `warmup` says), clipping at 1, every stream each step. */
function training(steps: number, extra: string, warmup = 0): string {
  return [
    `  max_steps: ${steps}`,
    '  batch_size: 8',
    '  task_schedule: joint',
    '  learning_rate: 2.0e-3',
    `  warmup_steps: ${warmup}`,
    '  schedule: constant',
    '  max_grad_norm: 1.0',
    '  eval_every: 100',
    '  log_every: 1',
    extra,
  ].join('\n');
}

type Json = Record<string, unknown>;
const trainerState = (run: RunFolder, name: string): Json =>
  JSON.parse(readFileSync(path.join(run.dir, name, 'last', 'trainer_state.json'), 'utf8')) as Json;
const trainRecords = (run: RunFolder, name: string): Json[] =>
  readFileSync(path.join(run.dir, name, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json)
    .filter((r) => r.type === 'train');

describe('training.grad_scaler (dynamic loss scaling in the training step)', needsTinyRunData(), () => {
  let run: RunFolder;
  before(() => (run = tinyRun()));
  after(() => run.remove());

  /** `intentWeight`: the intent task's loss weight (its gradients scale with it). */
  const config = (name: string, body: string, intentWeight?: string): string => {
    const file = path.join(run.dir, `${name}.yaml`);
    const label = intentWeight === undefined ? {} : { label: `weight: ${intentWeight}` };
    writeFileSync(file, tinyYaml(path.join(run.dir, name), { training: body, ...label }));
    return file;
  };
  const train = async (file: string, ...flags: string[]): Promise<void> => {
    const log = mock.method(console, 'log', () => undefined);
    try {
      assert.equal(await main(['train', file, ...flags]), 0);
    } finally {
      log.mock.restore();
    }
  };

  it('3 steps scaled by 2^16 (growing every 2 steps) end with the weights of the unscaled run, exactly', async () => {
    await train(config('plain', training(3, '')));
    await train(config('scaled', training(3, '  grad_scaler: { init_scale: 65536, growth_interval: 2 }')));
    assert.equal(maxWeightDiff(run, 'plain', 'scaled'), 0);
    // steps 1, 2 good: the scale doubles after the second; step 3 good: tracker 1 (torch's _amp_update_scale_)
    assert.deepEqual(trainerState(run, 'scaled').grad_scaler_state, {
      scale: 131072,
      growth_factor: 2,
      backoff_factor: 0.5,
      growth_interval: 2,
      _growth_tracker: 1,
    });
    assert.equal(trainerState(run, 'plain').grad_scaler_state, null);
    const records = trainRecords(run, 'scaled');
    assert.deepEqual(
      records.map((r) => [r.loss_scale, r.skipped_steps]),
      [
        [65536, 0],
        [131072, 0],
        [131072, 0],
      ],
    );
    assert.equal(trainRecords(run, 'plain')[0]!.loss_scale, undefined);
  });

  it('a step whose scaled gradients overflow is skipped: weights and optimizer state unchanged, scale halved', async () => {
    // float32's largest scale, and the intent loss weighted 10^6: every intent gradient above 10^-6
    // overflows (g × 10^6 × 3.4e38 > 3.4e38); the scale alone overflows none here (all are below 1)
    const huge = 3.4e38;
    await train(config('overflow', training(1, `  grad_scaler: { init_scale: ${huge} }`), '1.0e+6'));
    // the initial weights: a run whose only step has learning rate 0 (warm-up from 0; no decay at rate 0)
    await train(config('initial', training(1, '', 5), '1.0e+6'));
    await train(config('taken', training(1, ''), '1.0e+6')); // the same step, unscaled: the weights move
    assert.equal(maxWeightDiff(run, 'overflow', 'initial'), 0);
    assert.ok(maxWeightDiff(run, 'taken', 'initial') > 1e-4, 'the control step moves the weights');
    const state = trainerState(run, 'overflow');
    const optimizer = state.optimizer as { state: Json };
    assert.deepEqual(optimizer.state, {}, "AdamW's state is untouched: no moments, no step count");
    assert.ok(Object.keys((trainerState(run, 'taken').optimizer as { state: Json }).state).length > 0);
    assert.deepEqual(state.grad_scaler_state, {
      scale: Math.fround(Math.fround(huge) * 0.5),
      growth_factor: 2,
      backoff_factor: 0.5,
      growth_interval: 2000,
      _growth_tracker: 0,
    });
    assert.equal(state.global_step, 1, 'a skipped step still counts (as in PyTorch)');
    assert.deepEqual(
      trainRecords(run, 'overflow').map((r) => r.skipped_steps),
      [1],
    );
  });

  it('stopped after 2 steps and resumed to 4, the scaled run ends with the uninterrupted run’s weights and scale', async () => {
    const body = training(4, '  grad_scaler: { init_scale: 1024, growth_interval: 1 }');
    await train(config('straight', body));
    const resumed = config('resumed', body);
    await train(resumed, '--max-steps', '2');
    assert.equal((trainerState(run, 'resumed').grad_scaler_state as Json).scale, 4096);
    await train(resumed, '--resume');
    assert.equal(maxWeightDiff(run, 'straight', 'resumed'), 0);
    assert.deepEqual(trainerState(run, 'resumed').grad_scaler_state, trainerState(run, 'straight').grad_scaler_state);
    assert.equal((trainerState(run, 'straight').grad_scaler_state as Json).scale, 16384);
  });

  it('refuses settings torch refuses, and fp16 on the CPU with the reason', async () => {
    const refused = async (name: string, body: string): Promise<string> => {
      const { code, stderr } = await runCli('train', config(name, body));
      assert.equal(code, 1);
      return stderr;
    };
    assert.match(await refused('bad-growth', training(1, '  grad_scaler: { growth_factor: 1 }')), /growth_factor/);
    assert.match(await refused('fp16-cpu', training(1, '  precision: fp16')), /'fp16' needs a CUDA device.*bfloat16 only/);
  });
});
