/**
 * Process groups: PyTorch's c10d collectives (Gloo) between processes, as torch.distributed offers
 * them. Every rank creates the group with the same rendezvous (a TCP store served by rank 0, or a
 * file on a shared filesystem); the collectives are then called by every rank in the same order.
 *
 * Each collective returns a Promise and waits off the event loop (native/distributed.cc); a peer that
 * died rejects it at once (Gloo sees the connection close), one that stalls after `timeoutMs`. The
 * tensors of a call must not be used until its Promise settles. Failures are TorchErrors.
 */
import { ConfigError } from '../errors.js';
import { GradientReducer } from './gradient-reducer.js';
import { native, type NativeGroup } from './native.js';
import { Tensor } from './tensor.js';

/** How the ranks find each other. */
export type Rendezvous =
  | {
      readonly store: 'tcp';
      /** Address of rank 0, which serves the store (MASTER_ADDR). */
      readonly host: string;
      /** Its port (MASTER_PORT). */
      readonly port: number;
    }
  | {
      readonly store: 'file';
      /** A file every rank can reach; it must not exist before the group is first created. */
      readonly path: string;
    };

export interface ProcessGroupOptions {
  /** This process's rank, 0 … worldSize − 1. */
  readonly rank: number;
  /** Processes in the group. */
  readonly worldSize: number;
  readonly rendezvous: Rendezvous;
  /** Longest wait for each collective, in ms. Default 30 min (torch's). */
  readonly timeoutMs?: number;
  /**
   * Longest wait for every rank to join (store connection and Gloo's connections between ranks), in ms.
   * Default: `timeoutMs`. Longer than `timeoutMs` where ranks start slowly but collectives must fail fast.
   */
  readonly rendezvousTimeoutMs?: number;
  /** Address this rank's Gloo transport binds to; default: this machine's hostname, else loopback. */
  readonly hostname?: string;
}

const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

/** Whether the linked addon was built with c10d's Gloo group (Gloo's headers present at build time). */
export const processGroupsAvailable = (): boolean => native.pgAvailable();

function checkOptions(o: ProcessGroupOptions): void {
  if (!Number.isInteger(o.worldSize) || o.worldSize < 1) throw new ConfigError(`world size must be a positive integer, got ${o.worldSize}`);
  if (!Number.isInteger(o.rank) || o.rank < 0 || o.rank >= o.worldSize)
    throw new ConfigError(`rank must be an integer from 0 to ${o.worldSize - 1} (world size ${o.worldSize}), got ${o.rank}`);
  for (const [key, value] of [
    ['timeoutMs', o.timeoutMs],
    ['rendezvousTimeoutMs', o.rendezvousTimeoutMs],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      throw new ConfigError(`${key} must be a positive integer (ms), got ${value}`);
  }
  if (o.rendezvous.store === 'tcp' && (!Number.isInteger(o.rendezvous.port) || o.rendezvous.port < 1 || o.rendezvous.port > 65535))
    throw new ConfigError(`the rendezvous port must be an integer from 1 to 65535, got ${o.rendezvous.port}`);
}

export class ProcessGroup {
  #group: NativeGroup | undefined;

  private constructor(
    group: NativeGroup,
    readonly rank: number,
    readonly worldSize: number,
  ) {
    this.#group = group;
  }

  /**
   * Joins the group; settles once every rank has joined.
   * @throws ConfigError for a bad rank, world size, port or timeout; TorchError when the rendezvous
   *   fails or times out, or the addon was built without Gloo.
   */
  static async create(options: ProcessGroupOptions): Promise<ProcessGroup> {
    checkOptions(options);
    const r = options.rendezvous;
    const group = await native.pgCreate({
      rank: options.rank,
      worldSize: options.worldSize,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      rendezvousTimeoutMs: options.rendezvousTimeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      store: r.store,
      ...(r.store === 'tcp' ? { host: r.host, port: r.port } : { path: r.path }),
      ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
    });
    return new ProcessGroup(group, options.rank, options.worldSize);
  }

  get #handle(): NativeGroup {
    if (this.#group === undefined) throw new ConfigError('the process group was destroyed');
    return this.#group;
  }

  /**
   * Replaces each tensor, in place, by its element-wise sum (or mean) over the ranks. The tensors
   * (any shapes, one dtype) travel as one flat buffer: one collective per call.
   */
  async allReduce(tensors: readonly Tensor[], op: 'sum' | 'avg' = 'sum'): Promise<void> {
    await native.pgAllReduce(
      this.#handle,
      tensors.map((t) => t.id),
      op,
    );
  }

  /** Gives every rank's tensors, in place, the values they have on rank `root`. */
  async broadcast(tensors: readonly Tensor[], root = 0): Promise<void> {
    await native.pgBroadcast(
      this.#handle,
      tensors.map((t) => t.id),
      root,
    );
  }

  /**
   * Every rank's `tensor` (same shape and dtype on all ranks), index = rank. The returned tensors
   * belong to the caller (made after an await, they are in no `tidy` scope): dispose them.
   */
  async allGather(tensor: Tensor): Promise<Tensor[]> {
    const ids = await native.pgAllGather(this.#handle, tensor.id);
    return ids.map((id) => new Tensor(id));
  }

  /** Settles when every rank has called it. */
  async barrier(): Promise<void> {
    await native.pgBarrier(this.#handle);
  }

  /**
   * A reducer of the gradients of `buckets` over this group during the backward pass (./gradient-reducer.ts),
   * buckets launched in the order given (the same on every rank); `foldFlags`: the "had a gradient"
   * flags ride in the last bucket where its dtype allows. The caller destroys it.
   */
  gradientReducer(buckets: readonly (readonly Tensor[])[], foldFlags = true): GradientReducer {
    return new GradientReducer(this.#handle, buckets, foldFlags);
  }

  /** Leaves the group (calls under way finish first). Idempotent. */
  destroy(): void {
    if (this.#group === undefined) return;
    native.pgDestroy(this.#group);
    this.#group = undefined;
  }

  [Symbol.dispose](): void {
    this.destroy();
  }
}
