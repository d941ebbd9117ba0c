// training.precision: bf16 trains the tiny run (tests/train/trainer-fixture.ts) in autocast regions and
// ends near the float32 run: the same steps, data and seed, dev metrics within the stated tolerance.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { needsTinyRunData, tinyRun, tinyYaml, type RunFolder } from './trainer-fixture.js';

/** Dev-average tolerance between the bf16 and fp32 runs (a fraction: 0.05 = 5 points). */
const TOLERANCE = 0.05;

async function trainWith(run: RunFolder, precision: string): Promise<{ average: number; loss: number }> {
  const file = path.join(run.dir, `${precision}.yaml`);
  const training = `  max_steps: 24\n  batch_size: 16\n  learning_rate: 2.0e-3\n  warmup_steps: 3\n  task_schedule: joint\n  eval_every: 24\n  log_every: 24\n  precision: ${precision}`;
  writeFileSync(file, tinyYaml(path.join(run.dir, precision), { training }));
  const log = mock.method(console, 'log', () => undefined);
  try {
    assert.equal(await main(['train', file]), 0);
  } finally {
    log.mock.restore();
  }
  const records = readFileSync(path.join(run.dir, precision, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const evalRecord = records.find((r) => r.type === 'eval')!;
  const trainRecord = records.find((r) => r.type === 'train')!;
  return { average: (evalRecord.selection as { value: number }).value, loss: trainRecord.loss as number };
}

describe('training.precision', needsTinyRunData(), () => {
  let run: RunFolder;
  before(() => (run = tinyRun()));
  after(() => run.remove());

  it(`bf16 ends within ${TOLERANCE} of the fp32 run's dev average, with a training loss within 5 %`, async (t) => {
    const fp32 = await trainWith(run, 'fp32');
    const bf16 = await trainWith(run, 'bf16');
    t.diagnostic(
      `dev average fp32 ${fp32.average.toFixed(4)}, bf16 ${bf16.average.toFixed(4)}; loss fp32 ${fp32.loss.toFixed(4)}, bf16 ${bf16.loss.toFixed(4)}`,
    );
    assert.ok(Math.abs(bf16.average - fp32.average) <= TOLERANCE, `dev average fp32 ${fp32.average}, bf16 ${bf16.average}`);
    assert.ok(Math.abs(bf16.loss - fp32.loss) <= 0.05 * fp32.loss, `training loss fp32 ${fp32.loss}, bf16 ${bf16.loss}`);
    assert.notEqual(bf16.loss, fp32.loss, 'bf16 computes in another precision');
  });
});
