/** `mtl eval CKPT`: its arguments, flags and help; the work is ../eval.ts's, loaded when the command runs. */
import type { Command } from 'commander';
import { DATA_FORMATS } from '../../io/config/data-formats.js';
import { UsageError, checked, oneOf } from '../args.js';
import type { CliContext } from '../context.js';
import type { EvalFlags } from '../eval.js';

/** --report's value, when one is given: a file name, not empty. */
function reportFile(text: string, flag: string): string {
  if (text === '') throw new UsageError(`${flag} needs a file name to write the report to (e.g. ${flag} report.json), or none`);
  return text;
}

export function defineEval(program: Command, cli: CliContext): void {
  program
    .command('eval')
    .summary("evaluate a checkpoint on its run's data (or given data); print the metrics as JSON")
    .description(
      "Evaluate a model folder on its run's data (from its training_config.yaml), or on --data FILE --format FORMAT: a checkpoint " +
        'of ours, or a Hugging Face …ForSequenceClassification / …ForTokenClassification folder (which has no training config). Prints JSON.',
    )
    .argument('<checkpoint>', 'a checkpoint folder (<output_dir>/best or /last), or a Hugging Face task-model folder')
    .addOption(checked('--split <split>', 'dev or test', oneOf(['dev', 'test'] as const)).default('dev'))
    .addOption(
      checked(
        '--report [file]',
        "print each task's report (per-label scores, confusion matrix) on stderr; with FILE, also write it (with ROC and PR curves) as JSON " +
          '(an existing FILE is refused before anything is evaluated, unless --overwrite)',
        reportFile,
      ),
    )
    .option('--overwrite', "replace --report's FILE when it exists (as mtl train --overwrite replaces a run)")
    .option('--data <file>', "evaluate on this file's examples instead of the training config's (a folder for joint-folder data)")
    .addOption(
      checked('--format <format>', "how --data is written (default the task's format in the training config)", oneOf(DATA_FORMATS)),
    )
    .option('--task <name>', 'the task --data is for (default the only task)')
    .option('--text-field <name>', "csv/tsv/jsonl --data: the text's column or field (default the training config's, else text)")
    .option('--label-field <name>', "csv/tsv/jsonl --data: the label's column or field (default the training config's, else label)")
    .action(async (checkpoint: string, flags: EvalFlags) => {
      const { runEval } = await import('../eval.js');
      cli.exitCode = await runEval(checkpoint, flags);
    });
}
