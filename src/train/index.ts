/**
 * Training: the multi-task trainer and what it is made of (optimizers, schedules, clipping, model
 * selection, progress), evaluation and prediction with checkpoints.
 */
export { train, type TrainOptions, type TrainResult } from './trainer.js';
export { evaluateCheckpoint, type CheckpointEvalResult } from './eval-checkpoint.js';
export {
  Predictor,
  predict,
  readPredictInputs,
  splitWords,
  type PredictInput,
  type PredictionRecord,
  type PredictedSpan,
  type TaskPrediction,
} from './predict.js';
export { evaluateStreams, evalBatching, selectionValue, type EvalBatching, type EvalResult } from './evaluate.js';
export { prepareRun, type PreparedRun, type PrepareOptions } from './prepare.js';
export { buildModel, buildTaskRuns, buildTokenizer, featurizeSplit, taskRecord, type SplitFeatures, type TaskRun } from './build.js';
export { readTaskData, holdOut, inputKindOf, SPLITS, type InputKind, type Split, type TaskData } from './task-data.js';
export { buildStreams, trainStreams, type Stream, type StreamSplit, type TrainStream } from './streams.js';
export { ModelSelector, type SelectionState } from './selection.js';
export { ProgressReporter, progressLine, formatDuration, type ProgressInfo } from './progress.js';
export { InterruptWatch } from './signals.js';
export { microBatchSeed } from './seeding.js';
export { checkResumeConfig, loadModelWeights, saveRunCheckpoint } from './run-checkpoint.js';
export { AdamW, type AdamWGroup, type AdamWOptions } from './optim/adamw.js';
export { SGD } from './optim/sgd.js';
export { Optimizer, type ParamGroup, type OptimizerStateDict } from './optim/optimizer.js';
export { paramGroupsNoDecay, isNoDecayName } from './optim/param-groups.js';
export { clipGradNorm } from './clip.js';
export * from './schedules.js';
export { TrainingStrategy, streamProbabilities, type StepLosses } from './strategy.js';
export { applyArchitecture, SHARED_ADAPTER } from './architecture.js';
export { singleTaskConfig } from './single-task.js';
export { multiTaskGain, type TaskScore } from './mtl-gain.js';
export { compare, type CompareOptions, type CompareResult } from './compare.js';
export { loadCompareConfig, mergeConfig, type CompareConfig, type CompareStrategy } from './compare-config.js';
export { compareTable, compareMarkdown, type CompareRow, type CompareRun, type CompareTable, type TaskMetric } from './compare-table.js';
