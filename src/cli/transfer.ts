/**
 * `mtl transfer PRETRAIN_CONFIG FINETUNE_CONFIG... [--seeds N] [--out DIR] [--pretrain-steps N] [--finetune-steps N] [--reuse]`:
 * parses, calls `transferReport` (src/train/transfer.ts), prints the table.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { loadTrainingConfig } from '../io/config/index.js';
import { transferReport } from '../train/transfer.js';
import { positiveInt } from './args.js';
import { withOverrides } from './train.js';

/** Runs `mtl transfer`; returns the exit code. */
export async function transferCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      seeds: { type: 'string', default: '3' },
      out: { type: 'string', default: 'runs/transfer' },
      'pretrain-steps': { type: 'string' },
      reuse: { type: 'boolean', default: false },
      'finetune-steps': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [pretrainFile, ...finetuneFiles] = positionals;
  if (pretrainFile === undefined || finetuneFiles.length === 0) {
    throw new ConfigError('mtl transfer takes a pre-training config and at least one fine-tuning config');
  }
  const steps = values['pretrain-steps'] === undefined ? undefined : positiveInt(values['pretrain-steps'], '--pretrain-steps');
  const pretrain = withOverrides(loadTrainingConfig(pretrainFile), undefined, steps);
  const seeds = Array.from({ length: positiveInt(values.seeds, '--seeds') }, (_, i) => i + 1);
  const result = await transferReport({
    pretrain,
    finetune: finetuneFiles,
    seeds,
    outDir: path.resolve(values.out),
    reuse: values.reuse,
    ...(values['finetune-steps'] === undefined ? {} : { finetuneSteps: positiveInt(values['finetune-steps'], '--finetune-steps') }),
    log: (line) => console.log(line),
  });
  console.log(`\n${result.table}\n\nwritten: ${path.join(path.resolve(values.out), 'transfer.md')} and transfer.json`);
  return 0;
}
