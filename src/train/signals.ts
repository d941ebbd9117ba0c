/**
 * Stopping a run cleanly: SIGINT (Ctrl-C) or SIGTERM, or an AbortSignal, asks the training loop to
 * stop after the current optimizer step; the loop then saves `last/` and returns. A second SIGINT or
 * SIGTERM is left to Node's default handling (the process exits at once): the last checkpoint written
 * is still whole, since every save replaces the folder atomically.
 *
 * Handlers run only when the loop yields to the event loop, which it does after every step.
 */

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export class InterruptWatch implements Disposable {
  #reason: string | undefined;
  readonly #handlers = new Map<NodeJS.Signals, () => void>();
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => (this.#reason ??= 'aborted');

  /**
   * @param options.signal stops the run when aborted.
   * @param options.processSignals handle SIGINT and SIGTERM (default false: a library does not take over the process's signals unless asked).
   */
  constructor(options: { signal?: AbortSignal; processSignals?: boolean } = {}) {
    this.#signal = options.signal;
    if (this.#signal?.aborted) this.#reason = 'aborted';
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (options.processSignals) {
      for (const name of SIGNALS) {
        const handler = () => {
          this.#reason ??= name;
          this.#removeHandlers(); // a second signal gets Node's default: exit now
        };
        this.#handlers.set(name, handler);
        process.once(name, handler);
      }
    }
  }

  /** Why the run should stop ('SIGINT', 'SIGTERM', 'aborted'), or undefined to go on. */
  get reason(): string | undefined {
    return this.#reason;
  }

  #removeHandlers(): void {
    for (const [name, handler] of this.#handlers) process.off(name, handler);
    this.#handlers.clear();
  }

  dispose(): void {
    this.#removeHandlers();
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Lets pending events (signals, timers, output) run: one turn of the event loop. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
