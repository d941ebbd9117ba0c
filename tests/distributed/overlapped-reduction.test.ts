// The gradients' all-reduce overlapped with the backward pass (DataParallel.prepareBackward,
// native/reducer.cc) on 2 processes over loopback Gloo, against the all-reduce after the backward and
// against one process back-propagating both ranks' micro-batches (tests/helpers/reducer-worker.mjs: a
// tiny three-head network, SGD). With 2 ranks each reduced element is one sum of two floats, the same
// whichever bucket carries it, so the overlapped and after-backward runs agree exactly; one process
// sums the two halves in its own order (≈ 1e-8).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { freeLoopbackPort } from '../../src/distributed/launcher.js';
import { gradientReducerAvailable } from '../../src/tensor/index.js';
import { runNode } from '../helpers/processes.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'reducer-worker.mjs');

interface WorkerOutput {
  readonly overlapped: boolean;
  /** Buckets reduced over the steps, and those started before the backward pass ended. */
  readonly buckets?: { total: number; launchedEarly: number };
  readonly parameters: number[][];
  readonly cHadGradient: boolean[];
}

const parse = (stdout: string): unknown => JSON.parse(stdout.trim().split('\n').at(-1)!) as unknown;

/** Both ranks' exit codes and outputs for `mode` and `schedule`, `steps` steps of `accum` micro-batches. */
async function twoRanks(
  mode: string,
  schedule: string,
  steps: number,
  accum: number,
): Promise<{ code: number | null; out: unknown; stderr: string }[]> {
  const port = String(await freeLoopbackPort());
  const ready = mkdtempSync(path.join(tmpdir(), 'mtl-reducer-'));
  try {
    const ranks = await Promise.all(
      [0, 1].map((rank) => runNode([WORKER, String(rank), '2', port, ready, mode, schedule, String(steps), String(accum)])),
    );
    return ranks.map((r) => ({ code: r.code, out: r.code === 0 || r.code === 3 ? parse(r.stdout) : undefined, stderr: r.stderr }));
  } finally {
    rmSync(ready, { recursive: true, force: true });
  }
}

async function trained(mode: string, schedule: string, steps: number, accum: number): Promise<WorkerOutput> {
  const ranks = await twoRanks(mode, schedule, steps, accum);
  for (const r of ranks) assert.equal(r.code, 0, r.stderr);
  const [zero, one] = ranks.map((r) => r.out as WorkerOutput);
  assert.equal(maxDiff(zero!, one!), 0, 'the ranks ended with different weights');
  return zero!;
}

async function oneProcess(schedule: string, steps: number, accum: number): Promise<WorkerOutput> {
  const r = await runNode([WORKER, '0', '1', '0', '', 'one', schedule, String(steps), String(accum)]);
  assert.equal(r.code, 0, r.stderr);
  return parse(r.stdout) as WorkerOutput;
}

function maxDiff(a: WorkerOutput, b: WorkerOutput): number {
  let largest = 0;
  a.parameters.forEach((values, n) => values.forEach((v, i) => (largest = Math.max(largest, Math.abs(v - b.parameters[n]![i]!)))));
  return largest;
}

const skip = gradientReducerAvailable() ? {} : { skip: 'addon built without Gloo' };

describe('gradients all-reduced during the backward pass (2 processes on loopback)', skip, () => {
  for (const accum of [1, 2]) {
    it(`equal the all-reduce after the backward exactly, and one process on both ranks' micro-batches (accumulating ${accum})`, async (t) => {
      const overlapped = await trained('overlap', 'same', 3, accum);
      assert.equal(overlapped.overlapped, true);
      assert.ok(overlapped.buckets!.launchedEarly > 0, JSON.stringify(overlapped.buckets));
      const after = await trained('after', 'same', 3, accum);
      assert.equal(after.overlapped, false);
      const one = await oneProcess('same', 3, accum);
      assert.equal(maxDiff(overlapped, after), 0);
      const diff = maxDiff(overlapped, one);
      assert.ok(diff < 1e-6, `largest weight difference to one process ${diff}`);
      const control = maxDiff(overlapped, await oneProcess('split', 3, accum)); // other heads trained: other weights
      assert.ok(control > 1e-3, `largest difference to another schedule ${control}`);
      t.diagnostic(
        `to one process: ${diff}; to another schedule: ${control}; buckets started during the backward: ${JSON.stringify(overlapped.buckets)}`,
      );
    });
  }

  it("a head trained on one rank only, or in an earlier micro-batch only, is reduced with the other rank's zeros; one trained nowhere keeps no gradient", async (t) => {
    const overlapped = await trained('overlap', 'split', 3, 2);
    assert.ok(overlapped.buckets!.launchedEarly > 0, JSON.stringify(overlapped.buckets)); // head c's bucket holds none back
    const one = await oneProcess('split', 3, 2);
    const diff = maxDiff(overlapped, one);
    assert.ok(diff < 1e-6, `largest weight difference to one process ${diff}`);
    assert.deepEqual(overlapped.cHadGradient, [false, true, false]);
    assert.deepEqual(one.cHadGradient, [false, true, false]);
    t.diagnostic(`to one process: ${diff}; buckets started during the backward: ${JSON.stringify(overlapped.buckets)}`);
  });

  it('a rank killed before its backward makes the other fail at once, naming the reduction', async (t) => {
    const [zero, one] = await twoRanks('die', 'same', 3, 1);
    assert.equal(one!.code, null); // SIGKILL
    assert.equal(zero!.code, 3, zero!.stderr);
    const { error, seconds } = zero!.out as { error: string; seconds: number };
    assert.match(error, /^rank 0 of 2: the all-reduce of the gradients with the other ranks failed .*reducerFinish: /);
    assert.ok(seconds < 20, `failed after ${seconds.toFixed(1)} s (timeout 20 s)`);
    t.diagnostic(`${seconds.toFixed(2)} s: ${error}`);
  });

  it('a rank that stalls makes the other fail after the timeout (3 s), not hang', async (t) => {
    const [zero] = await twoRanks('stall', 'same', 3, 1);
    assert.equal(zero!.code, 3, zero!.stderr);
    const { error, seconds } = zero!.out as { error: string; seconds: number };
    assert.match(error, /reducerFinish: /);
    assert.ok(seconds > 2.5 && seconds < 10, `failed after ${seconds.toFixed(1)} s`);
    t.diagnostic(`${seconds.toFixed(2)} s: ${error}`);
  });
});
