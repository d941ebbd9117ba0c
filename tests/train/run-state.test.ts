import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CheckpointError } from '../../src/errors.js';
import { liveTensorCount } from '../../src/tensor/index.js';
import { train } from '../../src/train/trainer.js';
import { needsTinyRunData, tinyConfig, tinyRun, type RunFolder } from './trainer-fixture.js';

const baseline = liveTensorCount();
let run: RunFolder;
let copies = 0;

/** The tiny run with `steps` steps (accumulating 2 micro-batches per step), into `outputDir`. */
const config = (outputDir: string, steps: number) =>
  tinyConfig(run, outputDir, {
    training: `  max_steps: ${steps}\n  batch_size: 8\n  gradient_accumulation_steps: 2\n  eval_every: 100\n  log_every: 100`,
  });

/** A copy of the 3-step run whose last/trainer_state.json `edit` changed; returns its output folder. */
function edited(edit: (state: Record<string, unknown>) => void): string {
  const name = `edited-${copies++}`;
  cpSync(path.join(run.dir, 'base'), path.join(run.dir, name), { recursive: true });
  const file = path.join(run.dir, name, 'last', 'trainer_state.json');
  const state = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(state);
  writeFileSync(file, JSON.stringify(state));
  return name;
}

/** The message of the CheckpointError that resuming `name` for 5 steps throws. */
async function resumeError(name: string): Promise<string> {
  try {
    await train(config(name, 5), { resume: true });
  } catch (e) {
    assert.ok(e instanceof CheckpointError, String(e));
    return e.message;
  }
  assert.fail('the damaged trainer state was resumed');
}

/** The tiny run's SNIPS and SST-2 samples; every test of the run is skipped without them. */
const data = needsTinyRunData();
before(async () => {
  if (data.skip) return;
  run = tinyRun();
  await train(config('base', 3), {});
});

after(() => {
  if (data.skip) return;
  run.remove();
  assert.equal(liveTensorCount(), baseline, 'every tensor of the runs is freed');
});

describe('resume: trainer_state.json is checked against the run', data, () => {
  it("global_step: 1e9 is refused, naming the run's steps (was: 'completed after 1000000000 of 5 steps')", async () => {
    const name = edited((s) => (s.global_step = 1e9));
    assert.match(
      await resumeError(name),
      /trainer_state\.json: 'global_step' is 1000000000, past this run's 5 steps; expected a step from 0 to 5\. .*--max-steps larger than 1000000000/,
    );
  });

  it('a global_step within the steps that disagrees with the scheduler and generator positions is refused', async () => {
    assert.match(
      await resumeError(edited((s) => (s.global_step = 4))),
      /'scheduler_state' is .*; expected an object whose step is global_step \(4\)/,
    );
  });

  it("rng_state: 'garbage' is refused, naming the field and the expected generator state (was: accepted)", async () => {
    assert.match(
      await resumeError(edited((s) => (s.rng_state = 'garbage'))),
      /trainer_state\.json: 'rng_state' is "garbage"; expected the dropout generator's state \{ method, seed, next_micro_batch, collation \}, an object/,
    );
  });

  it('an rng_state with another seed or micro-batch position is refused', async () => {
    const seed = edited((s) => ((s.rng_state as Record<string, unknown>).seed = 8));
    assert.match(await resumeError(seed), /'rng_state\.seed' is 8; expected the run's seed \(7\)/);
    const next = edited((s) => ((s.rng_state as Record<string, unknown>).next_micro_batch = 5));
    assert.match(await resumeError(next), /'rng_state\.next_micro_batch' is 5; expected global_step × micro-batches per step = 6/);
  });

  it('an untouched trainer state resumes', async () => {
    const result = await train(
      config(
        edited(() => {}),
        5,
      ),
      { resume: true },
    );
    assert.equal(result.step, 5);
  });
});
