/**
 * Many `kill -9`s during checkpoint writes (issue 17 item 7): `--trials` runs of ./kill-trial.ts, each
 * killed at a random moment (0–`--max-delay-ms` after its first checkpoint), on the tiny run's data.
 * Reports how many checkpoints failed to load and how many resumes failed (both must be 0), and the
 * steps reached. Needs the SNIPS and SST-2 data sets (../shared/datasets).
 * Usage: node --import tsx bench/faults/kill-checkpoint.ts [--trials 20] [--max-delay-ms 400] [--seed 1]
 */
import { parseArgs } from 'node:util';
import { mulberry32 } from '../../src/random.js';
import { tinyRun } from '../../tests/train/trainer-fixture.js';
import { killDuringCheckpoint } from './kill-trial.js';

const { values: a } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    'max-delay-ms': { type: 'string', default: '400' },
    seed: { type: 'string', default: '1' },
  },
});
const random = mulberry32(Number(a.seed));
const run = tinyRun();
let unloadable = 0;
let failedResumes = 0;
try {
  for (let i = 0; i < Number(a.trials); i++) {
    const delayMs = Math.floor(random() * Number(a['max-delay-ms']));
    try {
      const t = await killDuringCheckpoint(run, `kill-${i}`, delayMs);
      if (t.resumeCode !== 0) failedResumes++;
      console.log(
        `trial ${i + 1}: killed ${delayMs} ms after the first checkpoint; last/ at step ${t.step}${t.best ? ', best/ loaded' : ''}; resume exit ${t.resumeCode}${t.resumeCode === 0 ? '' : `: ${t.resumeError}`}`,
      );
    } catch (e) {
      unloadable++;
      console.log(
        `trial ${i + 1}: killed ${delayMs} ms after the first checkpoint; UNLOADABLE: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
} finally {
  run.remove();
}
console.log(`${a.trials} kill -9s: ${unloadable} unloadable checkpoints, ${failedResumes} failed resumes`);
process.exitCode = unloadable + failedResumes === 0 ? 0 : 1;
