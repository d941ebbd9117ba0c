/**
 * kill -9 while `mtl train` writes checkpoints (issue 17 item 7): after each kill, last/ and best/
 * load and --resume continues the run. A few trials here; bench/faults/kill-checkpoint.ts runs many.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { killDuringCheckpoint } from '../../bench/faults/kill-trial.js';
import { needsTinyRunData, tinyRun, type RunFolder } from '../train/trainer-fixture.js';

const data = needsTinyRunData();
let run: RunFolder;
before(() => {
  if (!data.skip) run = tinyRun();
});
after(() => run?.remove());

describe('kill -9 during checkpoint writes', data, () => {
  for (const [i, delayMs] of [0, 90].entries()) {
    it(`trial ${i + 1}: killed ${delayMs} ms after the first checkpoint, last/ and best/ load and --resume continues`, async () => {
      const trial = await killDuringCheckpoint(run, `kill-${i}`, delayMs);
      assert.ok(trial.step >= 1, `the checkpoint's step: ${trial.step}`);
      assert.equal(trial.resumeCode, 0, trial.resumeError);
    });
  }
});
