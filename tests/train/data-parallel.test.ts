// Data-parallel training on 2 processes over loopback (mtl train --nproc-per-node 2, and the
// RANK/WORLD_SIZE/MASTER_* environment of an outside launcher) against single-process runs of the tiny
// config (tests/train/trainer-fixture.ts) on the same examples: rank r trains on batches r, r + 2, …
// of each stream, so one step of 2 ranks sees the batches a 1-rank step accumulating 2 micro-batches sees.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { freeLoopbackPort } from '../../src/distributed/launcher.js';
import { processGroupsAvailable } from '../../src/tensor/process-group.js';
import { runNode } from '../helpers/processes.js';
import { maxWeightDiff, needsTinyRunData, tinyRun, tinyYaml, type RunFolder } from './trainer-fixture.js';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'mtl.js');

/** The tiny config's training section: `steps` steps of `accum` micro-batches of 8, every stream in each (joint). */
function training(steps: number, accum: number, optimizer: string): string {
  return [
    `  max_steps: ${steps}`,
    '  batch_size: 8',
    `  gradient_accumulation_steps: ${accum}`,
    '  task_schedule: joint',
    '  eval_every: 100',
    '  log_every: 1',
    optimizer,
  ].join('\n');
}
/** Plain SGD with learning rate 1, no decay, clipping or schedule: one step moves each weight by −gradient. */
const SGD = '  optimizer: { name: sgd }\n  learning_rate: 1.0\n  weight_decay: 0\n  max_grad_norm: null\n  schedule: constant';
/** AdamW with clipping; a constant rate after warm-up, so a run's first steps do not depend on its length. */
const ADAMW = '  learning_rate: 2.0e-3\n  warmup_steps: 1\n  schedule: constant\n  max_grad_norm: 1.0';

function writeConfig(run: RunFolder, name: string, body: string): string {
  const file = path.join(run.dir, `${name}.yaml`);
  writeFileSync(file, tinyYaml(path.join(run.dir, name), { training: body }));
  return file;
}

/** The strategy state (trainer_state.json's strategy_state) of run `name`'s last checkpoint. */
function strategyState(run: RunFolder, name: string): unknown {
  const state = JSON.parse(readFileSync(path.join(run.dir, name, 'last', 'trainer_state.json'), 'utf8')) as { strategy_state: unknown };
  return state.strategy_state;
}

async function oneProcess(config: string): Promise<void> {
  const log = mock.method(console, 'log', () => undefined);
  try {
    assert.equal(await main(['train', config]), 0);
  } finally {
    log.mock.restore();
  }
}

async function twoProcesses(config: string, ...flags: string[]): Promise<void> {
  const r = await runNode([BIN, 'train', config, '--nproc-per-node', '2', '--dist-timeout', '120', ...flags]);
  assert.equal(r.code, 0, r.stderr);
}

const skip = processGroupsAvailable() ? needsTinyRunData() : { skip: 'addon built without Gloo' };

describe('data-parallel training (2 processes on loopback)', skip, () => {
  let run: RunFolder;
  before(() => (run = tinyRun()));
  after(() => run.remove());

  it("a 2-rank step's averaged gradients equal a 1-rank step's over the union of both ranks' batches (within 1e-6)", async (t) => {
    await twoProcesses(writeConfig(run, 'sgd-2ranks', training(1, 1, SGD)));
    await oneProcess(writeConfig(run, 'sgd-accum2', training(1, 2, SGD)));
    await oneProcess(writeConfig(run, 'sgd-rank0-only', training(1, 1, SGD)));
    // weight after one step = initial weight − gradient, from the same initial weights (seed 7)
    const diff = maxWeightDiff(run, 'sgd-2ranks', 'sgd-accum2');
    assert.ok(diff < 1e-6, `largest gradient difference ${diff}`);
    const control = maxWeightDiff(run, 'sgd-2ranks', 'sgd-rank0-only'); // rank 0's batches alone give other gradients
    assert.ok(control > 1e-3, `largest difference to rank 0's batches alone ${control}`);
    t.diagnostic(`largest gradient difference: ${diff} (to rank 0's batches alone: ${control})`);
  });

  it('random loss weighting: a 2-rank step equals a 1-rank step accumulating both batches (within 1e-6)', async (t) => {
    const random = `${SGD}\n  weighting: { method: random }`;
    await twoProcesses(writeConfig(run, 'random-2ranks', training(1, 1, random)));
    await oneProcess(writeConfig(run, 'random-accum2', training(1, 2, random)));
    const diff = maxWeightDiff(run, 'random-2ranks', 'random-accum2');
    assert.ok(diff < 1e-6, `largest gradient difference ${diff}`);
    const control = maxWeightDiff(run, 'random-2ranks', 'sgd-2ranks'); // the test above, static weights: other gradients
    assert.ok(control > 1e-4, `largest difference to static weights ${control}`);
    t.diagnostic(`largest gradient difference: ${diff} (to static weights: ${control})`);
  });

  it("DWA: a 2-rank run keeps one 1-rank run's loss history and weights (accumulating both batches; within 1e-6)", async (t) => {
    // A period of 1 step: the ranks' mean losses of a step are the 1-rank step's mean over its 2 micro-batches.
    const dwa = `${SGD.replace('learning_rate: 1.0', 'learning_rate: 0.5')}\n  weighting: { method: dwa, period: 1 }`;
    await twoProcesses(writeConfig(run, 'dwa-2ranks', training(4, 1, dwa)));
    await oneProcess(writeConfig(run, 'dwa-accum2', training(4, 2, dwa)));
    const diff = maxWeightDiff(run, 'dwa-2ranks', 'dwa-accum2');
    assert.ok(diff < 1e-6, `largest weight difference ${diff}`);
    const [two, one] = ['dwa-2ranks', 'dwa-accum2'].map((name) => strategyState(run, name) as { weighting: { history: number[][] } });
    const history = Math.max(...two!.weighting.history.flat().map((l, i) => Math.abs(l - one!.weighting.history.flat()[i]!)));
    assert.equal(two!.weighting.history.length, 2);
    assert.ok(history < 1e-6, `largest difference of the recorded mean losses ${history}`);
    t.diagnostic(`largest weight difference ${diff}; of the mean losses DWA recorded ${history}`);
  });

  it('GradNorm, and PCGrad: 2 ranks stopped after 2 steps and resumed to 4 end as the uninterrupted 2-rank run', async () => {
    const strategies = { gradnorm: 'weighting: { method: gradnorm, lr: 0.05 }', pcgrad: 'surgery: { method: pcgrad }' }; // surgery takes static weights
    for (const [name, strategy] of Object.entries(strategies)) {
      const body = training(4, 1, `${ADAMW}\n  ${strategy}`);
      await twoProcesses(writeConfig(run, `${name}-2ranks`, body));
      const config = writeConfig(run, `${name}-2ranks-resumed`, body);
      await twoProcesses(config, '--max-steps', '2');
      await twoProcesses(config, '--resume');
      assert.equal(maxWeightDiff(run, `${name}-2ranks`, `${name}-2ranks-resumed`), 0, name);
      assert.deepEqual(strategyState(run, `${name}-2ranks-resumed`), strategyState(run, `${name}-2ranks`), name);
    }
  });

  it('4 steps on 2 ranks end with the weights of 4 steps on 1 rank accumulating 2 micro-batches (AdamW, clipping, dropout)', async (t) => {
    await twoProcesses(writeConfig(run, 'adamw-2ranks', training(4, 1, ADAMW)));
    await oneProcess(writeConfig(run, 'adamw-accum2', training(4, 2, ADAMW)));
    const diff = maxWeightDiff(run, 'adamw-2ranks', 'adamw-accum2');
    assert.ok(diff < 1e-5, `largest weight difference ${diff}`);
    t.diagnostic(`largest weight difference: ${diff}`);
  });

  it('2 ranks stopped after 2 steps and resumed to 4 end with the weights of the uninterrupted 2-rank run', async () => {
    const config = writeConfig(run, 'adamw-2ranks-resumed', training(4, 1, ADAMW));
    await twoProcesses(config, '--max-steps', '2');
    await twoProcesses(config, '--resume');
    const diff = maxWeightDiff(run, 'adamw-2ranks', 'adamw-2ranks-resumed'); // 'adamw-2ranks': the test above
    assert.equal(diff, 0);
  });

  it("the 2-rank run's sharded dev and test evaluations equal a 1-process evaluation of its checkpoint exactly", async (t) => {
    const dir = path.join(run.dir, 'adamw-2ranks'); // the test above: 4 steps, evaluated once, at the end, by both ranks
    const records = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const dev = records.filter((r) => r.type === 'eval' && r.split === 'dev').at(-1)!;
    const test = JSON.parse(readFileSync(path.join(dir, 'test_metrics.json'), 'utf8')) as Record<string, unknown>;
    // The reference: `mtl eval` in one process of one thread, as each rank ran (OMP_NUM_THREADS=1: the same kernels, the same sums).
    const evaluate = async (checkpoint: string, split: string): Promise<Record<string, unknown>> => {
      const r = await runNode([BIN, 'eval', path.join(dir, checkpoint), '--split', split], { OMP_NUM_THREADS: '1' });
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const [oneDev, oneTest] = [await evaluate('last', 'dev'), await evaluate('best', 'test')];
    assert.deepEqual(dev.metrics, oneDev.metrics);
    assert.deepEqual(dev.losses, oneDev.losses);
    assert.deepEqual(dev.joint, oneDev.joint);
    assert.deepEqual(test.metrics, oneTest.metrics);
    assert.deepEqual(test.losses, oneTest.losses);
    assert.deepEqual(test.joint, oneTest.joint);
    t.diagnostic(`dev ${JSON.stringify(oneDev.metrics)}; test examples ${String(oneTest.examples)}`);
  });

  it('a rank killed mid-run makes the other exit with a clear error within the timeout (outside launcher: RANK, WORLD_SIZE, MASTER_*)', async (t) => {
    const config = writeConfig(run, 'killed', training(400, 1, ADAMW));
    const port = String(await freeLoopbackPort());
    const ranks = [0, 1].map((rank) =>
      spawn(process.execPath, [BIN, 'train', config, '--dist-timeout', '60'], {
        env: { ...process.env, RANK: String(rank), WORLD_SIZE: '2', MASTER_ADDR: '127.0.0.1', MASTER_PORT: port },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let stderr = '';
    ranks[0]!.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let killedAt = 0;
    ranks[0]!.stdout.on('data', (chunk: Buffer) => {
      if (killedAt === 0 && /step 2\//.test(chunk.toString())) {
        killedAt = performance.now();
        ranks[1]!.kill('SIGKILL');
      }
    });
    const code = await new Promise<number | null>((resolve) => ranks[0]!.on('exit', resolve));
    ranks[1]!.kill('SIGKILL');
    assert.ok(killedAt > 0, `rank 0 never reached step 2: ${stderr}`);
    const seconds = (performance.now() - killedAt) / 1000;
    assert.equal(code, 1, stderr);
    assert.match(stderr, /mtl train: rank 0 of 2: .+ with the other ranks failed .*(pgAllReduce|pgBroadcast|reducerFinish): /);
    assert.ok(seconds < 60, `rank 0 stopped ${seconds.toFixed(1)} s after rank 1 was killed`);
    t.diagnostic(`rank 0 exited ${seconds.toFixed(1)} s after rank 1 was killed: ${stderr.trim().split('\n').at(-1)}`);
  });
});
