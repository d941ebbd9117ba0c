/** `mtl train CONFIG`: its arguments, flags and help; the work is ../train.ts's, loaded when the command runs. */
import type { Command } from 'commander';
import { checked, positiveInt } from '../args.js';
import type { CliContext } from '../context.js';
import type { TrainFlags } from '../train.js';

export function defineTrain(program: Command, cli: CliContext): void {
  program
    .command('train')
    .summary('train a multi-task model as a config says')
    .description(
      'Train a multi-task model as the config says (YAML, or TypeScript: `export default defineConfig({…})`). ' +
        'Checkpoints go to <output_dir>/best and /last, metrics to <output_dir>/metrics.jsonl, the best ' +
        "checkpoint's test metrics to test_metrics.json. Ctrl-C saves <output_dir>/last and stops (a second Ctrl-C exits at once).",
    )
    .argument('<config>', 'the training config: a .yaml file, or a .ts/.mjs module whose default export is the config')
    .option('--resume', 'continue from <output_dir>/last (same config; steps, output and reporting may change)')
    .option(
      '--overwrite',
      'start a new run where one is (without --resume or --overwrite that is refused); the earlier run’s checkpoints are removed once the new run has saved its first',
    )
    .option('--output <dir>', "write to DIR instead of the config's output_dir")
    .option('--device <device>', "train on DEVICE: cpu, cuda or cuda:N (instead of the config's device)")
    .addOption(checked('--max-steps <n>', "train N optimizer steps (instead of the config's max_steps or epochs)", positiveInt))
    .option('--single-task <name>', 'train only task NAME, alone (a single-task baseline), in <output_dir>/single-task/NAME')
    .addOption(
      checked(
        '--nproc-per-node <n>',
        'data-parallel: N worker processes on this machine (as torchrun); a process started with RANK, WORLD_SIZE, ' +
          'MASTER_ADDR, MASTER_PORT set joins that group instead',
        positiveInt,
      ),
    )
    .addOption(checked('--dist-timeout <seconds>', 'longest wait for the other ranks, in seconds', positiveInt).default(1800))
    .addOption(
      checked(
        '--stop-at <n>',
        "pause after step N (dev evaluated, last/ saved; the schedule stays the whole run's); continue with --resume",
        positiveInt,
      ),
    )
    .option(
      '--from <ckpt>',
      'continual training: go on from checkpoint CKPT (its encoder, tokenizer and heads) with the config’s tasks, new or ' +
        'named again (labels extended); the checkpoint’s other tasks stay, evaluated, and train only with continual.rehearsal; ' +
        'continual.ewc against forgetting (docs/sweep-and-continual.md)',
    )
    .action(async (config: string, flags: TrainFlags) => {
      const { runTrain } = await import('../train.js');
      cli.exitCode = await runTrain(config, flags, cli.args);
    });
}
