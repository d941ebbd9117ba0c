/** `mtl demo`: its flags and help; the work is ../demo.ts's `runDemo`, loaded when the command runs. */
import type { Command } from 'commander';
import { checked, nonNegativeInt, positiveInt } from '../args.js';
import type { CliContext } from '../context.js';
import { stdoutLogger } from '../../logger.js';

interface DemoFlags {
  out: string;
  maxSteps?: number;
  seed?: number;
  threads?: number;
  transferSeeds?: number;
}

export function defineDemo(program: Command, cli: CliContext): void {
  program
    .command('demo')
    .summary('multi-task pre-training on WordNet 3.1, then predictions on sample inputs and a report')
    .description(
      'Multi-task pre-training on WordNet 3.1 (masked LM on glosses, supersense classification, link prediction over ' +
        'WordNet’s relations), then predictions on sample inputs, a small transfer table and a report (<out>/report.json).',
    )
    .option('--out <dir>', 'where the checkpoints and report go', 'runs/demo')
    .addOption(checked('--max-steps <n>', "optimizer steps (default: examples/wordnet-pretrain.yaml's)", positiveInt))
    .addOption(checked('--seed <n>', "random seed (default: the config's)", nonNegativeInt))
    .addOption(checked('--threads <n>', "libtorch intra-op threads (default: libtorch's)", positiveInt))
    .addOption(checked('--transfer-seeds <n>', 'fine-tuning seeds of the transfer table, 1…N per encoder (default 3)', positiveInt))
    .action(async (flags: DemoFlags) => {
      const { runDemo } = await import('../demo.js');
      await runDemo({
        outDir: flags.out,
        ...(flags.maxSteps === undefined ? {} : { maxSteps: flags.maxSteps }),
        ...(flags.seed === undefined ? {} : { seed: flags.seed }),
        ...(flags.threads === undefined ? {} : { threads: flags.threads }),
        ...(flags.transferSeeds === undefined ? {} : { transferSeeds: flags.transferSeeds }),
        logger: stdoutLogger,
      });
      cli.exitCode = 0;
    });
}
