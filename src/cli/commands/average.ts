/** `mtl average`: its arguments, flags and help; the work is ../average.ts's, loaded when the command runs. */
import type { Command } from 'commander';
import { checked, positiveInt } from '../args.js';
import type { CliContext } from '../context.js';
import type { AverageFlags } from '../average.js';

export function defineAverage(program: Command, cli: CliContext): void {
  program
    .command('average')
    .summary("average the weights of checkpoints (e.g. a run's last K) into one checkpoint for eval, predict and export")
    .description(
      'Write a checkpoint folder whose weights are the element-wise mean of the checkpoints given (Vaswani et al. 2017, §6.1: ' +
        '"averaging the last 5 checkpoints"; as fairseq\'s average_checkpoints.py), or, with --last K, of the last K numbered ' +
        'checkpoints (checkpoint-<step>/, by step) of one run folder. The checkpoints must hold the same model (tensor names, ' +
        'shapes, dtypes, config.json architecture, tasks, tokenizer). The output has no optimizer state: it evaluates, predicts, ' +
        'generates and exports like any checkpoint, but cannot be resumed.',
    )
    .argument('<checkpoints...>', 'checkpoint folders; with --last K, one run output folder')
    .requiredOption('--output <dir>', 'the folder to write (not an input; an existing folder only with --overwrite)')
    .addOption(checked('--last <k>', 'average the last K numbered checkpoints of the run folder given', positiveInt))
    .option('--overwrite', 'replace --output when it exists (never an input, nor a folder that holds one)')
    .action(async (checkpoints: string[], flags: AverageFlags) => {
      const { runAverage } = await import('../average.js');
      cli.exitCode = runAverage(checkpoints, flags);
    });
}
