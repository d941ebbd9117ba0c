// `mtl train CONFIG --from DIR` names what is wrong with DIR: a folder that does not exist, or a run's
// output folder given instead of its best/ or last/ checkpoint (it said only that DIR "cannot be
// continued: it needs the training_config.yaml", with ENOENT's text).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CheckpointError } from '../../src/errors.js';
import { loadContinualConfig } from '../../src/train/continual-config.js';

describe('mtl train --from a folder that is not a checkpoint', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-from-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const config = path.join(dir, 'new-task.yaml');
  writeFileSync(config, 'output_dir: out\ntasks: []\n');

  it('a folder that does not exist', async () => {
    const absent = path.join(dir, 'nope');
    await assert.rejects(loadContinualConfig(config, absent), (e: unknown) => {
      assert.ok(e instanceof CheckpointError);
      assert.equal(e.message, `no checkpoint at ${absent}: the folder does not exist`);
      return true;
    });
  });

  it("a run's output folder: its best/ and last/ are named", async () => {
    const run = path.join(dir, 'run');
    for (const c of ['best', 'last']) {
      mkdirSync(path.join(run, c), { recursive: true });
      writeFileSync(path.join(run, c, 'tasks.json'), '{}');
    }
    await assert.rejects(loadContinualConfig(config, run), (e: unknown) => {
      assert.ok(e instanceof CheckpointError);
      assert.match(e.message, /is a training run's output folder: give .*run\/best \(or .*run\/last\)/);
      return true;
    });
  });
});
