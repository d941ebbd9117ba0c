/**
 * Requests that arrive while the model is busy wait, then run together: when a prediction ends, every
 * request queued meanwhile (up to `maxInputs` inputs) goes into the next call, so concurrent callers
 * share encoder passes without any added wait — the dynamic batching of model servers (TorchServe's
 * batch aggregation, Triton's dynamic batcher) without their delay window, since here a request only
 * waits when the single model thread is taken anyway.
 */

/** Runs one call over the inputs of several requests; returns one output per input, in order. */
export type BatchFn<I, O> = (inputs: readonly I[]) => Promise<O[]>;

interface Pending<I, O> {
  inputs: readonly I[];
  resolve: (outputs: O[]) => void;
  reject: (error: unknown) => void;
}

export class Coalescer<I, O> {
  readonly #run: BatchFn<I, O>;
  readonly #maxInputs: number;
  readonly #queue: Pending<I, O>[] = [];
  #busy = false;

  /**
   * @param run the batched call (for `mtl serve`, the Predictor's `predict`).
   * @param maxInputs inputs per call at most; a single request with more runs alone.
   */
  constructor(run: BatchFn<I, O>, maxInputs: number) {
    this.#run = run;
    this.#maxInputs = maxInputs;
  }

  /**
   * The outputs for `inputs`, computed in one call with whatever else is queued.
   * @throws what the batched call throws (every request of that call gets the error).
   */
  submit(inputs: readonly I[]): Promise<O[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ inputs, resolve, reject });
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
