/**
 * `mtl generate CKPT "prompt" … | --input FILE`: continues each prompt with a decoder model folder
 * (our checkpoint or a Hugging Face folder), streaming the text to stdout as the tokens come, one
 * continuation per line (each prompt in turn). The decoding options are `generate`'s, as flags.
 */
import { parseArgs } from 'node:util';
import type { GenerateOptions } from '../generate/index.js';
import { TextGenerator } from '../predict/generate.js';
import { readPredictInputs } from '../predict/predict.js';
import { nonNegativeInt, positiveInt, positiveNumber, UsageError } from './args.js';

const FLAGS = {
  input: { type: 'string' },
  'max-new-tokens': { type: 'string' },
  'min-new-tokens': { type: 'string' },
  'do-sample': { type: 'boolean' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  seed: { type: 'string' },
  'num-beams': { type: 'string' },
  'length-penalty': { type: 'string' },
  'early-stopping': { type: 'string' },
  'no-repeat-ngram-size': { type: 'string' },
  'repetition-penalty': { type: 'string' },
  'eos-token-id': { type: 'string' },
  stop: { type: 'string', multiple: true },
  'no-cache': { type: 'boolean' },
} as const;

type Values = {
  [K in keyof typeof FLAGS]?: (typeof FLAGS)[K] extends { multiple: true }
    ? string[]
    : (typeof FLAGS)[K] extends { type: 'boolean' }
      ? boolean
      : string;
};

/** A number flag (any finite number). */
function finite(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || text.trim() === '') throw new UsageError(`${flag} must be a number, got '${text}'`);
  return n;
}

/** The decoding options the flags give (absent flags: `generate`'s defaults). */
export function generateOptionsOf(v: Values): GenerateOptions {
  const opt = <T>(text: string | undefined, parse: (t: string, flag: string) => T, flag: string): T | undefined =>
    text === undefined ? undefined : parse(text, `--${flag}`);
  const early = v['early-stopping'];
  if (early !== undefined && !['true', 'false', 'never'].includes(early))
    throw new UsageError(`--early-stopping must be true, false or never, got '${early}'`);
  return {
    maxNewTokens: opt(v['max-new-tokens'], nonNegativeInt, 'max-new-tokens') ?? 64,
    minNewTokens: opt(v['min-new-tokens'], nonNegativeInt, 'min-new-tokens'),
    doSample: v['do-sample'],
    temperature: opt(v.temperature, positiveNumber, 'temperature'),
    topK: opt(v['top-k'], nonNegativeInt, 'top-k'),
    topP: opt(v['top-p'], positiveNumber, 'top-p'),
    seed: opt(v.seed, nonNegativeInt, 'seed'),
    numBeams: opt(v['num-beams'], positiveInt, 'num-beams'),
    lengthPenalty: opt(v['length-penalty'], finite, 'length-penalty'),
    earlyStopping: early === undefined ? undefined : early === 'never' ? 'never' : early === 'true',
    noRepeatNgramSize: opt(v['no-repeat-ngram-size'], nonNegativeInt, 'no-repeat-ngram-size'),
    repetitionPenalty: opt(v['repetition-penalty'], positiveNumber, 'repetition-penalty'),
    eosTokenId: opt(v['eos-token-id'], nonNegativeInt, 'eos-token-id'),
    stopStrings: v.stop,
    useCache: v['no-cache'] === true ? false : undefined,
  };
}

export async function generateCommand(args: string[], write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: FLAGS, allowPositionals: true, strict: true });
  const [dir, ...texts] = positionals;
  if (dir === undefined) throw new UsageError('mtl generate takes a model folder, then prompts or --input FILE');
  if (texts.length > 0 && values.input !== undefined) throw new UsageError('give prompts or --input FILE, not both');
  const prompts = values.input !== undefined ? readPredictInputs(values.input).map((p) => p.text) : texts;
  if (prompts.length === 0) throw new UsageError('no prompt; give them after the model folder or in --input FILE (JSON lines)');
  const options = generateOptionsOf(values as Values);
  using generator = TextGenerator.load(dir);
  for (const prompt of prompts) {
    await generator.generate(prompt, options, write);
    write('\n');
  }
  return 0;
}
