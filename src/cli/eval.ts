/**
 * What `mtl eval CKPT` runs: evaluates a model folder on its run's data, or on the data given with
 * --data, and prints the metrics as JSON; with --report, also each task's detailed report (per-label
 * scores, confusion matrix) on stderr and, with --report FILE, the whole report (ROC and
 * precision-recall curves too) in FILE as JSON. An existing FILE is replaced only with --overwrite.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateCheckpoint } from '../eval/checkpoint.js';
import type { DataFormat, EvalData } from '../eval/given-data.js';
import { formatReports } from '../eval/report-text.js';
import { ConfigError } from '../errors.js';
import { stderrLogger } from '../logger.js';
import { UsageError } from './args.js';

/** `mtl eval`'s flags, parsed (src/cli/commands/eval.ts declares them). */
export interface EvalFlags {
  split: 'dev' | 'test';
  /** true: print the report; a file name: also write it there. */
  report?: string | true;
  /** Replace --report's FILE when it exists (without it, an existing file stops the command before anything is evaluated). */
  overwrite?: boolean;
  data?: string;
  format?: DataFormat;
  task?: string;
  textField?: string;
  labelField?: string;
}

/** The data of --data and the flags that go with it; usage errors for those flags without --data, or for a folder that needs --data. */
function givenData(dir: string, flags: EvalFlags): EvalData | undefined {
  const { data, format, task, textField, labelField } = flags;
  if (data === undefined) {
    const without = (['format', 'task', 'textField', 'labelField'] as const).find((k) => flags[k] !== undefined);
    if (without !== undefined)
      throw new UsageError(`--${without.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} goes with --data FILE (the data to evaluate on)`);
    if (existsSync(path.join(dir, 'config.json')) && !existsSync(path.join(dir, 'training_config.yaml')))
      throw new UsageError(
        `${dir} has no training_config.yaml naming its data (a Hugging Face folder has none): give the data to evaluate on, ` +
          `mtl eval ${dir} --data FILE --format FORMAT [--task NAME] [--text-field NAME --label-field NAME]`,
      );
    return undefined;
  }
  return {
    file: data,
    ...(format === undefined ? {} : { format }),
    ...(task === undefined ? {} : { task }),
    ...(textField === undefined ? {} : { textField }),
    ...(labelField === undefined ? {} : { labelField }),
  };
}

/**
 * Refuses to write over an existing --report FILE unless --overwrite is given, as `mtl train` refuses an
 * output folder that holds a run; checked before the evaluation, which can take minutes.
 * @throws UsageError for --overwrite without --report FILE; ConfigError when FILE exists (or is a folder) without --overwrite.
 */
function checkReportFile(report: string | true | undefined, overwrite: boolean): void {
  if (typeof report !== 'string') {
    if (overwrite) throw new UsageError('--overwrite goes with --report FILE (it allows replacing an existing FILE)');
    return;
  }
  if (!existsSync(report)) return;
  if (statSync(report).isDirectory()) throw new ConfigError(`--report ${report} is a folder; name a file to write the report to`);
  if (!overwrite)
    throw new ConfigError(
      `--report ${report}: the file exists; pass --overwrite to replace it, or name another file (nothing was evaluated)`,
    );
}

/** Runs `mtl eval` on the model folder `dir`; returns the exit code. */
export async function runEval(dir: string, flags: EvalFlags): Promise<number> {
  const report = flags.report;
  checkReportFile(report, flags.overwrite === true);
  const data = givenData(dir, flags);
  const r = await evaluateCheckpoint(dir, {
    split: flags.split,
    logger: stderrLogger,
    report: report !== undefined,
    ...(data === undefined ? {} : { data }),
  });
  const out = {
    checkpoint: r.checkpoint,
    step: r.step,
    split: r.split,
    ...(data === undefined ? {} : { data: path.resolve(data.file) }),
    metrics: r.metrics,
    losses: r.losses,
    joint: r.joint,
    examples: r.examples,
  };
  if (report !== undefined && r.reports !== undefined) {
    console.error(formatReports(r.reports));
    if (typeof report === 'string') {
      writeFileSync(report, `${JSON.stringify({ checkpoint: r.checkpoint, split: r.split, reports: r.reports }, null, 2)}\n`);
      console.error(`report written to ${report}`);
    }
  }
  console.log(JSON.stringify(out, null, 2));
  return 0;
}
