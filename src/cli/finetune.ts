/**
 * `mtl finetune CKPT CONFIG [--output DIR] [--overwrite] [--max-steps N] [--seed N] [--freeze-encoder] [--scratch]`:
 * parses, calls `finetune` (src/train/finetune.ts), prints the outcome as `mtl train` does.
 */
import { parseArgs } from 'node:util';
import { finetune, loadFinetuneConfig } from '../train/finetune.js';
import { UsageError, nonNegativeInt, positiveInt } from './args.js';
import { INTERRUPTED_EXIT_CODE, summary, withOverrides } from './train.js';
import { stdoutLogger } from '../logger.js';

/** Parameters of the encoder (not of the heads): what --freeze-encoder freezes. */
const ENCODER_PARAMETERS = /^encoder\./;

/** Runs `mtl finetune`; returns the exit code. */
export async function finetuneCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      output: { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      'max-steps': { type: 'string' },
      seed: { type: 'string' },
      'freeze-encoder': { type: 'boolean', default: false },
      scratch: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 2) {
    throw new UsageError(
      `mtl finetune takes a checkpoint folder and a config file, got ${positionals.length === 0 ? 'none' : positionals.map((p) => `'${p}'`).join(' ')}`,
    );
  }
  const [ckpt, file] = positionals as [string, string];
  const maxSteps = values['max-steps'] === undefined ? undefined : positiveInt(values['max-steps'], '--max-steps');
  let config = withOverrides(loadFinetuneConfig(file, ckpt, values.scratch ? 'scratch' : 'pretrained'), values.output, maxSteps);
  if (values.seed !== undefined) config = { ...config, seed: nonNegativeInt(values.seed, '--seed') };
  const result = await finetune(config, {
    logger: stdoutLogger,
    progressBar: process.stdout.isTTY === true,
    handleSignals: true,
    overwrite: values.overwrite,
    ...(values['freeze-encoder'] ? { freeze: ENCODER_PARAMETERS } : {}),
  });
  console.log(summary(result));
  return result.status === 'interrupted' ? INTERRUPTED_EXIT_CODE : 0;
}
