/**
 * What `mtl train CONFIG` runs: `train` (in N data-parallel workers, or as one rank of the
 * environment's group) on the config with the command line's overrides, then prints the outcome.
 */
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { DEVICE_PATTERN } from '../tensor/device-name.js';
import type { TrainingConfig } from '../io/config/index.js';
import { singleTaskConfig } from '../experiments/single-task.js';
import { train, type TrainResult } from '../train/trainer.js';
import { loadConfigFile } from '../config.js';
import { loadContinualConfig } from '../train/continual-config.js';
import { taskTypes } from '../tasks/index.js';
import { silentLogger, stdoutLogger } from '../logger.js';
import { joinFromEnvironment, launchCommand } from './data-parallel.js';

/** Exit code of a run stopped by a signal (128 + SIGINT, as shells report Ctrl-C). */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * The config with the command line's overrides: another output folder, another number of steps, another device.
 * @throws ConfigError for a device that is not 'cpu', 'cuda' or 'cuda:N' (whether it exists is checked when training starts).
 */
export function withOverrides(
  config: TrainingConfig,
  output: string | undefined,
  maxSteps: number | undefined,
  device?: string,
): TrainingConfig {
  let c = config;
  if (output !== undefined) c = { ...c, outputDir: path.resolve(output) };
  if (maxSteps !== undefined) c = { ...c, training: { ...c.training, maxSteps, epochs: undefined } };
  if (device !== undefined) {
    if (!DEVICE_PATTERN.test(device))
      throw new ConfigError(`--device '${device}' is not a device: expected 'cpu', 'cuda' or 'cuda:N' (N = 0, 1, …)`);
    c = { ...c, device };
  }
  return c;
}

/** The outcome of a training run in two or three lines (status, speed, best metric, where the files are). */
export function summary(r: TrainResult): string {
  const best = r.bestMetric.value === null ? 'none' : `${r.bestMetric.value.toFixed(4)} at step ${r.bestStep}`;
  const lines = [
    `${r.status} after ${r.step} of ${r.totalSteps} steps (${r.trainSeconds.toFixed(0)} s of training, ` +
      `${r.examplesPerSecond.toFixed(0)} examples/s, ${r.tokensPerSecond.toFixed(0)} tokens/s); best ${r.bestMetric.name}: ${best}`,
    `checkpoints: ${path.join(r.outputDir, 'best')} and ${path.join(r.outputDir, 'last')}; metrics: ${path.join(r.outputDir, 'metrics.jsonl')}`,
  ];
  if (r.test !== undefined) lines.push(`test metrics of the best checkpoint: ${path.join(r.outputDir, 'test_metrics.json')}`);
  return lines.join('\n');
}

/** `mtl train`'s flags, parsed (src/cli/commands/train.ts declares them). */
export interface TrainFlags {
  resume?: boolean;
  overwrite?: boolean;
  output?: string;
  maxSteps?: number;
  /** Overrides the config's `device`. */
  device?: string;
  singleTask?: string;
  nprocPerNode?: number;
  distTimeout: number;
  /** Pause after this step (dev evaluated, last/ saved; the schedule stays the whole run's). */
  stopAt?: number;
  /** Continual training from this checkpoint (../train/continual-config.ts). */
  from?: string;
}

/**
 * Runs `mtl train` on the config `file` (YAML, or a module: loadConfigFile in ../config.ts); returns the exit code.
 * @param args the command line after `train`, which `--nproc-per-node` workers are given again.
 */
export async function runTrain(file: string, flags: TrainFlags, args: readonly string[]): Promise<number> {
  if (flags.nprocPerNode !== undefined) return launchCommand('train', args, flags.nprocPerNode);
  const loaded = flags.from === undefined ? await loadConfigFile(file, { taskTypes }) : await loadContinualConfig(file, flags.from);
  const single = flags.singleTask;
  const config = withOverrides(
    single === undefined ? loaded : singleTaskConfig(loaded, single),
    flags.output,
    flags.maxSteps,
    flags.device,
  );
  const dataParallel = await joinFromEnvironment(flags.distTimeout * 1000);
  const leader = dataParallel?.isLeader ?? true;
  let result: TrainResult;
  try {
    result = await train(config, {
      resume: flags.resume === true,
      overwrite: flags.overwrite === true,
      logger: leader ? stdoutLogger : silentLogger,
      progressBar: leader && process.stdout.isTTY === true,
      handleSignals: true,
      ...(flags.stopAt === undefined ? {} : { stopAtStep: flags.stopAt }),
      ...(dataParallel === undefined ? {} : { dataParallel }),
    });
  } finally {
    dataParallel?.destroy(); // its gradient hooks
    dataParallel?.group.destroy();
  }
  if (leader) console.log(summary(result));
  return result.status === 'interrupted' ? INTERRUPTED_EXIT_CODE : 0;
}
