/**
 * Callbacks: what a library user hooks into the training loop, as Hugging Face's `TrainerCallback`
 * (on_log, on_evaluate, on_save). They are called on the process that writes the run (rank 0 of a
 * data-parallel run), synchronously, in the order given; an error thrown by one stops the run (it is
 * never swallowed). Built-in integrations (`report_to: [tensorboard]`) are callbacks too.
 */
import type { EvalResult } from '../eval/evaluate.js';

/** A record of the run's log, as metrics.jsonl holds it (`type`: start, train, eval, interrupted, …). */
export type LogRecord = Readonly<Record<string, unknown>> & { readonly type: string; readonly step: number };

/** What `onEvaluate` receives: the dev evaluation at `step` and the model selection it fed. */
export interface EvaluateEvent {
  readonly step: number;
  readonly epoch: number;
  readonly result: EvalResult;
  /** The selection metric ('average' or '<task>.<metric>'), its value now, and whether it is a new best. */
  readonly metric: string;
  readonly value: number;
  readonly improved: boolean;
}

/** What `onSave` receives: the checkpoint folder just written at `step`. */
export interface SaveEvent {
  readonly step: number;
  readonly dir: string;
  /** `last` (replaced at every evaluation), `best` (the selection improved), `numbered` (`checkpoint-<step>`, save_steps). */
  readonly kind: 'last' | 'best' | 'numbered';
}

/** Hooks into the training loop; each is optional. */
export interface TrainerCallback {
  /** A record was appended to metrics.jsonl (losses every log_every steps, evaluations, …). */
  onLog?(record: LogRecord): void;
  /** A dev evaluation finished (before its checkpoints are saved). */
  onEvaluate?(event: EvaluateEvent): void;
  /** A checkpoint folder was written. */
  onSave?(event: SaveEvent): void;
}

/** Calls every callback that has the hook, in order. */
export function dispatch<K extends keyof TrainerCallback>(
  callbacks: readonly TrainerCallback[],
  hook: K,
  event: Parameters<NonNullable<TrainerCallback[K]>>[0],
): void {
  for (const cb of callbacks) (cb[hook] as ((e: typeof event) => void) | undefined)?.call(cb, event);
}
