// training.gradient_checkpointing on the tiny run (tests/train/trainer-fixture.ts, dropout 0.1): the same
// steps, data and seed end with the weights of the run without it (within 1e-6): each encoder layer's
// activations are recomputed in backward, with the forward's dropout masks.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { loadSafetensors } from '../../src/io/safetensors-read.js';
import { needsTinyRunData, tinyRun, tinyYaml, type RunFolder } from './trainer-fixture.js';

async function trainWith(run: RunFolder, name: string, checkpointing: boolean): Promise<void> {
  const file = path.join(run.dir, `${name}.yaml`);
  const training = `  max_steps: 4\n  batch_size: 8\n  learning_rate: 2.0e-3\n  task_schedule: joint\n  eval_every: 4\n  log_every: 4\n  gradient_checkpointing: ${checkpointing}`;
  writeFileSync(file, tinyYaml(path.join(run.dir, name), { training }));
  const log = mock.method(console, 'log', () => undefined);
  try {
    assert.equal(await main(['train', file]), 0);
  } finally {
    log.mock.restore();
  }
}

describe('training.gradient_checkpointing', needsTinyRunData(), () => {
  let run: RunFolder;
  before(() => (run = tinyRun()));
  after(() => run.remove());

  it('ends with the weights of the run without it (within 1e-6)', async (t) => {
    await trainWith(run, 'plain', false);
    await trainWith(run, 'checkpointed', true);
    const load = (name: string) => loadSafetensors(path.join(run.dir, name, 'last', 'model.safetensors')).tensors;
    const [x, y] = [load('plain'), load('checkpointed')];
    let most = 0;
    try {
      assert.deepEqual([...x.keys()].sort(), [...y.keys()].sort());
      for (const [name, a] of x) {
        const d = a.sub(y.get(name)!).abs().max();
        most = Math.max(most, d.item() as number);
        d.dispose();
      }
    } finally {
      for (const a of [...x.values(), ...y.values()]) a.dispose();
    }
    t.diagnostic(`largest weight difference ${most}`);
    assert.ok(most <= 1e-6, `largest weight difference ${most}`);
  });
});
