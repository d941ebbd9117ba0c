/**
 * `mtl predict CKPT "text" … | --input file.jsonl | --input -` [--top-k N] [--split-into-words]: prints one
 * JSON object per text with every task's prediction. --split-into-words: each text comes split into
 * words at spaces and tabs (a data set's seq.in line), which word tasks read as evaluation reads them.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './args.js';
import { STDIN } from '../data/index.js';
import { Predictor, predictionToJson, readPredictInputs, type PredictInput } from '../predict/predict.js';

export async function predictCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { input: { type: 'string' }, 'top-k': { type: 'string' }, 'split-into-words': { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  const [dir, ...texts] = positionals;
  if (dir === undefined) throw new UsageError('mtl predict takes a checkpoint folder, then texts or --input FILE');
  if (texts.length > 0 && values.input !== undefined) throw new UsageError('give texts or --input FILE, not both');
  const topK = values['top-k'] === undefined ? undefined : Number(values['top-k']);
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1))
    throw new UsageError(`--top-k must be an integer ≥ 1, got '${values['top-k']}'`);
  const file = values.input === '-' ? STDIN : values.input;
  const given: PredictInput[] = file !== undefined ? readPredictInputs(file) : texts.map((text) => ({ text }));
  const inputs = values['split-into-words'] === true ? given.map((x) => ({ ...x, splitIntoWords: true })) : given;
  if (inputs.length === 0)
    throw new UsageError('mtl predict: no texts; give them after the checkpoint folder or in --input FILE (JSON lines)');
  using predictor = Predictor.load(dir);
  const records = await predictor.predict(inputs, topK === undefined ? {} : { topK });
  for (const record of records) console.log(JSON.stringify(predictionToJson(record)));
  return 0;
}
