/** Building a run from its config: tasks, tokenizer, model, data streams, seeding, and checkpoints into models. */
export { prepareRun, type PreparedRun, type PrepareOptions } from './prepare.js';
export {
  buildModel,
  buildTaskRuns,
  buildTokenizer,
  featurizeSplit,
  taskOfRun,
  taskRecord,
  type SplitFeatures,
  type TaskRun,
} from './build.js';
export { buildStreams, trainStreams, type Stream, type StreamSplit, type TrainStream } from './streams.js';
export { microBatchSeed } from './seeding.js';
export { checkResumeConfig, saveRunCheckpoint } from './checkpoint.js';
export { lastNumberedCheckpoints } from './checkpoint-rotation.js';
export {
  backboneConfigOf,
  backboneOf,
  loadModelWeights,
  modelFromCheckpoint,
  modelFromPretrained,
  readConfigJson,
  specsOfRecords,
  trainingConfigOf,
  type CheckpointModelOptions,
  type PretrainedOptions,
} from './load-model.js';
export { isHfTaskFolder, loadHfTaskFolder, type HfTaskModel } from './hf-task-folder.js';
