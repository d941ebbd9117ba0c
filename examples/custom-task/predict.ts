// examples/custom-task/predict.ts: predictions of a checkpoint that has your own task type (docs/guide-custom-task.md).
/**
 * `node --import tsx examples/custom-task/predict.ts runs/custom-task/two-tasks/best "I lost my card"`
 * prints one JSON line per text, as `mtl predict` does. `mtl predict` knows the built-in task types
 * only: a checkpoint with your own loads in a program that registers the type first.
 */
import { Predictor, predictionToJson, registerTaskType } from '../../src/index.js';
import { lengthBucket } from './length-bucket.js';

registerTaskType(lengthBucket);
const [checkpoint, ...texts] = process.argv.slice(2);
if (checkpoint === undefined || texts.length === 0) throw new Error('usage: predict.ts CHECKPOINT TEXT...');
using predictor = Predictor.load(checkpoint);
for (const record of await predictor.predict(texts)) console.log(JSON.stringify(predictionToJson(record)));
