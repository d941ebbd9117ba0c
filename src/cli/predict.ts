/**
 * What `mtl predict CKPT "text" … | --input file.jsonl | --input -` runs: prints one JSON object per
 * text with every task's prediction. --split-into-words: each text comes split into words at spaces
 * and tabs (a data set's seq.in line), which word tasks read as evaluation reads them.
 */
import { UsageError } from './args.js';
import { STDIN } from '../data/index.js';
import { Predictor, predictionToJson, readPredictInputs, type PredictInput } from '../predict/predict.js';

/** `mtl predict`'s flags, parsed (src/cli/commands/predict.ts declares them). */
export interface PredictFlags {
  /** A JSON lines file of inputs; '-' is standard input. */
  input?: string;
  topK?: number;
  splitIntoWords?: boolean;
}

/** Runs `mtl predict` with the model folder `dir` on `texts` or the --input file; returns the exit code. */
export async function runPredict(dir: string, texts: readonly string[], flags: PredictFlags): Promise<number> {
  if (texts.length > 0 && flags.input !== undefined) throw new UsageError('give texts or --input FILE, not both');
  const file = flags.input === '-' ? STDIN : flags.input;
  const given: PredictInput[] = file !== undefined ? readPredictInputs(file) : texts.map((text) => ({ text }));
  const inputs = flags.splitIntoWords === true ? given.map((x) => ({ ...x, splitIntoWords: true })) : given;
  if (inputs.length === 0)
    throw new UsageError('mtl predict: no texts; give them after the checkpoint folder or in --input FILE (JSON lines)');
  using predictor = Predictor.load(dir);
  const records = await predictor.predict(inputs, flags.topK === undefined ? {} : { topK: flags.topK });
  for (const record of records) console.log(JSON.stringify(predictionToJson(record)));
  return 0;
}
