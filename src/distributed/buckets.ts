/**
 * DDP's assignment of parameters to gradient buckets (torch/csrc/distributed/c10d/reducer.cpp,
 * compute_bucket_assignment_by_size, libtorch 1.13): the initial one, in the parameters' order reversed,
 * and the one DDP rebuilds once after the first step, in the order the gradients came
 * (Reducer::rebuild_buckets), optionally with PyTorch 2.x's small last bucket (DDP_SET_LAST_BUCKET_CAP).
 */
import type { Tensor } from '../tensor/index.js';
import { typedArrayClass } from '../tensor/dtype.js';

/** DDP's default bucket size: 25 MiB. */
export const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;
/** DDP's first bucket (torch.distributed._DEFAULT_FIRST_BUCKET_BYTES): small, so the first all-reduce starts early. */
export const DEFAULT_FIRST_BUCKET_BYTES = 1024 * 1024;

export const bytesOf = (t: Tensor): number => t.numel * typedArrayClass(t.dtype).BYTES_PER_ELEMENT;

/**
 * compute_bucket_assignment_by_size over `sequence`: one open bucket per dtype and device, closed once it
 * holds `firstBucketBytes` (the first of each) or `bucketBytes` (later ones).
 * @returns the closed buckets in the order they closed, then the ones left open, each with the position
 *   in `sequence` of its first tensor.
 */
function bySize(sequence: readonly Tensor[], bucketBytes: number, firstBucketBytes: number): { tensors: Tensor[]; first: number }[] {
  const open = new Map<string, { tensors: Tensor[]; bytes: number; limit: number; first: number }>();
  const closed: { tensors: Tensor[]; first: number }[] = [];
  sequence.forEach((t, i) => {
    const key = `${t.dtype}/${t.device}`;
    const bucket = open.get(key) ?? { tensors: [], bytes: 0, limit: Math.min(firstBucketBytes, bucketBytes), first: i };
    if (bucket.tensors.length === 0) bucket.first = i;
    bucket.tensors.push(t);
    bucket.bytes += bytesOf(t);
    open.set(key, bucket);
    if (bucket.bytes >= bucket.limit) {
      closed.push({ tensors: bucket.tensors, first: bucket.first });
      open.set(key, { tensors: [], bytes: 0, limit: bucketBytes, first: i + 1 });
    }
  });
  const left = [...open.values()].filter((b) => b.tensors.length > 0).sort((a, b) => a.first - b.first);
  return [...closed, ...left.map((b) => ({ tensors: b.tensors, first: b.first }))];
}

/**
 * DDP's bucket assignment for overlapping (torch/nn/parallel/distributed.py with
 * compute_bucket_assignment_by_size, libtorch 1.13): the parameters in their order, one open bucket per
 * dtype and device, closed once it holds `firstBucketBytes` (the first of each) or `bucketBytes` (later
 * ones); the buckets sorted by their first parameter and then reversed, so they fill roughly in the
 * order the backward pass produces gradients, the small first bucket last: the one all-reduce the
 * backward cannot hide is short.
 * @returns buckets of `params`, the last parameters' first.
 */
export function ddpBuckets(params: readonly Tensor[], bucketBytes: number, firstBucketBytes = DEFAULT_FIRST_BUCKET_BYTES): Tensor[][] {
  return bySize(params, bucketBytes, firstBucketBytes)
    .sort((a, b) => a.first - b.first)
    .reverse()
    .map((b) => b.tensors);
}

/**
 * DDP's rebuilt buckets (Reducer::rebuild_buckets, libtorch 1.13): the same rule as `ddpBuckets` over the
 * parameters in the order their gradients came in a step (its rebuilt_params_), without sorting or
 * reversing — the buckets fill in index order, the small first bucket (at most `firstBucketBytes`)
 * first, so the first all-reduce starts early; the buckets left open last.
 *
 * With `smallLastBucket` (PyTorch 2.x's `DDP_SET_LAST_BUCKET_CAP=1`, Reducer::rebuild_buckets): the
 * same rule over that sequence reversed, and the buckets it gives reversed again, so the small cap
 * falls on the *last* bucket (the gradients the backward produces last: the one all-reduce it cannot
 * hide is short) and every other bucket may fill up to `bucketBytes`; each bucket's parameters stay in
 * the reversed order, as PyTorch's.
 *
 * DDP rebuilds only when every parameter had a gradient (no find_unused_parameters). Here parameters
 * without gradient in the recorded step (`readyOrder` leaves them out: a task head that step did not
 * train) come first, in their order in `params`: a head's gradient, when it has one, is among the first
 * the backward produces (heads are the last modules of the forward), and when it has none it is filled
 * at once (unreachable from the backward's root), so it holds back no bucket.
 * @param params every parameter, in the order of the buckets being rebuilt (flattened).
 * @param readyOrder positions in `params` in the order their gradients came; no position twice.
 * @returns buckets of `params`, launched in this order.
 * @throws RangeError for a position outside `params` or given twice.
 */
export function rebuiltBuckets(
  params: readonly Tensor[],
  readyOrder: readonly number[],
  bucketBytes: number,
  firstBucketBytes = DEFAULT_FIRST_BUCKET_BYTES,
  smallLastBucket = false,
): Tensor[][] {
  const seen = new Set<number>();
  for (const i of readyOrder) {
    if (!Number.isInteger(i) || i < 0 || i >= params.length || seen.has(i))
      throw new RangeError(`gradient-ready order: position ${i} is outside the ${params.length} parameters or given twice`);
    seen.add(i);
  }
  const sequence = [...params.filter((_, i) => !seen.has(i)), ...readyOrder.map((i) => params[i]!)];
  if (!smallLastBucket) return bySize(sequence, bucketBytes, firstBucketBytes).map((b) => b.tensors);
  return bySize(sequence.reverse(), bucketBytes, firstBucketBytes)
    .map((b) => b.tensors)
    .reverse();
}
