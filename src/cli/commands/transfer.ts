/** `mtl transfer PRETRAIN_CONFIG FINETUNE_CONFIG...`: its arguments, flags and help; the work is ../transfer.ts's. */
import type { Command } from 'commander';
import { checked, positiveInt, positiveNumber } from '../args.js';
import type { CliContext } from '../context.js';
import type { TransferFlags } from '../transfer.js';

export function defineTransfer(program: Command, cli: CliContext): void {
  program
    .command('transfer')
    .summary('pre-train multi-task and self-supervised encoders, fine-tune downstream configs from both and from scratch')
    .description(
      'Pre-train a multi-task encoder (the config as written) and a self-supervised one (its masked-LM, replaced-token detection ' +
        'and other self-supervised tasks only), fine-tune each downstream config from both and from scratch with the same ' +
        'budget and seeds, print the table (<out>/transfer.md, transfer.json).',
    )
    .argument('<pretrain-config>', 'the multi-task pre-training config (.yaml, or a .ts/.mjs module)')
    .argument('<finetune-configs...>', 'the downstream fine-tuning configs (.yaml, or .ts/.mjs modules)')
    .addOption(checked('--seeds <n>', 'fine-tuning seeds 1..N', positiveInt).default(3))
    .option('--out <dir>', 'where the runs and the table go', 'runs/transfer')
    .addOption(checked('--pretrain-steps <n>', "pre-training steps (instead of the config's)", positiveInt))
    .addOption(checked('--finetune-steps <n>', "fine-tuning steps of every downstream run (instead of each config's)", positiveInt))
    .addOption(checked('--finetune-lr <x>', "peak learning rate of every downstream run (instead of each config's)", positiveNumber))
    .option('--pooling <pooling>', 'what sequence-classification heads read: cls (the pooled [CLS] state) or mean (the mean token state)')
    .option('--reinit-pooler', "fresh weights for BERT's pooler at the start of every fine-tuning run")
    .addOption(
      checked('--reinit-layers <n>', "fresh weights for the encoder's top N layers at the start of every fine-tuning run", positiveInt),
    )
    .option('--reuse', 'keep pre-trained encoders and finished fine-tuning runs of an earlier run with the same configs in <out>')
    .option(
      '--pretrain-only <arm>',
      'pre-train this arm only (multi-task or self-supervised; mlm-only is its old name) and stop: the two arms as parallel ' +
        'processes, then the report with --reuse (self-supervised reads <out>/pretrain-multi-task/best/tokenizer.json)',
    )
    .action(async (pretrain: string, finetune: string[], flags: TransferFlags) => {
      const { runTransfer } = await import('../transfer.js');
      cli.exitCode = await runTransfer(pretrain, finetune, flags);
    });
}
