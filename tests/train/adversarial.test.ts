/**
 * `training.adversarial` in the trainer, on the tiny run of ./trainer-fixture.ts (BERT, intent +
 * slots over one stream, sentiment over another): every method trains, the log reports the clean
 * losses, the adversarial term changes the update, a task left out keeps its clean gradient, and no
 * tensor is left behind.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { readMetrics } from '../../src/io/checkpoint.js';
import { train } from '../../src/train/trainer.js';
import { tinyConfig, tinyRunForFile } from './trainer-fixture.js';

const { data, run } = tinyRunForFile();

const out = (name: string, ...rest: string[]) => path.join(run().dir, name, ...rest);
const training = (extra: string) =>
  `  max_steps: 3\n  batch_size: 8\n  learning_rate: 2.0e-3\n  sampler: { kind: uniform }\n  eval_every: 3\n  log_every: 1\n${extra}`;
/** The first logged step's task losses (`loss` is the objective trained: clean plus the adversarial term). */
const firstLosses = (dir: string) =>
  (readMetrics(out(dir, 'metrics.jsonl')).find((r) => r.type === 'train') as { task_losses: Record<string, number> }).task_losses;
const weights = (dir: string) => readFileSync(out(dir, 'last', 'model.safetensors'));

describe('train with training.adversarial', data, () => {
  before(async () => {
    if (data.skip) return;
    await train(tinyConfig(run(), 'clean', { training: training('') }));
  });

  for (const method of ['fgm', 'pgd', 'freelb', 'smart'] as const) {
    it(`${method}: trains, reports the clean loss, and changes the update`, async () => {
      // SMART's paper defaults (ε 1e-5) barely move 3 steps of a tiny model; a larger ball shows its term
      const settings = method === 'smart' ? '{ method: smart, epsilon: 0.5, step_size: 0.5, norm: l2 }' : `{ method: ${method} }`;
      const result = await train(tinyConfig(run(), method, { training: training(`  adversarial: ${settings}`) }));
      assert.equal(result.step, 3);
      const losses = firstLosses(method);
      assert.ok(Object.values(losses).every(Number.isFinite), `${method}: losses ${JSON.stringify(losses)}`);
      // the first step's clean pass is the baseline's own (same weights, batch and dropout masks), except FreeLB's, which starts at δ₀
      if (method !== 'freelb') assert.deepEqual(losses, firstLosses('clean'), `${method}: the log shows the clean task losses`);
      assert.ok(!weights(method).equals(weights('clean')), `${method}: the adversarial term changes the weights`);
    });
  }

  it('a task left out of training.adversarial.tasks trains as without it', async () => {
    // only sentiment is adversarial; with a sampler that alternates streams, step 0 trains intent + slots: clean
    const config = tinyConfig(run(), 'sentiment-only', {
      training: training('  max_steps: 1\n  adversarial: { method: fgm, tasks: [sentiment] }').replace('  max_steps: 3\n', ''),
    });
    const clean = tinyConfig(run(), 'clean-1', { training: training('  max_steps: 1').replace('  max_steps: 3\n', '') });
    await train(config);
    await train(clean);
    assert.ok(weights('sentiment-only').equals(weights('clean-1')), 'the step of the other stream is the clean step');
  });
});
