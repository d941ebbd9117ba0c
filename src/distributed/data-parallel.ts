/**
 * Data parallelism as PyTorch's DistributedDataParallel does it, over a process group: every rank
 * holds the whole model, rank 0's parameters are broadcast at the start, each rank back-propagates
 * its own share of the batch, and the gradients are averaged over the ranks before the optimizer
 * step, so every rank takes the same step and the replicas stay equal.
 *
 * Gradients travel in buckets of at most `bucketBytes` (DDP's bucket_cap_mb, 25 MiB), each flattened
 * into one buffer for one all-reduce. They are reduced after the backward pass, not overlapped with
 * it (the binding has no autograd hooks). The mean over ranks of per-rank mean losses equals the
 * mean over the union of their batches when the ranks' batches are the same size. Loss weightings that
 * read the batch (gradnorm, dwa) and gradient surgery have their per-task measurements averaged first
 * (`average`, called by src/train/step.ts), so every rank updates the strategy alike.
 */
import { ConfigError, TorchError } from '../errors.js';
import { tensor, type Tensor, type TypedArray } from '../tensor/index.js';
import type { ProcessGroup } from '../tensor/process-group.js';
import { typedArrayClass } from '../tensor/dtype.js';

/** DDP's default bucket size: 25 MiB. */
export const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;

/**
 * `tensors` cut into runs of one dtype with at most `bucketBytes` each (a tensor larger than that is a
 * bucket alone); order kept.
 */
function buckets(tensors: readonly Tensor[], bucketBytes: number): Tensor[][] {
  const out: Tensor[][] = [];
  let current: Tensor[] = [];
  let bytes = 0;
  for (const t of tensors) {
    const size = t.numel * typedArrayClass(t.dtype).BYTES_PER_ELEMENT;
    const first = current[0];
    if (first !== undefined && (first.dtype !== t.dtype || bytes + size > bucketBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(t);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export class DataParallel {
  /** Seconds spent in gradient all-reduces (the communication share of the steps). */
  commSeconds = 0;

  /**
   * @param group the ranks that train together (owned by the caller).
   * @param bucketBytes most bytes of gradients per all-reduce.
   */
  constructor(
    readonly group: ProcessGroup,
    readonly bucketBytes = DEFAULT_BUCKET_BYTES,
  ) {
    if (!Number.isInteger(bucketBytes) || bucketBytes < 1)
      throw new ConfigError(`bucketBytes must be a positive integer, got ${bucketBytes}`);
  }

  get rank(): number {
    return this.group.rank;
  }

  get worldSize(): number {
    return this.group.worldSize;
  }

  /** Rank 0: the one that writes checkpoints and logs and evaluates. */
  get isLeader(): boolean {
    return this.group.rank === 0;
  }

  /** Runs collective `what`; a failure says which rank saw it and what it means. */
  async #collective<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof TorchError)) throw e;
      throw new TorchError(
        `rank ${this.rank} of ${this.worldSize}: ${what} with the other ranks failed (a rank stopped, crashed or stalls past the timeout; see its output): ${e.message}`,
        { ...(e.op === undefined ? {} : { op: e.op }), torchMessage: e.torchMessage },
        e,
      );
    }
  }

  /** Gives every rank's `params` rank 0's values, in place. */
  async broadcastParameters(params: readonly Tensor[]): Promise<void> {
    await this.#collective('the broadcast of the parameters', async () => {
      for (const bucket of buckets(params, this.bucketBytes)) await this.group.broadcast(bucket, 0);
    });
  }

  /**
   * Replaces the `.grad` of each of `params` by its mean over the ranks. Parameters without a gradient
   * are skipped: every rank must have gradients for the same parameters (the same tasks in the step).
   */
  async allReduceGradients(params: readonly Tensor[]): Promise<void> {
    const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== undefined);
    try {
      await this.average(grads, 'the all-reduce of the gradients');
    } finally {
      for (const g of grads) g.dispose(); // the handles read above; the gradients stay with their parameters
    }
  }

  /**
   * Replaces each of `tensors` (detached; the same shapes and dtypes on every rank, in the same order)
   * by its mean over the ranks, in place; `what` names them in an error. The time counts in `commSeconds`.
   */
  async average(tensors: readonly Tensor[], what: string): Promise<void> {
    const started = performance.now();
    try {
      await this.#collective(what, async () => {
        for (const bucket of buckets(tensors, this.bucketBytes)) await this.group.allReduce(bucket, 'avg');
      });
    } finally {
      this.commSeconds += (performance.now() - started) / 1000;
    }
  }

  /** Whether `flag` is true on any rank (every rank must call it at the same point). */
  async anyRank(flag: boolean): Promise<boolean> {
    const t = tensor([flag ? 1 : 0]);
    try {
      await this.#collective('agreeing on a stop', () => this.group.allReduce([t], 'sum'));
      return (t.item() as number) > 0;
    } finally {
      t.dispose();
    }
  }

  /**
   * Every rank's `value` (plain JSON: numbers, strings, booleans, null, arrays, objects), in rank order
   * (what sharded evaluation gathers, src/eval/shard.ts). The values travel as UTF-8 bytes, padded to
   * the longest; numbers come back exactly (JSON writes doubles round-trip), NaN and ±Infinity as null.
   */
  async allGather(value: unknown): Promise<unknown[]> {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    return this.#collective('the all-gather of evaluation results', async () => {
      const lengths = await this.#gather(tensor([bytes.length], { dtype: 'int64' }));
      const sizes = lengths.map((l) => Number((l as BigInt64Array)[0]));
      const padded = new Uint8Array(Math.max(...sizes));
      padded.set(bytes);
      const parts = await this.#gather(tensor(padded, { dtype: 'uint8' }));
      const decoder = new TextDecoder();
      return parts.map((p, r) => JSON.parse(decoder.decode((p as Uint8Array).subarray(0, sizes[r]))) as unknown);
    });
  }

  /** The elements of every rank's `t` (disposed here), in rank order. */
  async #gather(t: Tensor): Promise<TypedArray[]> {
    try {
      const parts = await this.group.allGather(t);
      try {
        return parts.map((p) => p.dataSync());
      } finally {
        for (const p of parts) p.dispose();
      }
    } finally {
      t.dispose();
    }
  }

  /** Rank 0's `flag`, on every rank (every rank must call it at the same point). */
  async fromLeader(flag: boolean): Promise<boolean> {
    const t = tensor([flag ? 1 : 0]);
    try {
      await this.#collective("receiving rank 0's decision", () => this.group.broadcast([t], 0));
      return (t.item() as number) > 0;
    } finally {
      t.dispose();
    }
  }
}
