/**
 * What `mtl transfer PRETRAIN_CONFIG FINETUNE_CONFIG...` runs: `transferReport`
 * (src/experiments/transfer.ts), then prints the table.
 */
import path from 'node:path';
import { loadConfigFile } from '../config.js';
import { PRETRAIN_ARMS, transferReport, type PretrainArm } from '../experiments/transfer.js';
import { POOLINGS, taskTypes, type Pooling } from '../tasks/index.js';
import { UsageError } from './args.js';
import { withOverrides } from './train.js';
import { stdoutLogger } from '../logger.js';

/** `mtl transfer`'s flags, parsed (src/cli/commands/transfer.ts declares them). */
export interface TransferFlags {
  seeds: number;
  out: string;
  pretrainSteps?: number;
  finetuneSteps?: number;
  finetuneLr?: number;
  pooling?: string;
  reinitPooler?: boolean;
  reinitLayers?: number;
  reuse?: boolean;
  pretrainOnly?: string;
}

/** `--pretrain-only` names kept from before: 'mlm-only' is the self-supervised arm, which also keeps replaced-token detection now. */
const PRETRAIN_ARM_ALIASES: Readonly<Record<string, PretrainArm>> = { 'mlm-only': 'self-supervised' };

/**
 * The arm `--pretrain-only` names (an arm of PRETRAIN_ARMS, or an old name of one).
 * @throws UsageError for any other name.
 */
export function pretrainArmFlag(value: string): PretrainArm {
  const arm = PRETRAIN_ARM_ALIASES[value] ?? value;
  if (!PRETRAIN_ARMS.includes(arm as PretrainArm))
    throw new UsageError(
      `--pretrain-only must be one of ${PRETRAIN_ARMS.join(', ')} (or ${Object.keys(PRETRAIN_ARM_ALIASES).join(', ')}, an old name), got '${value}'`,
    );
  return arm as PretrainArm;
}

/** Runs `mtl transfer` of the pre-training config `pretrainFile` to each of `finetuneFiles`; returns the exit code. */
export async function runTransfer(pretrainFile: string, finetuneFiles: readonly string[], flags: TransferFlags): Promise<number> {
  const pooling = flags.pooling;
  if (pooling !== undefined && !POOLINGS.includes(pooling as Pooling))
    throw new UsageError(`--pooling must be one of ${POOLINGS.join(', ')}, got '${pooling}'`);
  const only = flags.pretrainOnly === undefined ? undefined : pretrainArmFlag(flags.pretrainOnly);
  const pretrain = withOverrides(await loadConfigFile(pretrainFile, { taskTypes }), undefined, flags.pretrainSteps);
  const outDir = path.resolve(flags.out);
  const result = await transferReport({
    pretrain,
    finetune: [...finetuneFiles],
    seeds: Array.from({ length: flags.seeds }, (_, i) => i + 1),
    outDir,
    reuse: flags.reuse === true,
    ...(flags.finetuneSteps === undefined ? {} : { finetuneSteps: flags.finetuneSteps }),
    ...(flags.finetuneLr === undefined ? {} : { finetuneLearningRate: flags.finetuneLr }),
    ...(pooling === undefined ? {} : { pooling: pooling as Pooling }),
    reinitPooler: flags.reinitPooler === true,
    ...(flags.reinitLayers === undefined ? {} : { reinitLayers: flags.reinitLayers }),
    ...(only === undefined ? {} : { pretrainOnly: only }),
    logger: stdoutLogger,
  });
  if (only !== undefined) {
    console.log(
      `\npre-trained ${only}: ${path.join(outDir, `pretrain-${only}`, 'best')} (the report: the same command without --pretrain-only, with --reuse)`,
    );
    return 0;
  }
  console.log(`\n${result.table}\n\nwritten: ${path.join(outDir, 'transfer.md')} and transfer.json`);
  return 0;
}
