/** `mtl finetune CKPT CONFIG`: its arguments, flags and help; the work is ../finetune.ts's, loaded when the command runs. */
import type { Command } from 'commander';
import { checked, nonNegativeInt, positiveInt } from '../args.js';
import type { CliContext } from '../context.js';
import type { FinetuneFlags } from '../finetune.js';

export function defineFinetune(program: Command, cli: CliContext): void {
  program
    .command('finetune')
    .summary("fine-tune a pre-trained checkpoint's encoder on a config's tasks")
    .description(
      'Fine-tune a pre-trained checkpoint (its encoder and tokenizer; ours or a Hugging Face folder) on the config’s tasks, ' +
        'each with a fresh head; the config is a training config without `tokenizer` (encoder: dropout only).',
    )
    .argument('<checkpoint>', 'the pre-trained checkpoint folder')
    .argument('<config>', 'the fine-tuning config: a .yaml file, or a .ts/.mjs module whose default export is the config')
    .option('--freeze-encoder', 'train the heads only')
    .option('--scratch', 'same architecture and tokenizer, fresh weights (the baseline)')
    .option('--output <dir>', "write to DIR instead of the config's output_dir")
    .addOption(checked('--max-steps <n>', "train N optimizer steps (instead of the config's max_steps or epochs)", positiveInt))
    .option('--overwrite', 'start a new run where one is, as for train')
    .addOption(checked('--seed <n>', "random seed (instead of the config's)", nonNegativeInt))
    .action(async (checkpoint: string, config: string, flags: FinetuneFlags) => {
      const { runFinetune } = await import('../finetune.js');
      cli.exitCode = await runFinetune(checkpoint, config, flags);
    });
}
