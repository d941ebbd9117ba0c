/** Evaluation: a model on a split's streams, and a saved checkpoint as the run that wrote it. */
export { evaluateCheckpoint, type CheckpointEvalOptions, type CheckpointEvalResult } from './checkpoint.js';
export { givenDataConfig, type DataFormat, type EvalData } from './given-data.js';
export { evaluateStreams, evalBatching, selectionValue, type EvalBatching, type EvalOptions, type EvalResult } from './evaluate.js';
export { formatReports } from './report-text.js';
