// The gradients' all-reduce overlapped with the backward pass (DataParallel.prepareBackward,
// native/reducer.cc) on 2 processes over loopback Gloo, against the all-reduce after the backward and
// against one process back-propagating both ranks' micro-batches (tests/helpers/reducer-worker.mjs: a
// tiny three-head network, SGD). With 2 ranks each reduced element is one sum of two floats, the same
// whichever bucket carries it, so the overlapped and after-backward runs agree exactly; one process
// sums the two halves in its own order (≈ 1e-8). The buckets are rebuilt after step 0 in the order the
// gradients came on rank 0; that order is PyTorch 1.13's for the same network, read from post hooks on
// its AccumulateGrad nodes as DDP's Reducer reads it (/usr/bin/python3, torch 1.13; trunk 6 → 16 → 16
// with tanh, heads a, b, c; the loss of heads a and b):
//   acc = p.expand_as(p).grad_fn.next_functions[0][0]; acc.register_hook(lambda *_: order.append(i))
//   (la + lb).backward()  →  [7, 6, 5, 4, 3, 2, 1, 0]: b.bias, b.weight, a.bias, a.weight, trunk 1, trunk 0
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
  /** Over the steps after the first: elements reduced, those started before the last gradient came, collectives after it. */
  readonly shares?: { steps: number; elements: number; earlyElements: number; exposed: number };
  /** The overlapped reduction's buckets at the end, as parameter indices. */
  readonly assignment?: number[][];
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
  assert.deepEqual(one!.assignment, zero!.assignment, 'the ranks ended with different buckets');
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

/** Exposed collectives per step, and the share of the gradients' elements whose all-reduce started during the backward. */
const perStep = (o: WorkerOutput): { exposed: number; hidden: number } => ({
  exposed: o.shares!.exposed / o.shares!.steps,
  hidden: o.shares!.earlyElements / o.shares!.elements,
});

const skip = gradientReducerAvailable() ? {} : { skip: 'addon built without Gloo' };

describe('gradients all-reduced during the backward pass (2 processes on loopback)', skip, () => {
  for (const accum of [1, 2]) {
    it(`equal the all-reduce after the backward exactly, and one process on both ranks' micro-batches (accumulating ${accum})`, async (t) => {
      const overlapped = await trained('overlap', 'same', 3, accum);
      assert.equal(overlapped.overlapped, true);
      assert.ok(overlapped.buckets!.launchedEarly > 0, JSON.stringify(overlapped.buckets));
      // rebuilt in PyTorch's gradient-ready order (head c, never trained, first), DDP's small first
      // bucket (512 bytes here) first: then only the last bucket, which carries the flags, starts after
      // the last gradient
      assert.deepEqual(overlapped.assignment, [
        [9, 8, 7, 6, 5, 4],
        [3, 2],
        [1, 0],
      ]);
      assert.equal(perStep(overlapped).exposed, 1);
      const after = await trained('after', 'same', 3, accum);
      assert.equal(after.overlapped, false);
      const one = await oneProcess('same', 3, accum);
      assert.equal(maxDiff(overlapped, after), 0);
      const diff = maxDiff(overlapped, one);
      assert.ok(diff < 1e-6, `largest weight difference to one process ${diff}`);
      const control = maxDiff(overlapped, await oneProcess('split', 3, accum)); // other heads trained: other weights
      assert.ok(control > 1e-3, `largest difference to another schedule ${control}`);
      t.diagnostic(
        `to one process: ${diff}; to another schedule: ${control}; buckets started during the backward: ${JSON.stringify(overlapped.buckets)}; after the rebuild: ${JSON.stringify(perStep(overlapped))}`,
      );
    });
  }

  it("a head trained on one rank only, or in an earlier micro-batch only, is reduced with the other rank's zeros; one trained nowhere keeps no gradient", async (t) => {
    const overlapped = await trained('overlap', 'split', 3, 2);
    assert.ok(overlapped.buckets!.launchedEarly > 0, JSON.stringify(overlapped.buckets)); // head c's bucket holds none back
    // rank 0's order (head a, then the trunk; heads c, b without gradient there first), on both ranks
    assert.deepEqual(overlapped.assignment, [
      [9, 6, 7, 8, 5, 4],
      [3, 2],
      [1, 0],
    ]);
    const one = await oneProcess('split', 3, 2);
    const diff = maxDiff(overlapped, one);
    assert.ok(diff < 1e-6, `largest weight difference to one process ${diff}`);
    assert.deepEqual(overlapped.cHadGradient, [false, true, false]);
    assert.deepEqual(one.cHadGradient, [false, true, false]);
    // the flags in the last bucket give the same .grad presence (and weights) as their own all-reduce, one collective fewer
    const plain = await trained('plain', 'split', 3, 2);
    assert.deepEqual(plain.cHadGradient, [false, true, false]);
    assert.equal(maxDiff(overlapped, plain), 0);
    assert.ok(perStep(plain).exposed >= 2, JSON.stringify(plain.shares));
    assert.equal(perStep(overlapped).exposed, 1, JSON.stringify(overlapped.shares));
    t.diagnostic(
      `to one process: ${diff}; buckets started during the backward: ${JSON.stringify(overlapped.buckets)}; per step after the first, rebuilt + flags folded: ${JSON.stringify(perStep(overlapped))}, neither: ${JSON.stringify(perStep(plain))}`,
    );
  });

  it('a rank killed before its backward (after the rebuild) makes the other fail at once, naming the reduction', async (t) => {
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
