/**
 * Setting a training run up before its first step: with `--resume`, the `last/` checkpoint loaded
 * and its config checked against this one; every task's data read and featurized (the checkpoint's
 * tokenizer and task records reused on resume); the model built, its architecture (PEFT, MMoE)
 * applied and the checkpoint's weights put back. Nothing is written to the output folder here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { TrainingConfig } from '../io/config/index.js';
import { checkpointPaths, loadCheckpoint, type LoadedCheckpoint } from '../io/checkpoint.js';
import { AVERAGING_FILE } from '../io/checkpoint-average.js';
import { applyArchitecture } from '../mtl/architecture.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { buildModel } from '../run/build.js';
import { applyGradientCheckpointing } from '../run/gradient-checkpointing.js';
import { checkResumeConfig, loadModelWeights } from '../run/checkpoint.js';
import { prepareRun, type PreparedRun } from '../run/prepare.js';
import { Tokenizer } from '../tokenization/index.js';
import type { TrainOptions } from './trainer-options.js';
import { continueFrom } from './continual.js';
import type { Ewc } from './ewc.js';

/** A run ready to train: its data, its model, and (on resume) the checkpoint it continues. */
export interface RunSetup {
  readonly prepared: PreparedRun;
  /** Owned by the caller from here on. */
  readonly model: MultiTaskModel;
  /** The checkpoint to resume from (the caller disposes it once its state is restored). */
  readonly checkpoint: LoadedCheckpoint | undefined;
  /** Continual training's EWC penalty (owned by the caller). */
  readonly ewc: Ewc | undefined;
}

/**
 * Reads, prepares and builds what `config` trains.
 * @param logger where data and model lines go (the run's log).
 * @throws CheckpointError with `resume` when the output folder has no `last/` checkpoint or it was
 *   written by another config; ConfigError / DataError from reading and building.
 */
export async function setUpRun(
  config: TrainingConfig,
  options: Pick<TrainOptions, 'resume' | 'adaptModel'>,
  logger: Logger,
): Promise<RunSetup> {
  let checkpoint: LoadedCheckpoint | undefined;
  let model: MultiTaskModel | undefined;
  let earlier: LoadedCheckpoint | undefined;
  let ewc: Ewc | undefined;
  try {
    if (options.resume) checkpoint = resumableCheckpoint(config);
    if (config.continual?.from !== undefined) earlier = loadCheckpoint(config.continual.from, { optimizer: false });
    const prepared = await prepareRun(config, {
      logger,
      ...(checkpoint === undefined ? {} : { tokenizer: Tokenizer.fromFile(checkpoint.tokenizerFile), records: checkpoint.tasks }),
      ...(checkpoint === undefined && earlier !== undefined ? { earlier: { records: earlier.tasks, from: earlier.dir } } : {}),
    });
    model = buildModel(
      config,
      prepared.tokenizer,
      prepared.runs.map((r) => r.spec),
    );
    for (const line of applyArchitecture(model, config)) logger.info(line);
    if (earlier !== undefined) ewc = continueFrom(earlier, model, prepared, config, logger);
    if (checkpoint !== undefined) loadModelWeights(model, checkpoint);
    options.adaptModel?.(model);
    applyGradientCheckpointing(model, config);
    if (config.device !== 'cpu') model.to_(config.device); // before the optimizer is made; checked by checkTrainingDevice
    return { prepared, model, checkpoint, ewc };
  } catch (e) {
    ewc?.dispose();
    model?.dispose();
    checkpoint?.dispose();
    throw e;
  } finally {
    earlier?.dispose();
  }
}

/** The `last/` checkpoint of `config`'s output folder, checked to have been written by the same config. */
function resumableCheckpoint(config: TrainingConfig): LoadedCheckpoint {
  const paths = checkpointPaths(config.outputDir);
  if (!existsSync(paths.last) && !existsSync(path.join(config.outputDir, '.last.previous'))) {
    throw new CheckpointError(`nothing to resume: ${config.outputDir} has no last/ checkpoint; train without --resume to start a run`);
  }
  const checkpoint = loadCheckpoint(paths.last);
  try {
    if (existsSync(path.join(checkpoint.dir, AVERAGING_FILE)))
      throw new CheckpointError(
        `${checkpoint.dir} is an average of checkpoints (${AVERAGING_FILE}, written by mtl average): it holds no trainer or optimizer ` +
          'state, and an average is no point of the run to continue from. Resume from one of the checkpoints it averages ' +
          'instead, or start a new run from its weights (mtl finetune)',
      );
    checkResumeConfig(config, checkpoint);
    return checkpoint;
  } catch (e) {
    checkpoint.dispose();
    throw e;
  }
}
