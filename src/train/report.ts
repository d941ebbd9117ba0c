/**
 * What the loop reports between log lines: running means of the losses and throughput since the last
 * report (`StepWindow`), and the one-line summary of an evaluation.
 */
import { NON_FRACTION_METRICS } from '../tasks/index.js';
import type { EvalResult } from '../eval/evaluate.js';
import type { ModelSelector } from './selection.js';

/** Loss and throughput sums over the steps since the last `reset()`. */
export class StepWindow {
  #loss = 0;
  #steps = 0;
  #tasks = new Map<string, { sum: number; n: number }>();
  #examples = 0;
  #tokens = 0;
  #seconds = 0;
  #skipped = 0;

  /** A micro-batch: its weighted total loss (already divided by the accumulation steps), each task's loss, its size. */
  addBatch(loss: number, tasks: ReadonlyArray<readonly [string, number]>, examples: number, tokens: number): void {
    this.#loss += loss;
    for (const [name, value] of tasks) {
      const acc = this.#tasks.get(name) ?? { sum: 0, n: 0 };
      this.#tasks.set(name, { sum: acc.sum + value, n: acc.n + 1 });
    }
    this.#examples += examples;
    this.#tokens += tokens;
  }

  /** An optimizer step took `seconds`; `skipped` when the loss scaler skipped its update. */
  endStep(seconds: number, skipped = false): void {
    this.#steps++;
    this.#seconds += seconds;
    if (skipped) this.#skipped++;
  }

  /** Steps the loss scaler skipped since the last `reset()`. */
  get skippedSteps(): number {
    return this.#skipped;
  }

  means(): { loss: number; taskLosses: Record<string, number>; examplesPerSecond: number; tokensPerSecond: number } {
    const perSecond = (x: number) => (this.#seconds > 0 ? x / this.#seconds : 0);
    return {
      loss: this.#steps > 0 ? this.#loss / this.#steps : NaN,
      taskLosses: Object.fromEntries([...this.#tasks].map(([name, { sum, n }]) => [name, sum / n])),
      examplesPerSecond: perSecond(this.#examples),
      tokensPerSecond: perSecond(this.#tokens),
    };
  }

  reset(): void {
    this.#loss = 0;
    this.#steps = 0;
    this.#tasks = new Map();
    this.#examples = 0;
    this.#tokens = 0;
    this.#seconds = 0;
    this.#skipped = 0;
  }
}

const pct = (x: number | undefined): string => (x === undefined ? '?' : (100 * x).toFixed(2));

/** A metric as printed: fractions as percentages, other values (perplexity, counts) as they are. */
const shown = (name: string, x: number): string => (NON_FRACTION_METRICS.has(name) ? x.toFixed(2) : pct(x));

/** 'dev @ step 400: intent accuracy 95.43 f1Macro 95.40 | slots f1 88.12 … | intent+slots sentenceAccuracy 80.00 | slots.f1 88.12 (best 88.12 @ 400, new best)' */
export function describeEval(
  step: number,
  result: EvalResult,
  metric: string | undefined,
  value: number | undefined,
  selector: ModelSelector | undefined,
  improved: boolean,
): string {
  const parts = Object.entries(result.metrics).map(
    ([task, m]) =>
      `${task} ${Object.entries(m)
        .map(([k, v]) => `${k} ${shown(k, v)}`)
        .join(' ')}`,
  );
  for (const [stream, m] of Object.entries(result.joint))
    parts.push(
      `${stream} ${Object.entries(m)
        .map(([k, v]) => `${k} ${pct(v)}`)
        .join(' ')}`,
    );
  let line = `${result.split} @ step ${step}: ${parts.join(' | ')} (${result.examples} examples, ${result.seconds.toFixed(1)} s)`;
  if (metric !== undefined && value !== undefined && selector !== undefined) {
    line += ` | ${metric} ${value.toFixed(4)} (best ${selector.best?.toFixed(4)} @ ${selector.bestStep}${improved ? ', new best' : ''})`;
  }
  return line;
}
