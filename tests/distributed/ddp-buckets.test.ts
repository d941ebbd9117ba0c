// DDP's assignment of parameters to gradient buckets (src/distributed/buckets.ts `ddpBuckets`, and
// `rebuiltBuckets` after the first step) against PyTorch 1.13's own, computed with /usr/bin/python3 (torch 1.13):
//   import torch, torch.distributed as dist
//   sizes = [(256, 6), (256,), (1000,), (300, 300), (4,), (64, 64), (3,)]
//   dtypes = [torch.float32, torch.float32, torch.float64, torch.float32, torch.float64, torch.float32, torch.float32]
//   ts = [torch.zeros(s, dtype=d) for s, d in zip(sizes, dtypes)]
//   b, _ = dist._compute_bucket_assignment_by_size(ts, [4096, 200000], [False] * len(ts))
//   print(list(reversed(b)))   # DistributedDataParallel hands the Reducer the buckets reversed
//   → [[5, 6], [4], [2], [1, 3], [0]]; with DDP's limits, [1048576, 25 * 2**20]: [[2, 4], [0, 1, 3, 5, 6]]
// Rebuilt (Reducer::rebuild_buckets: the tensors in gradient-ready order, their indices given, no sort):
//   ts = [torch.zeros(s) for s in sizes]; order = [5, 6, 3, 4, 1, 2, 0]
//   dist._compute_bucket_assignment_by_size([ts[i] for i in order], [4096, 200000], [False] * 7, order)
//   → [[5], [6, 3], [4, 1, 2, 0]]; with [1048576, 25 * 2**20]: [[5, 6, 3, 4, 1, 2, 0]]
// Rebuilt with the small cap on the last bucket (PyTorch 2.x's DDP_SET_LAST_BUCKET_CAP=1: Reducer::rebuild_buckets
// reverses rebuilt_params_ and rebuilt_param_indices_, assigns, and reverses the buckets), the same function of 1.13:
//   def small_last(order, limits):
//       rev = list(reversed(order))
//       b, _ = dist._compute_bucket_assignment_by_size([ts[i] for i in rev], limits, [False] * len(rev), rev)
//       return list(reversed(b))
//   small_last(order, [4096, 200000]) → [[6, 5], [2, 1, 4, 3], [0]]; [1048576, 25 * 2**20]: [[0, 2, 1, 4, 3, 6, 5]]
//   small_last([1, 4, 5, 6, 3, 2, 0], [4096, 200000]) → [[6, 5, 4, 1], [2, 3], [0]]
// For the trunk-and-heads net below (sizes (16, 6), (16,), (16, 16), (16,), (3, 16), (3,), (2, 16), (2,), (4, 16), (4,)),
// head c (8, 9) without gradient and ordered as the initial buckets hold it, 512-byte buckets:
//   small_last([9, 8, 7, 6, 5, 4, 3, 2, 1, 0], [512, 512]) → [[9], [3, 4, 5, 6, 7, 8], [0, 1, 2]]
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ddpBuckets, rebuiltBuckets } from '../../src/distributed/buckets.js';
import { DataParallel } from '../../src/distributed/data-parallel.js';
import { ConfigError } from '../../src/errors.js';
import { Linear } from '../../src/nn/linear.js';
import {
  crossEntropy,
  gradientReducerAvailable,
  liveTensorCount,
  manualSeed,
  tanh,
  tensor,
  tidy,
  zeros,
  type Tensor,
} from '../../src/tensor/index.js';
import { ProcessGroup } from '../../src/tensor/process-group.js';

describe('ddpBuckets', () => {
  it("gives PyTorch 1.13's buckets: by dtype, a small first bucket, then the cap, in reverse", () => {
    const live = liveTensorCount();
    const shapes = [[256, 6], [256], [1000], [300, 300], [4], [64, 64], [3]];
    const dtypes = ['float32', 'float32', 'float64', 'float32', 'float64', 'float32', 'float32'] as const;
    const params = shapes.map((shape, i) => zeros(shape, { dtype: dtypes[i] }));
    const index = (t: Tensor): number => params.indexOf(t);
    assert.deepEqual(
      ddpBuckets(params, 200_000, 4096).map((b) => b.map(index)),
      [[5, 6], [4], [2], [1, 3], [0]],
    );
    // DDP's defaults (25 MiB, first 1 MiB): each dtype's parameters fit in their first bucket.
    assert.deepEqual(
      ddpBuckets(params, 25 * 2 ** 20).map((b) => b.map(index)),
      [
        [2, 4],
        [0, 1, 3, 5, 6],
      ],
    );
    for (const p of params) p.dispose();
    assert.equal(liveTensorCount(), live);
  });

  it("rebuilds in the gradients' order as PyTorch 1.13 does: the small first bucket first, no sort; parameters without gradient first", () => {
    const live = liveTensorCount();
    const shapes = [[256, 6], [256], [1000], [300, 300], [4], [64, 64], [3]];
    const params = shapes.map((shape) => zeros(shape));
    const index = (t: Tensor): number => params.indexOf(t);
    const order = [5, 6, 3, 4, 1, 2, 0];
    assert.deepEqual(
      rebuiltBuckets(params, order, 200_000, 4096).map((b) => b.map(index)),
      [[5], [6, 3], [4, 1, 2, 0]],
    );
    assert.deepEqual(
      rebuiltBuckets(params, order, 25 * 2 ** 20).map((b) => b.map(index)),
      [[5, 6, 3, 4, 1, 2, 0]],
    );
    // 1 and 4 had no gradient in the recorded step: they lead, in their order (by hand: 1024 + 16 + 16384
    // bytes close the first bucket at 4096, 12 + 360000 the next at 200000)
    assert.deepEqual(
      rebuiltBuckets(params, [5, 6, 3, 2, 0], 200_000, 4096).map((b) => b.map(index)),
      [
        [1, 4, 5],
        [6, 3],
        [2, 0],
      ],
    );
    assert.throws(() => rebuiltBuckets(params, [5, 5], 200_000), /position 5 is outside the 7 parameters or given twice/);
    for (const p of params) p.dispose();
    assert.equal(liveTensorCount(), live);
  });

  it("puts the small cap on the last bucket as PyTorch 2.x's DDP_SET_LAST_BUCKET_CAP=1 does", () => {
    const live = liveTensorCount();
    const shapes = [[256, 6], [256], [1000], [300, 300], [4], [64, 64], [3]];
    const params = shapes.map((shape) => zeros(shape));
    const index = (t: Tensor): number => params.indexOf(t);
    const order = [5, 6, 3, 4, 1, 2, 0];
    assert.deepEqual(
      rebuiltBuckets(params, order, 200_000, 4096, true).map((b) => b.map(index)),
      [[6, 5], [2, 1, 4, 3], [0]],
    );
    assert.deepEqual(
      rebuiltBuckets(params, order, 25 * 2 ** 20, 2 ** 20, true).map((b) => b.map(index)),
      [[0, 2, 1, 4, 3, 6, 5]],
    );
    // 1 and 4 without gradient: first in the sequence, so in the first bucket after the second reversal
    assert.deepEqual(
      rebuiltBuckets(params, [5, 6, 3, 2, 0], 200_000, 4096, true).map((b) => b.map(index)),
      [[6, 5, 4, 1], [2, 3], [0]],
    );
    for (const p of params) p.dispose();
    assert.equal(liveTensorCount(), live);
  });
});

const skip = gradientReducerAvailable() ? {} : { skip: 'addon built without Gloo' };

describe('DataParallel: the small last bucket (one rank, a file store)', skip, () => {
  /** A one-rank group over a file store in a fresh folder; `run` gets it, the folder is removed after. */
  async function withGroup(run: (group: ProcessGroup) => Promise<void>): Promise<void> {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtl-last-bucket-'));
    const group = await ProcessGroup.create({
      rank: 0,
      worldSize: 1,
      timeoutMs: 20_000,
      rendezvous: { store: 'file', path: path.join(dir, 'store') },
    });
    try {
      await run(group);
    } finally {
      group.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('takes DDP_SET_LAST_BUCKET_CAP=1 from the environment as its default, for the rebuilt buckets only', async () => {
    await withGroup(async (group) => {
      const saved = process.env.DDP_SET_LAST_BUCKET_CAP;
      try {
        delete process.env.DDP_SET_LAST_BUCKET_CAP;
        assert.equal(new DataParallel(group, 512, true, { rebuildBuckets: true }).smallLastBucket, false);
        process.env.DDP_SET_LAST_BUCKET_CAP = '1';
        assert.equal(new DataParallel(group, 512, true, { rebuildBuckets: true }).smallLastBucket, true);
        assert.equal(new DataParallel(group, 512, true, { rebuildBuckets: true, smallLastBucket: false }).smallLastBucket, false);
        assert.equal(new DataParallel(group, 512, true).smallLastBucket, false); // no rebuild: nothing to apply it to
        process.env.DDP_SET_LAST_BUCKET_CAP = 'true'; // PyTorch reads "1" only
        assert.equal(new DataParallel(group, 512, true, { rebuildBuckets: true }).smallLastBucket, false);
      } finally {
        if (saved === undefined) delete process.env.DDP_SET_LAST_BUCKET_CAP;
        else process.env.DDP_SET_LAST_BUCKET_CAP = saved;
      }
      assert.throws(() => new DataParallel(group, 512, true, { smallLastBucket: true }), ConfigError);
      assert.throws(() => new DataParallel(group, 512, true, { smallLastBucket: true }), /rebuildBuckets: true/);
    });
  });

  it("rebuilds after the first overlapped step in PyTorch's order with the small cap last", async () => {
    await withGroup(async (group) => {
      const live = liveTensorCount();
      manualSeed(5);
      const trunk = [new Linear(6, 16), new Linear(16, 16)];
      const heads = [new Linear(16, 3), new Linear(16, 2), new Linear(16, 4)]; // the third never trained
      const params = [...trunk, ...heads].flatMap((m) => m.parameters());
      const assignments: number[][][] = [];
      for (const smallLastBucket of [false, true]) {
        const dp = new DataParallel(group, 512, true, { rebuildBuckets: true, smallLastBucket });
        for (let step = 0; step < 2; step++) {
          const loss = tidy(() => {
            const x = tensor([[0.1, -0.2, 0.3, 0.4, -0.5, 0.6]]);
            const h = trunk.reduce((acc, layer) => tanh(layer.forward(acc)), x);
            return crossEntropy(heads[0]!.forward(h), tensor([1], { dtype: 'int64' })).add(
              crossEntropy(heads[1]!.forward(h), tensor([0], { dtype: 'int64' })),
            );
          });
          dp.prepareBackward(params, [loss]);
          loss.backward();
          loss.dispose();
          await dp.allReduceGradients(params);
          for (const p of params) p.zeroGrad();
        }
        assignments.push(dp.gradientBuckets!.map((b) => b.map((t) => params.findIndex((p) => p.id === t.id))));
        dp.destroy();
      }
      // the default rule (the 2-process test's assignment), then the small cap last (PyTorch's, above)
      assert.deepEqual(assignments, [
        [
          [9, 8, 7, 6, 5, 4],
          [3, 2],
          [1, 0],
        ],
        [[9], [3, 4, 5, 6, 7, 8], [0, 1, 2]],
      ]);
      for (const p of params) p.dispose();
      assert.equal(liveTensorCount(), live);
    });
  });
});
