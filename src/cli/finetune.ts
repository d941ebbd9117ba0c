/**
 * What `mtl finetune CKPT CONFIG` runs: `finetune` (src/train/finetune.ts), then prints the outcome as
 * `mtl train` does.
 */
import { finetune, loadFinetuneConfig } from '../train/finetune.js';
import { INTERRUPTED_EXIT_CODE, summary, withOverrides } from './train.js';
import { stdoutLogger } from '../logger.js';

/** Parameters of the encoder (not of the heads): what --freeze-encoder freezes. */
const ENCODER_PARAMETERS = /^encoder\./;

/** `mtl finetune`'s flags, parsed (src/cli/commands/finetune.ts declares them). */
export interface FinetuneFlags {
  output?: string;
  overwrite?: boolean;
  maxSteps?: number;
  seed?: number;
  freezeEncoder?: boolean;
  scratch?: boolean;
}

/** Runs `mtl finetune` of the checkpoint `ckpt` on the config `file`; returns the exit code. */
export async function runFinetune(ckpt: string, file: string, flags: FinetuneFlags): Promise<number> {
  let config = withOverrides(
    await loadFinetuneConfig(file, ckpt, flags.scratch === true ? 'scratch' : 'pretrained'),
    flags.output,
    flags.maxSteps,
  );
  if (flags.seed !== undefined) config = { ...config, seed: flags.seed };
  const result = await finetune(config, {
    logger: stdoutLogger,
    progressBar: process.stdout.isTTY === true,
    handleSignals: true,
    overwrite: flags.overwrite === true,
    ...(flags.freezeEncoder === true ? { freeze: ENCODER_PARAMETERS } : {}),
  });
  console.log(summary(result));
  return result.status === 'interrupted' ? INTERRUPTED_EXIT_CODE : 0;
}
