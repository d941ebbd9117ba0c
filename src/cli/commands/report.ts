/** `mtl report RUN_DIR`: its arguments, flags and help; the work is ../report.ts's, loaded when the command runs. */
import type { Command } from 'commander';
import { UsageError, checked, oneOf } from '../args.js';
import type { CliContext } from '../context.js';
import type { ReportFlags } from '../report.js';

/** --out's value: a file name, not empty. */
function outFile(text: string, flag: string): string {
  if (text === '') throw new UsageError(`${flag} needs a file name (e.g. ${flag} report.html)`);
  return text;
}

export function defineReport(program: Command, cli: CliContext): void {
  program
    .command('report')
    .summary('write an HTML report of a training run: curves, task conflicts, per-label reports')
    .description(
      'Write a self-contained HTML page of a training run (its output folder): loss, learning-rate and task-weight curves, ' +
        'dev metrics over training, task-gradient conflicts (training.gradient_conflict_every), and the best checkpoint ' +
        "evaluated per task: per-label scores, confusion matrices, ROC and precision-recall curves. Prints the page's path.",
    )
    .argument('<run_dir>', "a training run's output folder (its output_dir, with metrics.jsonl)")
    .addOption(checked('--out <file>', 'the HTML file to write (default RUN_DIR/report.html)', outFile))
    .addOption(
      checked('--split <split>', "the split the checkpoint's per-task reports are evaluated on", oneOf(['dev', 'test'] as const)).default(
        'dev',
      ),
    )
    .option('--no-eval', "leave out the per-task reports (no evaluation; the run's data is not needed)")
    .action(async (runDir: string, flags: ReportFlags) => {
      const { runReport } = await import('../report.js');
      cli.exitCode = await runReport(runDir, flags);
    });
}
