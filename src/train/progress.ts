/**
 * Progress of a run: a live bar (cli-progress) with loss, throughput and ETA when the output is a
 * terminal, plain log lines every `log_every` steps otherwise (logs, CI, pipes). Log lines written
 * while the bar is shown go above it.
 */
import cliProgress from 'cli-progress';
import type { Logger } from '../logger.js';

/** Where training stands after an optimizer step (what `onProgress` receives). */
export interface ProgressInfo {
  readonly step: number;
  readonly totalSteps: number;
  /** Passes over the training data (all streams' batches), fractional. */
  readonly epoch: number;
  /** Mean weighted total loss over the steps since the last report. */
  readonly loss: number;
  /** Mean loss of each task over the batches since the last report that had it. */
  readonly taskLosses: Readonly<Record<string, number>>;
  readonly lr: number;
  /** Training examples (and non-padding tokens) per second of training time since the last report. */
  readonly examplesPerSecond: number;
  readonly tokensPerSecond: number;
  /** Seconds of training (evaluation excluded) in this process so far. */
  readonly elapsedSeconds: number;
  /** Seconds left at this process's average step time. */
  readonly etaSeconds: number;
  /** With a loss scaler (`training.grad_scaler`, fp16): its scale after this step, and the steps it skipped since the last report. */
  readonly lossScale?: number;
  readonly skippedSteps?: number;
}

/** 75 → '1m15s', 3725 → '1h02m'. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const fixed = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

/** The plain-text line of a progress report. */
export function progressLine(p: ProgressInfo): string {
  const tasks = Object.entries(p.taskLosses)
    .map(([t, l]) => `${t} ${fixed(l)}`)
    .join(', ');
  const pct = ((100 * p.step) / p.totalSteps).toFixed(0);
  return (
    `step ${p.step}/${p.totalSteps} (${pct}%) | epoch ${p.epoch.toFixed(2)} | loss ${fixed(p.loss)}${tasks ? ` (${tasks})` : ''} | ` +
    `lr ${p.lr.toExponential(2)} | ${p.examplesPerSecond.toFixed(0)} ex/s, ${p.tokensPerSecond.toFixed(0)} tok/s | ` +
    `${formatDuration(p.elapsedSeconds)} elapsed, ETA ${formatDuration(p.etaSeconds)}`
  );
}

export interface ReporterOptions {
  /** Show a live bar (on `stream`); false: plain lines through `logger`. */
  readonly bar: boolean;
  readonly logger: Logger;
  /** Where the bar is drawn (default process.stdout). */
  readonly stream?: NodeJS.WritableStream;
}

export class ProgressReporter implements Logger {
  readonly #logger: Logger;
  readonly #multi: cliProgress.MultiBar | undefined;
  #bar: cliProgress.SingleBar | undefined;

  constructor(options: ReporterOptions) {
    this.#logger = options.logger;
    if (options.bar) {
      this.#multi = new cliProgress.MultiBar({
        stream: options.stream ?? process.stdout,
        format: '{bar} {value}/{total} | loss {loss} | {exs} ex/s {toks} tok/s | lr {lr} | {elapsed} elapsed, ETA {etaText}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        fps: 5,
      });
    }
  }

  /** A log line: above the bar when there is one. */
  info(line: string): void {
    if (this.#multi !== undefined && this.#bar !== undefined) this.#multi.log(`${line}\n`);
    else this.#logger.info(line);
  }

  /** Reports a step; `logLine` also writes the plain line (every `log_every` steps) when there is no bar. */
  update(p: ProgressInfo, logLine: boolean): void {
    if (this.#multi === undefined) {
      if (logLine) this.#logger.info(progressLine(p));
      return;
    }
    const payload = {
      loss: fixed(p.loss),
      exs: p.examplesPerSecond.toFixed(0),
      toks: p.tokensPerSecond.toFixed(0),
      lr: p.lr.toExponential(2),
      elapsed: formatDuration(p.elapsedSeconds),
      etaText: formatDuration(p.etaSeconds),
    };
    if (this.#bar === undefined) this.#bar = this.#multi.create(p.totalSteps, p.step, payload);
    else this.#bar.update(p.step, payload);
  }

  /** Removes the bar (leaving its last state on screen), after writing the lines logged since its last redraw. */
  stop(): void {
    if (this.#bar !== undefined) this.#multi?.update(); // cli-progress writes logged lines only on a redraw, which stop() skips
    this.#multi?.stop();
    this.#bar = undefined;
  }
}
