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
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ddpBuckets, rebuiltBuckets } from '../../src/distributed/buckets.js';
import { liveTensorCount, zeros, type Tensor } from '../../src/tensor/index.js';

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
});
