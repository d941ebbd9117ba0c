/**
 * `mtl train CONFIG [--resume | --overwrite] [--output DIR] [--max-steps N] [--single-task NAME]
 * [--nproc-per-node N] [--dist-timeout S] [--stop-at N]`: parses, calls `train` (in N data-parallel workers, or as one
 * rank of the environment's group), prints the outcome.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadTrainingConfig, type TrainingConfig } from '../io/config/index.js';
import { singleTaskConfig } from '../experiments/single-task.js';
import { train, type TrainResult } from '../train/trainer.js';
import { onePositional, positiveInt } from './args.js';
import { taskTypes } from '../tasks/index.js';
import { silentLogger, stdoutLogger } from '../logger.js';
import { joinFromEnvironment, launchCommand } from './data-parallel.js';

/** Exit code of a run stopped by a signal (128 + SIGINT, as shells report Ctrl-C). */
export const INTERRUPTED_EXIT_CODE = 130;

/** The config with the command line's overrides: another output folder, another number of steps. */
export function withOverrides(config: TrainingConfig, output: string | undefined, maxSteps: number | undefined): TrainingConfig {
  let c = config;
  if (output !== undefined) c = { ...c, outputDir: path.resolve(output) };
  if (maxSteps !== undefined) c = { ...c, training: { ...c.training, maxSteps, epochs: undefined } };
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

/** Runs `mtl train`; returns the exit code. */
export async function trainCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      resume: { type: 'boolean', default: false },
      overwrite: { type: 'boolean', default: false },
      output: { type: 'string' },
      'max-steps': { type: 'string' },
      'single-task': { type: 'string' },
      'nproc-per-node': { type: 'string' },
      'dist-timeout': { type: 'string' },
      'stop-at': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const file = onePositional(positionals, 'config file', 'train');
  const nproc = values['nproc-per-node'] === undefined ? undefined : positiveInt(values['nproc-per-node'], '--nproc-per-node');
  const timeoutSeconds = values['dist-timeout'] === undefined ? 1800 : positiveInt(values['dist-timeout'], '--dist-timeout');
  if (nproc !== undefined) return launchCommand('train', args, nproc);
  const maxSteps = values['max-steps'] === undefined ? undefined : positiveInt(values['max-steps'], '--max-steps');
  const stopAt = values['stop-at'] === undefined ? undefined : positiveInt(values['stop-at'], '--stop-at');
  const loaded = loadTrainingConfig(file, { taskTypes });
  const single = values['single-task'];
  const config = withOverrides(single === undefined ? loaded : singleTaskConfig(loaded, single), values.output, maxSteps);
  const dataParallel = await joinFromEnvironment(timeoutSeconds * 1000);
  const leader = dataParallel?.isLeader ?? true;
  let result: TrainResult;
  try {
    result = await train(config, {
      resume: values.resume,
      overwrite: values.overwrite,
      logger: leader ? stdoutLogger : silentLogger,
      progressBar: leader && process.stdout.isTTY === true,
      handleSignals: true,
      ...(stopAt === undefined ? {} : { stopAtStep: stopAt }),
      ...(dataParallel === undefined ? {} : { dataParallel }),
    });
  } finally {
    dataParallel?.group.destroy();
  }
  if (leader) console.log(summary(result));
  return result.status === 'interrupted' ? INTERRUPTED_EXIT_CODE : 0;
}
