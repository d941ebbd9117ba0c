/** Prediction with a checkpoint: `Predictor`, and the records `mtl predict` and `mtl serve` print. */
export {
  Predictor,
  predict,
  predictionToJson,
  readPredictInputs,
  splitWords,
  type PredictInput,
  type PredictOptions,
  type PredictionRecord,
  type PredictedSpan,
  type TaskPrediction,
} from './predict.js';
export { TextGenerator, cutAtStop, type GeneratedText, type TaskPrompt } from './generate.js';
