/**
 * `mtl eval CKPT [--split dev|test] [--report FILE]`: evaluates a checkpoint on its run's data and
 * prints the metrics as JSON; with --report, also each task's detailed report (per-label scores,
 * confusion matrix, ROC and precision-recall curves) into FILE as JSON, and its tables on stderr.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { evaluateCheckpoint } from '../eval/checkpoint.js';
import { formatReports } from '../eval/report-text.js';
import { UsageError, onePositional } from './args.js';
import { stderrLogger } from '../logger.js';

export async function evalCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { split: { type: 'string', default: 'dev' }, report: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const dir = onePositional(positionals, 'checkpoint folder', 'eval');
  const split = values.split;
  if (split !== 'dev' && split !== 'test') throw new UsageError(`--split must be dev or test, got '${split}'`);
  const report = values.report;
  if (report === '') throw new UsageError('--report needs a file name to write the report to (e.g. --report report.json)');
  const r = await evaluateCheckpoint(dir, { split, logger: stderrLogger, report: report !== undefined });
  const out = {
    checkpoint: r.checkpoint,
    step: r.step,
    split: r.split,
    metrics: r.metrics,
    losses: r.losses,
    joint: r.joint,
    examples: r.examples,
  };
  if (report !== undefined && r.reports !== undefined) {
    writeFileSync(report, `${JSON.stringify({ checkpoint: r.checkpoint, split: r.split, reports: r.reports }, null, 2)}\n`);
    console.error(formatReports(r.reports));
    console.error(`report written to ${report}`);
  }
  console.log(JSON.stringify(out, null, 2));
  return 0;
}
