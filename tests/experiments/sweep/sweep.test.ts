/**
 * `mtl sweep` end to end on the tiny run (trials of 2 and 4 steps as child processes): ASHA's
 * promotions, the files it writes, a second run that trains nothing, and a sweep killed with SIGKILL
 * that resumes without training its finished rungs again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadTrainingConfig } from '../../../src/io/config/index.js';
import { loadSweepConfig } from '../../../src/experiments/sweep/sweep-config.js';
import { sweep, type SweepResult } from '../../../src/experiments/sweep/sweep.js';
import type { SweepState } from '../../../src/experiments/sweep/state.js';
import { taskTypes } from '../../../src/tasks/index.js';
import { needsTinyRunData, tinyRun, tinyYaml, type RunFolder } from '../../train/trainer-fixture.js';

const data = needsTinyRunData();
let run: RunFolder;
let result: SweepResult;

const space = (outputDir: string, trials: number, parameter = 'training.learning_rate') => `output_dir: ${outputDir}
sampler: random
trials: ${trials}
seed: 3
asha: { min_steps: 2, reduction_factor: 2 }
parameters:
  ${parameter}: { type: log_uniform, low: 1.0e-3, high: 1.0e-2 }
  tasks.sentiment.weight: { type: choice, values: [0.5, 1] }
`;

const file = (name: string) => path.join(run.dir, name);
const stateOf = (dir: string) => JSON.parse(readFileSync(file(`${dir}/sweep_state.json`), 'utf8')) as SweepState;
const trialLog = (dir: string, id: number) => file(`${dir}/trials/${String(id).padStart(3, '0')}/train.log`);

before(async () => {
  if (data.skip) return;
  run = tinyRun();
  const training = '  max_steps: 4\n  batch_size: 16\n  learning_rate: 2.0e-3\n  eval_every: 2\n  log_every: 2';
  writeFileSync(run.configFile, tinyYaml('out', { training }));
  writeFileSync(file('space.yaml'), space('sw', 3));
  result = await sweep(run.configFile, file('space.yaml'));
});

after(() => {
  if (data.skip) return;
  run.remove();
});

describe('sweep', data, () => {
  it('trains each trial to rung 0 (2 steps) and promotes the best 1/η of rung 0 to 4 steps, as ASHA does when trials finish in order', () => {
    const trials = stateOf('sw').trials;
    assert.equal(trials.length, 3);
    const v = trials.map((t) => t.values[0]!);
    // trial 0 finishes alone (top ⌊1/2⌋ = none), trial 1 makes the top 1 of 2, trial 2 the top 1 of 3
    const promoted = new Set([v[1]! > v[0]! ? 1 : 0]);
    if (v[2]! > Math.max(v[0]!, v[1]!)) promoted.add(2);
    for (const t of trials) {
      assert.equal(t.values.length, promoted.has(t.id) ? 2 : 1, `trial ${t.id}: ${JSON.stringify(t)}`);
      assert.equal(t.status, promoted.has(t.id) ? 'completed' : 'paused');
      assert.equal(t.steps, promoted.has(t.id) ? 4 : 2);
      const config = loadTrainingConfig(file(`sw/trials/${String(t.id).padStart(3, '0')}/config.yaml`), { taskTypes });
      assert.equal(config.training.learningRate, t.point['training.learning_rate']);
      assert.equal(config.tasks.find((k) => k.name === 'sentiment')!.weight, t.point['tasks.sentiment.weight']);
      assert.equal(config.tokenizer?.path, file('sw/tokenizer.json'), 'one vocabulary for every trial');
    }
    assert.ok(result.finished);
  });

  it('writes the ranked table (Markdown, JSON) and the best config, which trains as the base with the best point', () => {
    const md = readFileSync(result.markdownFile, 'utf8');
    assert.match(
      md,
      /^\| rank \| trial \| training\.learning_rate \| tasks\.sentiment\.weight \| average @ 2 \| average @ 4 \| steps \| status \|/,
    );
    const json = JSON.parse(readFileSync(result.jsonFile, 'utf8')) as { best: number; trials: { id: number; values: number[] }[] };
    assert.equal(json.best, json.trials[0]!.id);
    assert.equal(json.trials[0]!.values.length, 2, 'the best trial reached the full budget');
    const ranked = json.trials.filter((t) => t.values.length === 2).map((t) => t.values[1]!);
    assert.deepEqual(
      ranked,
      [...ranked].sort((a, b) => b - a),
    );
    const best = loadTrainingConfig(result.bestConfigFile!, { taskTypes });
    assert.equal(best.training.learningRate, result.best!.point['training.learning_rate']);
    assert.equal(best.outputDir, file('out'));
    assert.equal(best.training.maxSteps, 4);
  });

  it('run again, trains nothing', async () => {
    const sizes = [0, 1, 2].map((id) => statSync(trialLog('sw', id)).size);
    const again = await sweep(run.configFile, file('space.yaml'));
    assert.deepEqual(
      [0, 1, 2].map((id) => statSync(trialLog('sw', id)).size),
      sizes,
    );
    assert.equal(again.best!.id, result.best!.id);
  });

  it('refuses a parameter the config cannot take, naming the nearest key', async () => {
    writeFileSync(file('bad.yaml'), space('bad', 2, 'training.learnin_rate'));
    await assert.rejects(loadSweepConfig(run.configFile, file('bad.yaml')), /learnin_rate.*did you mean 'learning_rate'/s);
    assert.ok(!existsSync(file('bad')), 'nothing written');
  });

  it('killed with SIGKILL while a trial trains, resumes without training finished rungs again', async () => {
    writeFileSync(file('kill.yaml'), space('sk', 2));
    const mtl = path.resolve(import.meta.dirname, '../../../bin/mtl.js');
    const child = spawn(process.execPath, [mtl, 'sweep', run.configFile, file('kill.yaml')], { detached: true, stdio: 'ignore' });
    const group = child.pid!;
    let killedAt: SweepState | undefined;
    for (let waited = 0; waited < 240_000 && killedAt === undefined; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      if (!existsSync(file('sk/sweep_state.json'))) continue;
      const s = stateOf('sk');
      if (s.trials[0]?.status === 'paused' && s.trials[1]?.status === 'running') {
        process.kill(-group, 'SIGKILL'); // the sweep and the trial it runs
        killedAt = s;
      }
    }
    assert.ok(killedAt !== undefined, 'the sweep reached its second trial');
    const alive = () => {
      try {
        process.kill(-group, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (alive()) await new Promise((r) => setTimeout(r, 50));
    const resumed = await sweep(run.configFile, file('kill.yaml'));
    assert.ok(resumed.finished);
    const trials = stateOf('sk').trials;
    assert.deepEqual(trials[0]!.values[0], killedAt.trials[0]!.values[0], 'trial 0 kept its rung-0 result');
    const pausedLines = (id: number) => [...readFileSync(trialLog('sk', id), 'utf8').matchAll(/^paused after 2 of 4 steps/gm)].length;
    assert.equal(pausedLines(0), 1, "trial 0's rung 0 was trained once");
    assert.equal(trials[1]!.values.length >= 1, true, 'the killed trial was trained again and finished its rung');
    assert.ok(
      trials.every((t) => t.status === 'paused' || t.status === 'completed'),
      JSON.stringify(trials),
    );
    assert.equal(trials.filter((t) => t.status === 'completed').length, 1, 'the better of the two went on to 4 steps');
  });
});
