/**
 * `mtl report RUN_DIR`: the run's page from its metrics.jsonl and, unless asked not to, the detailed
 * report of its best checkpoint (`best/`, else `last/`) evaluated on the dev or test split
 * (src/eval/checkpoint.ts, as `mtl eval --report`).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { evaluateCheckpoint } from '../eval/checkpoint.js';
import { checkpointPaths, readMetrics, type JsonObject } from '../io/checkpoint.js';
import type { Logger } from '../logger.js';
import type { Split } from '../data/index.js';
import { renderRunReport } from './page.js';
import { runSeries } from './series.js';

/** What `writeRunReport` writes, and where. */
export interface RunReportOptions {
  /** The HTML file to write (default `<runDir>/report.html`). */
  readonly out?: string;
  /** The split the checkpoint's detailed report is evaluated on (default dev). */
  readonly split?: Split;
  /** Evaluate the checkpoint for per-label reports, confusion matrices and curves (default true; needs the run's data). */
  readonly evaluate?: boolean;
  /** Where the evaluation's data lines go (default none). */
  readonly logger?: Logger;
}

/** A value for the summary: numbers to 4 decimals, objects as 'key value, …' ('task: …; task: …' one level down). */
function text(v: unknown, depth = 0): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  if (Array.isArray(v)) return v.map((x) => text(x, depth + 1)).join(', ');
  if (typeof v !== 'object' || v === null) return String(v);
  return Object.entries(v)
    .map(([k, x]) => (typeof x === 'object' && x !== null ? `${k}: ${text(x, depth + 1)}` : `${k} ${text(x, depth + 1)}`))
    .join(depth === 0 ? '; ' : ', ');
}

/** The summary facts: the first start record, the last step, the selection, the test metrics. */
function summaryOf(runDir: string, records: readonly JsonObject[]): Record<string, string> {
  const start = records.find((r) => r.type === 'start');
  const lastStep = records.reduce((n, r) => (typeof r.step === 'number' ? Math.max(n, r.step) : n), 0);
  const dev = records.filter((r) => r.type === 'eval' && r.split === 'dev').at(-1);
  const test = records.filter((r) => r.type === 'eval' && r.split === 'test').at(-1);
  const out: Record<string, string> = { 'run folder': runDir };
  if (start !== undefined) {
    out.steps = `${lastStep} of ${text(start.total_steps)} (warm-up ${text(start.warmup_steps)})`;
    out.streams = text(start.streams);
    out.strategy = `${text(start.task_schedule)} schedule, ${text(start.weighting)} weighting${start.surgery ? `, ${text(start.surgery)}` : ''}`;
    out.parameters = `${text(start.parameters)} (${text(start.trainable_parameters)} trained)`;
    out.examples = text(start.examples);
  }
  if (dev?.selection !== undefined) {
    const s = dev.selection as JsonObject;
    out['model selection'] = `${text(s.metric)}: best ${text(s.best)} at step ${text(s.best_step)}`;
  }
  if (test !== undefined) out[`test (best checkpoint, step ${text(test.step)})`] = text(test.metrics);
  return out;
}

/**
 * Writes the report page of the run in `runDir` (a training run's output_dir, holding metrics.jsonl):
 * one self-contained HTML file (no network) with the run's loss, learning-rate, task-weight and dev
 * metric curves, the task-conflict charts when `training.gradient_conflict_every` sampled them, and,
 * unless `evaluate` is false, the per-label report, confusion matrix and ROC / precision-recall curves
 * of each task of `best/` (else `last/`) evaluated on `split`. What `mtl report RUN_DIR` runs.
 * @returns the file written (`options.out`, default `<runDir>/report.html`).
 * @throws ConfigError when `runDir` has no metrics.jsonl; what evaluateCheckpoint throws when evaluating.
 * @example
 *   const result = await train(config);
 *   const page = await writeRunReport(result.outputDir, { split: 'dev' }); // runs/…/report.html
 */
export async function writeRunReport(runDir: string, options: RunReportOptions = {}): Promise<string> {
  const paths = checkpointPaths(runDir);
  if (!existsSync(paths.metrics))
    throw new ConfigError(`${runDir} has no metrics.jsonl: give the output folder of a training run (its output_dir)`);
  const records = readMetrics(paths.metrics);
  const split = options.split ?? 'dev';
  let reports: Record<string, Readonly<Record<string, unknown>>> | undefined;
  let source: string | undefined;
  if (options.evaluate ?? true) {
    const dir = existsSync(paths.best) ? paths.best : paths.last;
    const result = await evaluateCheckpoint(dir, { split, report: true, ...(options.logger ? { logger: options.logger } : {}) });
    reports = result.reports;
    source = `${path.basename(dir)}/ at step ${result.step ?? '?'} on ${split}`;
  }
  const html = renderRunReport({
    title: `Run report: ${path.basename(path.resolve(runDir))}`,
    series: runSeries(records),
    summary: summaryOf(runDir, records),
    ...(reports === undefined ? {} : { reports }),
    ...(source === undefined ? {} : { reportSource: source }),
  });
  const out = options.out ?? path.join(runDir, 'report.html');
  writeFileSync(out, html);
  return out;
}
