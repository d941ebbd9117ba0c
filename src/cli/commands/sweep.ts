/** `mtl sweep CONFIG SPACE`: its arguments, flags and help; the work is ../sweep.ts's, loaded when the command runs. */
import type { Command } from 'commander';
import { checked, positiveInt } from '../args.js';
import type { CliContext } from '../context.js';
import type { SweepFlags } from '../sweep.js';

export function defineSweep(program: Command, cli: CliContext): void {
  program
    .command('sweep')
    .summary('hyper-parameter search (grid, random, TPE) with ASHA early termination')
    .description(
      "Hyper-parameter search over the space file's parameters (dotted config paths; choice, uniform, log_uniform, int), " +
        'grid / random / TPE sampling, ASHA early termination on the dev metric; each trial is mtl train in a child process; ' +
        "results.md, results.json and best_config.yaml in the space's output_dir. Run again after an interruption to continue " +
        '(docs/sweep-and-continual.md).',
    )
    .argument('<config>', 'the training config: a .yaml file, or a .ts/.mjs module whose default export is the config')
    .argument('<space>', 'the space file: the parameters to search and how')
    .addOption(checked('--parallel <n>', 'trials trained at once', positiveInt).default(1))
    .option('--quiet', 'print only the table')
    .action(async (config: string, space: string, flags: SweepFlags) => {
      const { runSweep } = await import('../sweep.js');
      cli.exitCode = await runSweep(config, space, flags);
    });
}
