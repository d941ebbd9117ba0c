/**
 * What `mtl eval CKPT` runs: evaluates a checkpoint on its run's data and prints the metrics as JSON;
 * with --report, also each task's detailed report (per-label scores, confusion matrix, ROC and
 * precision-recall curves) into FILE as JSON, and its tables on stderr.
 */
import { writeFileSync } from 'node:fs';
import { evaluateCheckpoint } from '../eval/checkpoint.js';
import { formatReports } from '../eval/report-text.js';
import { stderrLogger } from '../logger.js';

/** `mtl eval`'s flags, parsed (src/cli/commands/eval.ts declares them). */
export interface EvalFlags {
  split: 'dev' | 'test';
  report?: string;
}

/** Runs `mtl eval` on the checkpoint folder `dir`; returns the exit code. */
export async function runEval(dir: string, flags: EvalFlags): Promise<number> {
  const report = flags.report;
  const r = await evaluateCheckpoint(dir, { split: flags.split, logger: stderrLogger, report: report !== undefined });
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
