/** `mtl predict CKPT "text" … | --input file.jsonl`: prints one JSON object per text with every task's prediction. */
import { parseArgs } from 'node:util';
import { UsageError } from './args.js';
import { Predictor, predictionToJson, readPredictInputs, type PredictInput } from '../predict/predict.js';

export async function predictCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { input: { type: 'string' } }, allowPositionals: true, strict: true });
  const [dir, ...texts] = positionals;
  if (dir === undefined) throw new UsageError('mtl predict takes a checkpoint folder, then texts or --input FILE');
  if (texts.length > 0 && values.input !== undefined) throw new UsageError('give texts or --input FILE, not both');
  const inputs: PredictInput[] = values.input !== undefined ? readPredictInputs(values.input) : texts.map((text) => ({ text }));
  if (inputs.length === 0)
    throw new UsageError('mtl predict: no texts; give them after the checkpoint folder or in --input FILE (JSON lines)');
  using predictor = Predictor.load(dir);
  for (const record of await predictor.predict(inputs)) console.log(JSON.stringify(predictionToJson(record)));
  return 0;
}
