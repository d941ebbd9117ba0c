/** Training: the multi-task trainer and its loop's parts (model selection, progress, signals). */
export { train, type TrainOptions, type TrainResult } from './trainer.js';
export { silentLogger, prefixed, type Logger } from '../logger.js';
export { ModelSelector, type SelectionState } from './selection.js';
export { ProgressReporter, progressLine, formatDuration, type ProgressInfo } from './progress.js';
export { InterruptWatch } from './signals.js';
export type { TrainerCallback, LogRecord, EvaluateEvent, SaveEvent } from './callbacks.js';
export { TensorBoardCallback, recordScalars } from './tensorboard-callback.js';
