/**
 * Gradients all-reduced over a process group while the backward pass runs, as PyTorch's DDP Reducer
 * (native/reducer.cc). Made by `ProcessGroup.gradientReducer(buckets)`: each parameter gets a gradient
 * hook; `prepare(roots)` arms them for the next backward pass (from `roots`), in which each bucket's
 * all-reduce starts as soon as all its gradients are in (and every bucket before it has started); the
 * parameters that pass cannot reach (a task head the step does not train) count as in at once, with
 * their `.grad` from earlier micro-batches or zeros (DDP's find_unused_parameters); `finish()`, after that
 * backward, reduces what did not come (zeros for a parameter without gradient on this rank), waits, and
 * leaves each parameter's `.grad` its mean over the ranks — none where no rank had one. Which parameters had
 * a gradient on some rank travels, with `foldFlags`, as 0/1 flags in the tail of the last bucket's buffer
 * (in its floating dtype, where the sum over the ranks is an exact integer: float32 up to 2^24 ranks,
 * bfloat16 up to 2^8), so no all-reduce of its own follows the backward; otherwise as one int32 all-reduce.
 *
 * With gradient accumulation, call `prepare` before the last micro-batch's backward only: the hooks run
 * after the gradient is accumulated into `.grad`, so they reduce the sum over the micro-batches. One backward call per prepared pass (a parameter whose
 * gradient comes twice fails `finish`). Every rank must prepare and finish at the same points.
 */
import { ConfigError } from '../errors.js';
import { native, type NativeGroup, type NativeReducer, type NativeReduction } from './native.js';
import type { Tensor } from './tensor.js';

/** Whether the linked addon can overlap the all-reduce with the backward pass (built with Gloo and native/reducer.cc). */
export function gradientReducerAvailable(): boolean {
  return typeof native.reducerAvailable === 'function' && native.reducerAvailable();
}

export class GradientReducer {
  #reducer: NativeReducer | undefined;
  #prepared = false;

  /**
   * @param group the native group (from ProcessGroup).
   * @param buckets leaves that require grad, each bucket of one dtype and device, launched in this order
   *   (the same on every rank); no parameter twice.
   * @param foldFlags carry the "had a gradient" flags in the last bucket where its dtype holds their sum exactly.
   * @throws TorchError for a parameter that is no leaf, does not require grad, or is given twice.
   */
  constructor(group: NativeGroup, buckets: readonly (readonly Tensor[])[], foldFlags = true) {
    this.#reducer = native.reducerCreate(
      group,
      buckets.map((b) => b.map((t) => t.id)),
      foldFlags,
    );
  }

  get #handle(): NativeReducer {
    if (this.#reducer === undefined) throw new ConfigError('the gradient reducer was destroyed');
    return this.#reducer;
  }

  /** Whether `prepare` was called and `finish` not yet. */
  get prepared(): boolean {
    return this.#prepared;
  }

  /**
   * Arms the hooks for the next backward pass, which starts from `roots` (the tensors `backward` is called on).
   * @throws TorchError while a reduction is under way or after one failed.
   */
  prepare(roots: readonly Tensor[]): void {
    native.reducerPrepare(
      this.#handle,
      roots.map((t) => t.id),
    );
    this.#prepared = true;
  }

  /**
   * After the prepared backward pass: every parameter's `.grad` becomes its mean over the ranks.
   * @returns what the pass did: `buckets`, and `launched` of them had started their all-reduce before
   *   this call (during the backward pass, or at `prepare` for parameters it could not reach);
   *   `readyOrder`, the positions in the flattened `buckets` of the constructor of the parameters whose
   *   gradient came in the pass, in the order it came (DDP's rebuilt_param_indices_); `earlyElements` of
   *   the buckets' `elements` started before the last gradient came (the share the backward can hide);
   *   `exposed`: collectives started after it; `flagsFolded`: the flags rode in the last bucket.
   * @throws TorchError when a rank failed or stalled past the group's timeout, or a gradient came twice.
   */
  async finish(): Promise<NativeReduction> {
    this.#prepared = false;
    return native.reducerFinish(this.#handle);
  }

  /** Removes the hooks. Idempotent. */
  destroy(): void {
    if (this.#reducer === undefined) return;
    native.reducerDestroy(this.#reducer);
    this.#reducer = undefined;
    this.#prepared = false;
  }

  [Symbol.dispose](): void {
    this.destroy();
  }
}
