/**
 * Worker threads: each thread that loads the binding has its own tensor table, operator handles
 * and error mapping, so threads can use tensors at the same time without sharing ids.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import * as T from '../../src/tensor/index.js';

interface Report {
  baseline: number;
  live: number;
  w: number[];
  error: string;
}

function runWorker(steps: number): Promise<Report> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../helpers/tensor-worker.mjs', import.meta.url), { workerData: { steps } });
    let report: Report | undefined;
    worker.on('message', (m: Report) => (report = m));
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 && report ? resolve(report) : reject(new Error(`worker exited with ${code}`))));
  });
}

test('two workers and the main thread use tensors at once, each with its own table', async () => {
  const mine = T.tensor([1, 2, 3]);
  const live = T.liveTensorCount();
  const reports = await Promise.all([runWorker(500), runWorker(500)]);
  for (const r of reports) {
    assert.equal(r.baseline, 0, "a worker's table starts empty, whatever the main thread holds");
    assert.equal(r.live, 4, 'w and the three tensors made outside tidy at the end');
    assert.ok(
      r.w.every((v) => Math.abs(v) < 0.5),
      'the worker trained',
    );
    assert.match(r.error, /^TorchError: aten::add\.Tensor: .*must match.*\(inputs: self=Float\[3\], other=Float\[2\]\)/);
  }
  assert.equal(T.liveTensorCount(), live, "workers do not touch the main thread's table");
  assert.deepEqual(mine.toFlatArray(), [1, 2, 3]);
  mine.dispose();
});
