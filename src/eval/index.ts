/** Evaluation: a model on a split's streams, and a saved checkpoint as the run that wrote it. */
export { evaluateCheckpoint, type CheckpointEvalResult } from './checkpoint.js';
export { evaluateStreams, evalBatching, selectionValue, type EvalBatching, type EvalOptions, type EvalResult } from './evaluate.js';
