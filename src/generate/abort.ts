/** Cancelling a generation between its steps (a client gone, a timeout). */

/**
 * Lets the event loop run once (so an abort that arrives as a message or a timer is seen), then
 * throws the signal's reason if it was aborted. Without a signal it does nothing (no yield).
 * @throws the signal's `reason` when it is aborted.
 */
export async function betweenSteps(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return;
  await new Promise((resolve) => setImmediate(resolve));
  signal.throwIfAborted();
}
