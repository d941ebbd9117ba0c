/**
 * `training.meta` through the trainer: the tiny run (SNIPS intent + slots, SST-2) trains by FOMAML and
 * Reptile episodes, its parameters move, bf16 runs the episodes in autocast regions, and the joint task
 * schedule and settings an episode would leave out (or, a loss scaler, get wrong) are refused.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { maxWeightDiff, needsTinyRunData, tinyRun, tinyYaml, trainTiny, type RunFolder } from './trainer-fixture.js';

const training = (meta: string, schedule = 'alternating', extra = '') => `  max_steps: 3
  batch_size: 8
  learning_rate: 2.0e-3
  task_schedule: ${schedule}
  eval_every: 3
  log_every: 1
  meta: ${meta}${extra}`;

describe('training.meta', needsTinyRunData(), () => {
  let run: RunFolder;
  before(() => (run = tinyRun()));
  after(() => run?.remove());

  const trainWith = async (name: string, meta: string, schedule?: string, extra?: string) => {
    const config = path.join(run.dir, `${name}.yaml`);
    writeFileSync(config, tinyYaml('out', { training: training(meta, schedule, extra) }));
    return trainTiny({ ...run, configFile: config }, path.join(run.dir, name), 3);
  };

  for (const method of ['fomaml', 'reptile']) {
    it(`${method}: three episodes train, each logging its stream's loss, and a checkpoint is written`, async () => {
      const best = await trainWith(method, `{ method: ${method}, inner_steps: 2, inner_learning_rate: 0.05 }`);
      const log = readFileSync(path.join(run.dir, method, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n');
      type Row = { loss?: number; task_losses?: Record<string, number> };
      const steps = log.map((l) => JSON.parse(l) as Row).filter((r) => r.loss !== undefined && r.task_losses !== undefined);
      assert.equal(steps.length, 3, 'a log line per step');
      for (const r of steps) {
        assert.ok(Number.isFinite(r.loss) && r.loss! > 0);
        for (const name of Object.keys(r.task_losses!))
          assert.ok(['intent+slots', 'sentiment'].includes(name), `an episode's stream: ${name}`);
      }
      assert.ok(existsSync(path.join(best, 'model.safetensors')));
    });
  }

  const refusal = async (name: string, meta: string, schedule: string, extra = '') => {
    const config = path.join(run.dir, `${name}.yaml`);
    writeFileSync(config, tinyYaml('out', { training: training(meta, schedule, extra) }));
    const { code, stderr } = await runCli('train', config, '--output', path.join(run.dir, name), '--max-steps', '3');
    assert.equal(code, 1);
    return stderr;
  };

  it('the joint task schedule is refused: an episode adapts to one stream', async () => {
    assert.match(await refusal('joint', '{ method: reptile }', 'joint'), /training\.meta: an episode adapts to one stream/);
  });

  for (const [what, extra] of [
    ['word dropout', '\n  word_dropout: 0.1'],
    ['adversarial training', '\n  adversarial: { method: fgm }'],
    ['dwa loss weighting', '\n  weighting: { method: dwa }'],
  ] as const) {
    it(`${what} is refused rather than silently left out of the episodes`, async () => {
      const stderr = await refusal(what.replace(/ /g, '-'), '{ method: fomaml }', 'alternating', extra);
      assert.match(stderr, new RegExp(`training\\.meta cannot be combined with ${what}`));
    });
  }

  it('a loss scaler is refused: the inner SGD steps would take scaled gradients', async () => {
    const stderr = await refusal('scaler', '{ method: reptile }', 'alternating', '\n  grad_scaler: { init_scale: 1024 }');
    assert.match(stderr, /training\.meta cannot be combined with a loss scaler/);
  });

  it("bf16: the episodes' forward passes run in autocast regions, ending near the fp32 run", async (t) => {
    const meta = '{ method: fomaml, inner_steps: 2, inner_learning_rate: 0.05 }';
    await trainWith('meta-fp32', meta, 'alternating', '\n  precision: fp32');
    await trainWith('meta-bf16', meta, 'alternating', '\n  precision: bf16');
    const diff = maxWeightDiff(run, 'meta-fp32', 'meta-bf16');
    t.diagnostic(`largest weight difference bf16 vs fp32 after 3 episodes: ${diff}`);
    assert.ok(diff > 0, 'bf16 matmuls give other weights than float32 ones'); // 0 without autocast
    // 3 AdamW steps of about 2e-3 at most each, in opposite directions at worst: 1.2e-2 apart
    assert.ok(diff < 1.2e-2, `largest weight difference ${diff}`);
    const losses = (name: string) =>
      readFileSync(path.join(run.dir, name, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; loss?: number })
        .filter((r) => r.type === 'train')
        .map((r) => r.loss!);
    const [fp32, bf16] = [losses('meta-fp32'), losses('meta-bf16')];
    assert.equal(bf16.length, 3);
    bf16.forEach((l, i) => assert.ok(Math.abs(l - fp32[i]!) <= 0.05 * fp32[i]!, `episode ${i + 1}: loss fp32 ${fp32[i]}, bf16 ${l}`));
  });
});
