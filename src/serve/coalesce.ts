/**
 * Requests that arrive while the model is busy wait, then run together: when a prediction ends, every
 * request queued meanwhile (up to `maxInputs` inputs) goes into the next call, so concurrent callers
 * share encoder passes without any added wait — the dynamic batching of model servers (TorchServe's
 * batch aggregation, Triton's dynamic batcher) without their delay window, since here a request only
 * waits when the single model thread is taken anyway. The queue is bounded (`maxQueued` inputs
 * waiting): past it a request is refused at once with a QueueFullError (`mtl serve`: 503 and
 * Retry-After) rather than waiting behind minutes of work; a request whose signal aborts (its
 * timeout, its client gone) leaves the queue.
 */

/** Runs one call over the inputs of several requests; returns one output per input, in order. */
export type BatchFn<I, O> = (inputs: readonly I[]) => Promise<O[]>;

interface Pending<I, O> {
  inputs: readonly I[];
  resolve: (outputs: O[]) => void;
  reject: (error: unknown) => void;
}

/** A request refused because the queue holds `queued` inputs and takes at most `limit`. */
export class QueueFullError extends Error {
  constructor(
    readonly queued: number,
    readonly limit: number,
  ) {
    super(`the queue is full (${queued} inputs waiting, at most ${limit}); try again shortly`);
  }
}

export class Coalescer<I, O> {
  readonly #run: BatchFn<I, O>;
  readonly #maxInputs: number;
  readonly #maxQueued: number;
  readonly #queue: Pending<I, O>[] = [];
  #queued = 0;
  #busy = false;

  /**
   * @param run the batched call (for `mtl serve`, the Predictor's `predict`).
   * @param maxInputs inputs per call at most; a single request with more runs alone.
   * @param maxQueued inputs waiting (not yet in a call) at most; default no limit. A request that
   *   would pass it is refused, unless the queue is empty (so any one request can run).
   */
  constructor(run: BatchFn<I, O>, maxInputs: number, maxQueued = Infinity) {
    this.#run = run;
    this.#maxInputs = maxInputs;
    this.#maxQueued = maxQueued;
  }

  /** Inputs waiting for a call (the call under way not counted). */
  get queued(): number {
    return this.#queued;
  }

  /** Whether a request of `inputs` inputs would be queued now rather than refused. */
  accepts(inputs: number): boolean {
    return this.#queued === 0 || this.#queued + inputs <= this.#maxQueued;
  }

  /**
   * The outputs for `inputs`, computed in one call with whatever else is queued.
   * @param signal aborting it (a timeout, the client gone) rejects the promise with its reason at
   *   once, and takes the inputs out of the queue if no call has taken them yet.
   * @throws QueueFullError at once when the queue is full (see the constructor); the signal's reason
   *   when aborted; else what the batched call throws (every request of that call gets the error).
   */
  submit(inputs: readonly I[], signal?: AbortSignal): Promise<O[]> {
    if (!this.accepts(inputs.length)) return Promise.reject(new QueueFullError(this.#queued, this.#maxQueued));
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const abort = () => {
        const at = this.#queue.indexOf(pending);
        if (at >= 0) {
          this.#queue.splice(at, 1);
          this.#queued -= inputs.length;
        }
        reject(signal?.reason as Error);
      };
      const pending: Pending<I, O> = {
        inputs,
        resolve: (outputs) => {
          signal?.removeEventListener('abort', abort);
          resolve(outputs);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', abort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.#queue.push(pending);
      this.#queued += inputs.length;
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (this.#queue.length > 0) {
        const batch = [this.#queue.shift() as Pending<I, O>];
        let size = batch[0]?.inputs.length ?? 0;
        while (this.#queue.length > 0 && size + (this.#queue[0]?.inputs.length ?? 0) <= this.#maxInputs) {
          const next = this.#queue.shift() as Pending<I, O>;
          size += next.inputs.length;
          batch.push(next);
        }
        this.#queued -= size;
        try {
          const outputs = await this.#run(batch.flatMap((p) => p.inputs));
          let at = 0;
          for (const p of batch) {
            p.resolve(outputs.slice(at, at + p.inputs.length));
            at += p.inputs.length;
          }
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      this.#busy = false;
    }
  }
}
