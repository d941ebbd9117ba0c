/**
 * multitask-lm's public API: one shared backbone (any registered model family), many task heads, trained together. Each layer's
 * main functions and classes (see DESIGN.md for the layers); the CLI (`mtl`) is a thin shell over these.
 *
 * @example
 *   import { loadTrainingConfig, train, Predictor } from 'multitask-lm';
 *   const result = await train(loadTrainingConfig('examples/snips.yaml'), { logger: console });
 *   const predictor = Predictor.load(`${result.outputDir}/best`);
 *   console.log(await predictor.predict(['play some jazz on spotify']));
 *   predictor.dispose(); // frees its tensors
 */
export * from './errors.js';
export * from './logger.js';
export * from './tensor/index.js';
export * from './nn/index.js';
export * from './io/safetensors.js';
export * from './io/checkpoint.js';
export { AVERAGING_FILE, averageCheckpoints, type AveragedCheckpoint, type AverageOptions } from './io/checkpoint-average.js';
export * from './config.js';
export * from './models/backbone.js';
export * from './models/registry.js';
export * from './models/bert/index.js';
export * from './models/gpt2/index.js';
export * from './models/llama/index.js';
export { causalLmDecoder, lmHeadOf, tiedLmHead, type LmHead } from './models/causal-lm.js';
export * from './generate/index.js';
export * from './tokenization/index.js';
export * from './metrics/index.js';
export * from './data/index.js';
export * from './tasks/index.js';
export { MultiTaskModel, TaskHeads, taskLosses } from './mtl/multitask-model.js';
export * from './mtl/samplers/index.js';
export * from './mtl/weighting/index.js';
export * from './mtl/surgery/index.js';
export * from './mtl/peft/index.js';
export * from './mtl/mmoe.js';
export { TrainingStrategy, streamProbabilities, type StepLosses } from './mtl/strategy.js';
export { applyArchitecture, SHARED_ADAPTER } from './mtl/architecture.js';
export { readTaskData, type TaskData } from './data/task-data.js';
export { holdOut } from './data/subsets.js';
export { inputKindOf, type InputKind } from './data/task-reading.js';
export * from './optim/index.js';
export { DataParallel, DEFAULT_BUCKET_BYTES, type OverlapOptions } from './distributed/data-parallel.js';
export { distributedEnvironment, type DistributedEnvironment } from './distributed/environment.js';
export { launchWorkers, type LaunchOptions } from './distributed/launcher.js';
export * from './run/index.js';
export * from './eval/index.js';
export * from './train/index.js';
export * from './predict/index.js';
export * from './export/index.js';
export * from './experiments/index.js';
export {
  writeRunReport,
  renderRunReport,
  runSeries,
  type RunReportOptions,
  type RunReportInput,
  type RunSeries,
  type Point as RunSeriesPoint,
} from './report/index.js';
export { createPredictServer, type PredictService, type ServeOptions } from './serve/server.js';
export { Coalescer, type BatchFn } from './serve/coalesce.js';
// Names two layers both export: the one meant here.
export { HIDDEN_ACTS, type HiddenAct } from './models/bert/index.js';
export { SAMPLER_KINDS, type SamplerKind } from './mtl/samplers/index.js';
export type { ReadOptions } from './data/index.js';
export type { JsonValue } from './io/checkpoint.js';
export { labelIndex } from './tasks/index.js';
export { labelIndex as labelIndexOfLabels } from './metrics/index.js';
