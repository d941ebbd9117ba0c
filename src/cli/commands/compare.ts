/** `mtl compare CONFIG`: its arguments, flags and help; the work is ../compare.ts's, loaded when the command runs. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { CompareFlags } from '../compare.js';
import { checked, seedList } from '../args.js';

export function defineCompare(program: Command, cli: CliContext): void {
  program
    .command('compare')
    .summary('train one task mixture under several strategies and each task alone; print the table')
    .description(
      'Train one task mixture under several strategies (a compare config: a base training config plus overrides per ' +
        'strategy) and each task alone, with the same budget, once per seed; writes <output_dir>/compare.md and compare.json ' +
        '(per-task test metrics, average and Δ vs single-task as mean ± std with 95 % confidence intervals over the seeds; steps, ' +
        'examples per task, wall time, parameters, encoder passes per request). Finished runs are reused when run again.',
    )
    .argument('<config>', 'the compare config (YAML); its base training config a .yaml file or a .ts/.mjs module')
    .option('--quiet', 'print only the table')
    .addOption(checked('--seeds <list>', "train each arm once per seed, e.g. 1,2,3 (replaces the compare config's seeds)", seedList))
    .action(async (config: string, flags: CompareFlags) => {
      const { runCompare } = await import('../compare.js');
      cli.exitCode = await runCompare(config, flags);
    });
}
