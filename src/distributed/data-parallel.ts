/**
 * Data parallelism as PyTorch's DistributedDataParallel does it, over a process group: every rank
 * holds the whole model, rank 0's parameters are broadcast at the start, each rank back-propagates
 * its own share of the batch, and the gradients are averaged over the ranks before the optimizer
 * step, so every rank takes the same step and the replicas stay equal.
 *
 * Gradients travel in buckets of at most `bucketBytes` (DDP's bucket_cap_mb, 25 MiB), each flattened
 * into one buffer for one all-reduce. Where the addon has gradient hooks (`overlapsBackward`), the
 * plain path reduces them during the step's last backward pass, as DDP's Reducer: `prepareBackward`
 * before it, and each bucket (DDP's assignment, `ddpBuckets`: the last parameters' first, the
 * parameters' first 1 MiB in the last) starts its all-reduce once its gradients are in, while the backward goes on;
 * `allReduceGradients` after it waits for the rest. With `rebuildBuckets`, after the first such step the buckets are rebuilt
 * once in the order the gradients came on rank 0 (DDP's rebuild_buckets, `rebuiltBuckets`; rank 0's
 * order broadcast, so every rank agrees), and the "had a gradient" flags ride in the last bucket. A
 * parameter without gradient on some ranks (a task head that only some ranks' batches trained) is
 * reduced with zeros there; one without gradient on every rank keeps none (DDP's
 * find_unused_parameters). Otherwise, or when the step did not prepare,
 * `allReduceGradients` reduces the gradients after the backward pass (every rank must then have
 * gradients for the same parameters). The mean over ranks of per-rank mean losses equals the mean
 * over the union of their batches when the ranks' batches are the same size. Loss weightings that read
 * the batch (gradnorm, dwa) and gradient surgery have their per-task measurements averaged first
 * (`average`, called by src/train/step.ts), so every rank updates the strategy alike; their gradients
 * are reduced after the backward pass.
 */
import { ConfigError, TorchError } from '../errors.js';
import { gradientReducerAvailable, tensor, type GradientReducer, type Tensor, type TypedArray } from '../tensor/index.js';
import type { ProcessGroup } from '../tensor/process-group.js';
import { bytesOf, ddpBuckets, DEFAULT_BUCKET_BYTES, DEFAULT_FIRST_BUCKET_BYTES, rebuiltBuckets } from './buckets.js';

export { DEFAULT_BUCKET_BYTES, DEFAULT_FIRST_BUCKET_BYTES, ddpBuckets, rebuiltBuckets } from './buckets.js';

/** How the overlapped reduction assigns buckets and carries its flags (`DataParallel`'s fourth argument). */
export interface OverlapOptions {
  /**
   * Rebuild the buckets once, after the first overlapped step, in the order its gradients came (DDP's rebuild_buckets).
   * Default false: on the SNIPS model DDP 1.13's rule lowered the share of the all-reduce hidden behind the backward from
   * 62 % to 7 % (docs/distributed.md); it pays where parameters are defined far from the backward's order.
   */
  readonly rebuildBuckets?: boolean;
  /** Carry the "had a gradient on some rank" flags in the last bucket, not in an all-reduce of their own. Default true. */
  readonly foldFlags?: boolean;
  /**
   * With `rebuildBuckets`: the rebuilt buckets' small cap (DDP's first-bucket cap, 1 MiB) on the last bucket, not the first
   * (`rebuiltBuckets`' `smallLastBucket`; PyTorch 2.x's `DDP_SET_LAST_BUCKET_CAP=1`). Default: whether the environment
   * variable DDP_SET_LAST_BUCKET_CAP is "1", as in PyTorch. Giving it true without `rebuildBuckets` is a ConfigError.
   */
  readonly smallLastBucket?: boolean;
}

/** The overlapped reducer of one parameter list, and its buckets flattened (the positions its ready order names). */
interface ReducerState {
  readonly reducer: GradientReducer;
  readonly params: readonly Tensor[];
  readonly flat: readonly Tensor[];
  readonly buckets: readonly (readonly Tensor[])[];
  readonly rebuilt: boolean;
}

/**
 * `tensors` cut into runs of one dtype with at most `bucketBytes` each (a tensor larger than that is a
 * bucket alone); order kept.
 */
function buckets(tensors: readonly Tensor[], bucketBytes: number): Tensor[][] {
  const out: Tensor[][] = [];
  let current: Tensor[] = [];
  let bytes = 0;
  for (const t of tensors) {
    const size = bytesOf(t);
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
  /**
   * Seconds the steps waited for gradient all-reduces (the communication share of the steps): their
   * whole time after the backward pass; with overlap, the part the backward pass did not hide.
   */
  commSeconds = 0;
  /** Over the overlapped steps: buckets reduced, and those whose all-reduce started before the backward pass ended. */
  readonly overlapBuckets = { total: 0, launchedEarly: 0 };
  /**
   * Over the overlapped steps after the first (which records the gradients' order; the buckets are
   * rebuilt after it): gradient elements reduced, those whose bucket started before the step's last
   * gradient came (the share h the backward can hide), and the collectives started after it (k: the
   * exposed ones, the flags' own all-reduce included when not folded).
   */
  readonly overlapShares = { steps: 0, elements: 0, earlyElements: 0, exposed: 0 };
  readonly rebuildBuckets: boolean;
  readonly foldFlags: boolean;
  readonly smallLastBucket: boolean;
  #reducer: ReducerState | undefined;
  #overlappedSteps = 0;

  /**
   * @param group the ranks that train together (owned by the caller).
   * @param bucketBytes most bytes of gradients per all-reduce.
   * @param overlap reduce the gradients during the backward pass where the addon can (`overlapsBackward`).
   * @param options the bucket rebuild (and its small last bucket) and the folded flags of the overlapped reduction (the folded flags on
   *   by default, the rebuild off).
   * @throws ConfigError for a bucket size that is not a positive integer, or smallLastBucket without rebuildBuckets.
   */
  constructor(
    readonly group: ProcessGroup,
    readonly bucketBytes = DEFAULT_BUCKET_BYTES,
    readonly overlap = true,
    options: OverlapOptions = {},
  ) {
    if (!Number.isInteger(bucketBytes) || bucketBytes < 1)
      throw new ConfigError(`bucketBytes must be a positive integer, got ${bucketBytes}`);
    this.rebuildBuckets = options.rebuildBuckets ?? false;
    this.foldFlags = options.foldFlags ?? true;
    if (options.smallLastBucket === true && !this.rebuildBuckets)
      throw new ConfigError('smallLastBucket applies to the rebuilt buckets only: give rebuildBuckets: true beside it');
    this.smallLastBucket = this.rebuildBuckets && (options.smallLastBucket ?? process.env.DDP_SET_LAST_BUCKET_CAP === '1');
  }

  /** The overlapped reduction's buckets (launched in this order), once `prepareBackward` made them; rebuilt after the first step. */
  get gradientBuckets(): readonly (readonly Tensor[])[] | undefined {
    return this.#reducer?.buckets;
  }

  /** Whether `prepareBackward` overlaps the gradients' all-reduce with the backward pass (asked for, and the addon has hooks). */
  get overlapsBackward(): boolean {
    return this.overlap && gradientReducerAvailable();
  }

  /**
   * Right before the step's last backward pass (one backward call, from `roots`; the plain path of
   * src/train/step.ts): the gradients of `params` (the same parameters every step, every rank alike)
   * are all-reduced in buckets as they come in, those the pass cannot reach at once;
   * `allReduceGradients` then finishes. A no-op without `overlapsBackward`.
   * @throws TorchError when the previous reduction failed or was not finished.
   */
  prepareBackward(params: readonly Tensor[], roots: readonly Tensor[]): void {
    if (!this.overlapsBackward) return;
    const current = this.#reducer;
    if (current === undefined || current.params.length !== params.length || current.params.some((p, i) => p.id !== params[i]!.id)) {
      current?.reducer.destroy();
      this.#reducer = this.#reducerOf(params, ddpBuckets(params, this.bucketBytes), !this.rebuildBuckets);
    }
    this.#reducer!.reducer.prepare(roots);
  }

  #reducerOf(params: readonly Tensor[], buckets: Tensor[][], rebuilt: boolean): ReducerState {
    const reducer = this.group.gradientReducer(buckets, this.foldFlags);
    return { reducer, params: [...params], flat: buckets.flat(), buckets, rebuilt };
  }

  /**
   * DDP's rebuild_buckets, once, after the first overlapped step: rank 0's gradient-ready order
   * (positions in the current buckets, flattened) is broadcast, and every rank builds the same buckets
   * from it (`rebuiltBuckets`: DDP's bucket cap and small first bucket) and a reducer over them.
   */
  async #rebuild(state: ReducerState, readyOrder: readonly number[]): Promise<void> {
    const P = state.flat.length;
    // rank 0's order, as P positions: -1 pads past those that had a gradient
    const order = tensor(
      Array.from({ length: P }, (_, i) => readyOrder[i] ?? -1),
      { dtype: 'int64' },
    );
    try {
      await this.group.broadcast([order], 0);
      const positions = Array.from(order.dataSync() as BigInt64Array, Number).filter((i) => i >= 0);
      state.reducer.destroy();
      this.#reducer = this.#reducerOf(
        state.params,
        rebuiltBuckets(state.flat, positions, this.bucketBytes, DEFAULT_FIRST_BUCKET_BYTES, this.smallLastBucket),
        true,
      );
    } finally {
      order.dispose();
    }
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
   * Replaces the `.grad` of each of `params` by its mean over the ranks. After `prepareBackward`, waits
   * for the reduction the backward pass started (`params` as given there). Otherwise reduces now, and
   * parameters without a gradient are skipped: every rank must have gradients for the same parameters
   * (the same tasks in the step).
   * @throws TorchError naming this rank when a rank failed or stalled past the group's timeout.
   */
  async allReduceGradients(params: readonly Tensor[]): Promise<void> {
    const state = this.#reducer;
    if (state?.reducer.prepared === true) {
      const started = performance.now();
      try {
        const done = await this.#collective('the all-reduce of the gradients', () => state.reducer.finish());
        this.overlapBuckets.total += done.buckets;
        this.overlapBuckets.launchedEarly += done.launched;
        if (this.#overlappedSteps++ > 0) {
          this.overlapShares.steps += 1;
          this.overlapShares.elements += done.elements;
          this.overlapShares.earlyElements += done.earlyElements;
          this.overlapShares.exposed += done.exposed;
        }
        if (!state.rebuilt) await this.#collective('the broadcast of the gradient buckets', () => this.#rebuild(state, done.readyOrder));
      } finally {
        this.commSeconds += (performance.now() - started) / 1000;
      }
      return;
    }
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

  /** Removes the gradient hooks of `prepareBackward` (the group stays with its owner). Idempotent. */
  destroy(): void {
    this.#reducer?.reducer.destroy();
    this.#reducer = undefined;
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
