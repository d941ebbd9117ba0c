/** `mtl export CKPT OUT`: its arguments, flags and help; the work is ../export.ts's, loaded when the command runs. */
import type { Command } from 'commander';
import { UsageError, checked } from '../args.js';
import type { CliContext } from '../context.js';
import type { ExportFlags } from '../export.js';

/** --format's value: hf or onnx. */
function format(text: string, flag: string): 'hf' | 'onnx' {
  if (text !== 'hf' && text !== 'onnx')
    throw new UsageError(`${flag} must be hf (a Hugging Face Transformers folder) or onnx (ONNX models), got '${text}'`);
  return text;
}

export function defineExport(program: Command, cli: CliContext): void {
  program
    .command('export')
    .summary('write a checkpoint as a Hugging Face Transformers folder, or as ONNX with transformers.js task folders')
    .description(
      'Write the checkpoint as a Hugging Face Transformers folder (config.json, model.safetensors under Transformers’ names, ' +
        'tokenizer.json, tokenizer_config.json, a model card README.md) in the classes of the checkpoint’s family: the ' +
        'encoder as <Family>Model (BertModel, RobertaModel, …), or with --task that task’s head. With --format onnx: ' +
        'OUT/onnx/model.onnx holds one encoder and every task’s head, OUT/tasks/<task>/ a folder transformers.js reads.',
    )
    .argument('<checkpoint>', 'a checkpoint folder')
    .argument('<out>', 'the folder to write')
    .option(
      '--task <name>',
      "that task's head: <Family>ForSequenceClassification or <Family>ForTokenClassification (labels in config.json's " +
        "id2label; not for CRF, mean-pooling, masked-LM or link-prediction heads); a decoder's causal-lm task as the family's LM class",
    )
    .addOption(checked('--format <format>', 'hf (a Hugging Face Transformers folder) or onnx (ONNX models)', format).default('hf'))
    .action(async (checkpoint: string, out: string, flags: ExportFlags) => {
      const { runExport } = await import('../export.js');
      cli.exitCode = await runExport(checkpoint, out, flags);
    });
}
