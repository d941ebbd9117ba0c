/** Prediction with a checkpoint: `Predictor`, and the records `mtl predict` and `mtl serve` print. */
export { predictionToJson, readPredictInputs } from './predict-json.js';
export {
  Predictor,
  predict,
  splitWords,
  type PredictInput,
  type PredictOptions,
  type PredictionRecord,
  type PredictedSpan,
  type TaskPrediction,
} from './predict.js';
export { TextGenerator, type GeneratedText, type TaskPrompt } from './generate.js';
export { cutAtStop } from './text-deltas.js';
export { readGenerationDefaults, type GenerationDefaults } from './generation-defaults.js';
