// Loss weightings that read the batch (DWA, GradNorm) and gradient surgery (PCGrad) in a 2-process
// data-parallel run over loopback Gloo, against one process training on both ranks' batches together
// (tests/helpers/strategy-worker.mjs: a tiny two-task BERT, 16 examples a step, rank r the rows 8r … 8r + 7).
// Each task's loss is a mean over its batch, so the union's per-task losses and gradients are the means
// of the two halves': averaged over the ranks before the strategy's update, they give one process's
// weights and combination up to float summation order. The control ('naive': each rank runs the
// strategy on its own batch and only the gradients are averaged) shows that the comparison can fail.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { freeLoopbackPort } from '../../src/distributed/launcher.js';
import { processGroupsAvailable } from '../../src/tensor/process-group.js';
import { runNode } from '../helpers/processes.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'strategy-worker.mjs');

interface WorkerOutput {
  readonly rank: number;
  readonly parameters: [string, number[]][];
  readonly state: Record<string, unknown>;
  readonly weights: Record<string, number>[];
}

function parse(stdout: string): WorkerOutput {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as WorkerOutput;
}

/** Both ranks' outputs of `steps` steps of `strategy` on 2 processes (`naive`: the control). */
async function twoRanks(strategy: object, steps: number, naive = false): Promise<[WorkerOutput, WorkerOutput]> {
  const port = String(await freeLoopbackPort());
  const ready = mkdtempSync(path.join(tmpdir(), 'mtl-dp-strategy-'));
  try {
    const ranks = await Promise.all(
      [0, 1].map((rank) =>
        runNode([WORKER, String(rank), '2', port, ready, JSON.stringify(strategy), String(steps), ...(naive ? ['naive'] : [])]),
      ),
    );
    for (const r of ranks) assert.equal(r.code, 0, r.stderr);
    return [parse(ranks[0]!.stdout), parse(ranks[1]!.stdout)];
  } finally {
    rmSync(ready, { recursive: true, force: true });
  }
}

/** One process's output of `steps` steps of `strategy` on all 16 examples of each step. */
async function oneProcess(strategy: object, steps: number): Promise<WorkerOutput> {
  const r = await runNode([WORKER, '0', '1', '0', '', JSON.stringify(strategy), String(steps)]);
  assert.equal(r.code, 0, r.stderr);
  return parse(r.stdout);
}

/** The largest absolute difference between two outputs' parameters (the same names, in order). */
function maxParameterDiff(a: WorkerOutput, b: WorkerOutput): number {
  let largest = 0;
  a.parameters.forEach(([name, values], n) => {
    const [otherName, other] = b.parameters[n]!;
    assert.equal(otherName, name);
    values.forEach((v, i) => (largest = Math.max(largest, Math.abs(v - other[i]!))));
  });
  return largest;
}

/** The largest absolute difference between the numbers of two JSON values of the same shape. */
function maxNumberDiff(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b);
  if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(a.length, b.length);
    return Math.max(0, ...a.map((v, i) => maxNumberDiff(v, b[i])));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
    return Math.max(0, ...Object.keys(a).map((k) => maxNumberDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])));
  }
  assert.equal(a, b);
  return 0;
}

/**
 * Checks that the ranks ended alike (parameters and strategy state exactly) and as one process did
 * (parameters, strategy state and each step's task weights within `tolerance`). @returns the differences to one process.
 */
function assertLikeOneProcess(ranks: readonly [WorkerOutput, WorkerOutput], one: WorkerOutput, tolerance: number): string {
  const [r0, r1] = ranks;
  assert.equal(maxParameterDiff(r0, r1), 0, 'the ranks hold the same parameters');
  assert.deepEqual(r0.state, r1.state, 'the ranks hold the same strategy state');
  assert.deepEqual(r0.weights, r1.weights, 'the ranks used the same task weights');
  const parameters = maxParameterDiff(r0, one);
  const state = maxNumberDiff(r0.state, one.state);
  const weights = maxNumberDiff(r0.weights, one.weights);
  assert.ok(parameters < tolerance, `largest parameter difference to one process ${parameters}`);
  assert.ok(state < tolerance, `largest strategy-state difference to one process ${state}`);
  assert.ok(weights < tolerance, `largest task-weight difference to one process ${weights}`);
  return `parameters ${parameters}, strategy state ${state}, task weights ${weights}`;
}

const skip = processGroupsAvailable() ? {} : { skip: 'addon built without Gloo' };

describe('loss weighting and gradient surgery across 2 ranks equal one process on both batches', skip, () => {
  it('DWA: both ranks record the mean of their losses, so they hold one history and weight alike', async (t) => {
    const dwa = { weighting: { method: 'dwa', period: 1 } };
    const ranks = await twoRanks(dwa, 4);
    const one = await oneProcess(dwa, 4);
    assert.notDeepEqual(one.weights[3], one.weights[0], 'the weights moved from 1 by step 4'); // eq. 7 from step 3 on
    t.diagnostic(`differences to one process: ${assertLikeOneProcess(ranks, one, 1e-6)}`);
    const [n0, n1] = await twoRanks(dwa, 4, true);
    const control = maxNumberDiff(n0.state, n1.state); // each rank's own losses: two histories
    assert.ok(control > 1e-3, `largest difference between the naive ranks' DWA states ${control}`);
    t.diagnostic(`naive ranks' DWA states differ by up to ${control}`);
  });

  it("GradNorm: the shared layer's per-task gradients and the losses averaged before the norms, one weight update on every rank", async (t) => {
    // W: the last layer's LayerNorm (a zero-dropout BERT's Linear weights alone cannot be grad()'s
    // inputs in this binding: libtorch reports 'could not compute gradients for some functions').
    const gradnorm = { weighting: { method: 'gradnorm', lr: 0.5, shared: 'encoder.encoder.layer.1.output.LayerNorm' } };
    const ranks = await twoRanks(gradnorm, 3);
    const one = await oneProcess(gradnorm, 3);
    assert.ok(Math.abs(one.weights[2]!.topic! - 1) > 1e-4, `the weights moved: ${JSON.stringify(one.weights[2])}`);
    t.diagnostic(`differences to one process: ${assertLikeOneProcess(ranks, one, 1e-6)}`);
    const [n0, n1] = await twoRanks(gradnorm, 3, true);
    const control = maxNumberDiff(n0.weights, n1.weights); // each rank's own norms: two sets of weights
    assert.ok(control > 1e-4, `largest difference between the naive ranks' GradNorm weights ${control}`);
    t.diagnostic(`naive ranks' GradNorm weights differ by up to ${control}`);
  });

  it("PCGrad: the encoder's per-task gradients averaged over the ranks before the projections", async (t) => {
    const pcgrad = { surgery: { method: 'pcgrad' } };
    const ranks = await twoRanks(pcgrad, 3);
    const one = await oneProcess(pcgrad, 3);
    t.diagnostic(`differences to one process: ${assertLikeOneProcess(ranks, one, 1e-6)}`);
    const naive = await twoRanks(pcgrad, 3, true); // projections per rank, then averaged: not linear, so other gradients
    const control = maxParameterDiff(naive[0], one);
    assert.ok(control > 1e-4, `largest parameter difference of the naive ranks to one process ${control}`);
    t.diagnostic(`naive ranks differ from one process by up to ${control}`);
  });

  it('CAGrad, MGDA and GradVac: every rank combines the averaged per-task gradients as one process does (GradVac: one EMA state)', async (t) => {
    const found: string[] = [];
    for (const method of ['cagrad', 'mgda', 'gradvac']) {
      const surgery = { surgery: { method } };
      const ranks = await twoRanks(surgery, 3);
      const one = await oneProcess(surgery, 3);
      found.push(`${method}: ${assertLikeOneProcess(ranks, one, 1e-6)}`);
    }
    t.diagnostic(`differences to one process: ${found.join('; ')}`);
  });
});
