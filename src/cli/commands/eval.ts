/** `mtl eval CKPT`: its arguments, flags and help; the work is ../eval.ts's, loaded when the command runs. */
import type { Command } from 'commander';
import { UsageError, checked, oneOf } from '../args.js';
import type { CliContext } from '../context.js';
import type { EvalFlags } from '../eval.js';

/** --report's value: a file name, not empty. */
function reportFile(text: string, flag: string): string {
  if (text === '') throw new UsageError(`${flag} needs a file name to write the report to (e.g. ${flag} report.json)`);
  return text;
}

export function defineEval(program: Command, cli: CliContext): void {
  program
    .command('eval')
    .summary("evaluate a checkpoint on its run's data; print the metrics as JSON")
    .description("Evaluate a checkpoint folder on its run's data (from its training_config.yaml); prints JSON.")
    .argument('<checkpoint>', 'a checkpoint folder (<output_dir>/best or /last)')
    .addOption(checked('--split <split>', 'dev or test', oneOf(['dev', 'test'] as const)).default('dev'))
    .addOption(
      checked(
        '--report <file>',
        "also write each task's report (per-label scores, confusion matrix, ROC and PR curves) to FILE as JSON, and print its tables on stderr",
        reportFile,
      ),
    )
    .action(async (checkpoint: string, flags: EvalFlags) => {
      const { runEval } = await import('../eval.js');
      cli.exitCode = await runEval(checkpoint, flags);
    });
}
