/**
 * `mtl transfer PRETRAIN_CONFIG FINETUNE_CONFIG... [--seeds N] [--out DIR] [--pretrain-steps N] [--finetune-steps N]
 * [--finetune-lr X] [--pooling cls|mean] [--reinit-pooler] [--reinit-layers N] [--reuse]`:
 * parses, calls `transferReport` (src/experiments/transfer.ts), prints the table.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadTrainingConfig } from '../io/config/index.js';
import { transferReport } from '../experiments/transfer.js';
import { POOLINGS, taskTypes, type Pooling } from '../tasks/index.js';
import { UsageError, positiveInt, positiveNumber } from './args.js';
import { withOverrides } from './train.js';
import { stdoutLogger } from '../logger.js';

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
      'finetune-lr': { type: 'string' },
      pooling: { type: 'string' },
      'reinit-pooler': { type: 'boolean', default: false },
      'reinit-layers': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [pretrainFile, ...finetuneFiles] = positionals;
  if (pretrainFile === undefined || finetuneFiles.length === 0) {
    throw new UsageError('mtl transfer takes a pre-training config and at least one fine-tuning config');
  }
  const steps = values['pretrain-steps'] === undefined ? undefined : positiveInt(values['pretrain-steps'], '--pretrain-steps');
  const pretrain = withOverrides(loadTrainingConfig(pretrainFile, { taskTypes }), undefined, steps);
  const pooling = values.pooling;
  if (pooling !== undefined && !POOLINGS.includes(pooling as Pooling))
    throw new UsageError(`--pooling must be one of ${POOLINGS.join(', ')}, got '${pooling}'`);
  const seeds = Array.from({ length: positiveInt(values.seeds, '--seeds') }, (_, i) => i + 1);
  const result = await transferReport({
    pretrain,
    finetune: finetuneFiles,
    seeds,
    outDir: path.resolve(values.out),
    reuse: values.reuse,
    ...(values['finetune-steps'] === undefined ? {} : { finetuneSteps: positiveInt(values['finetune-steps'], '--finetune-steps') }),
    ...(values['finetune-lr'] === undefined ? {} : { finetuneLearningRate: positiveNumber(values['finetune-lr'], '--finetune-lr') }),
    ...(pooling === undefined ? {} : { pooling: pooling as Pooling }),
    reinitPooler: values['reinit-pooler'],
    ...(values['reinit-layers'] === undefined ? {} : { reinitLayers: positiveInt(values['reinit-layers'], '--reinit-layers') }),
    logger: stdoutLogger,
  });
  console.log(`\n${result.table}\n\nwritten: ${path.join(path.resolve(values.out), 'transfer.md')} and transfer.json`);
  return 0;
}
