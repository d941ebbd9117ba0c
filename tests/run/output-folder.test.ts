import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { ConfigError } from '../../src/errors.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { liveTensorCount } from '../../src/tensor/index.js';
import { train } from '../../src/train/trainer.js';
import { needsTinyRunData, tinyConfig, tinyRun, type RunFolder } from '../train/trainer-fixture.js';

const baseline = liveTensorCount();
let run: RunFolder;

/** A short run: `steps` steps, evaluated and saved at the end only. */
const shortRun = (outputDir: string, steps: number, seed = 7) => ({
  ...tinyConfig(run, outputDir, { training: `  max_steps: ${steps}\n  batch_size: 8\n  eval_every: 100\n  log_every: 100` }),
  seed,
});
const file = (...parts: string[]) => path.join(run.dir, ...parts);
const stepOf = (dir: string): number | undefined => {
  using ckpt = loadCheckpoint(dir);
  return ckpt.trainerState?.step;
};

/** The tiny run's SNIPS and SST-2 samples; every test of the run is skipped without them. */
const data = needsTinyRunData();
before(async () => {
  if (data.skip) return;
  run = tinyRun();
  await train(shortRun('earlier', 3), {});
});

after(() => {
  if (data.skip) return;
  run.remove();
  assert.equal(liveTensorCount(), baseline, 'every tensor of the runs is freed');
});

describe('output folder: a run is never destroyed by a forgotten flag', data, () => {
  it('a new run without --resume or --overwrite in a folder that holds a run is refused, naming both, and deletes nothing', async () => {
    const before = readFileSync(file('earlier', 'last', 'model.safetensors'));
    await assert.rejects(train(shortRun('earlier', 2), {}), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /already holds a run \(best\/ and last\/\); nothing was changed/);
      assert.match(e.message, /--resume/);
      assert.match(e.message, /--overwrite/);
      return true;
    });
    assert.ok(readFileSync(file('earlier', 'last', 'model.safetensors')).equals(before), 'last/ is untouched');
    assert.equal(stepOf(file('earlier', 'best')), 3);
    assert.ok(existsSync(file('earlier', 'test_metrics.json')));
  });

  it('--overwrite keeps the earlier checkpoints until the new run has written its first, then leaves only the new run', async () => {
    await train(shortRun('replaced', 3), {});
    const seen: Array<{ step: number; last: number | undefined; best: boolean; test: boolean }> = [];
    const result = await train(shortRun('replaced', 2, 8), {
      overwrite: true,
      onProgress: (p) =>
        seen.push({
          step: p.step,
          last: stepOf(file('replaced', 'last')),
          best: existsSync(file('replaced', 'best')),
          test: existsSync(file('replaced', 'test_metrics.json')),
        }),
    });
    assert.deepEqual(seen, [
      { step: 1, last: 3, best: true, test: true },
      { step: 2, last: 3, best: true, test: true },
    ]);
    assert.equal(result.status, 'completed');
    assert.equal(stepOf(file('replaced', 'last')), 2);
    assert.equal(stepOf(file('replaced', 'best')), 2);
    const saved = JSON.parse(readFileSync(file('replaced', 'test_metrics.json'), 'utf8')) as { step: number };
    assert.equal(saved.step, 2);
    using ckpt = loadCheckpoint(file('replaced', 'last'));
    assert.match(ckpt.trainingConfig ?? '', /seed: 8/);
  });

  it('--overwrite whose run crashes before its first checkpoint leaves the earlier run whole and resumable', async () => {
    const crash = () => {
      throw new Error('crashed at step 1');
    };
    await assert.rejects(train(shortRun('earlier', 2, 9), { overwrite: true, onProgress: crash }), /crashed at step 1/);
    assert.equal(stepOf(file('earlier', 'last')), 3);
    assert.equal(stepOf(file('earlier', 'best')), 3);
    const resumed = await train(shortRun('earlier', 4), { resume: true });
    assert.equal(resumed.step, 4);
  });

  it('--resume with --overwrite is refused', async () => {
    await assert.rejects(train(shortRun('earlier', 5), { resume: true, overwrite: true }), /--resume and --overwrite exclude each other/);
  });

  it('mtl train a second time into the same --output exits 1 with the message; --overwrite trains', async () => {
    writeFileSync(file('cli.yaml'), run.yaml.replace('max_steps: 24', 'max_steps: 2').replace('eval_every: 8', 'eval_every: 2'));
    const err: string[] = [];
    const log = mock.method(console, 'log', () => undefined);
    const error = mock.method(console, 'error', (...a: unknown[]) => void err.push(a.join(' ')));
    try {
      const args = ['train', file('cli.yaml'), '--output', file('cli-out')];
      assert.equal(await main(args), 0);
      assert.equal(await main(args), 1);
      assert.match(err.join('\n'), /already holds a run .*--resume.*--overwrite/s);
      assert.equal(await main([...args, '--overwrite', '--max-steps', '1']), 0);
      assert.equal(stepOf(file('cli-out', 'last')), 1);
    } finally {
      log.mock.restore();
      error.mock.restore();
    }
  });
});
