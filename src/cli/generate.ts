/**
 * What `mtl generate CKPT "prompt" … | --input FILE` runs: continues each prompt with a decoder model
 * folder (our checkpoint or a Hugging Face folder), streaming the text as the tokens come, one
 * continuation per line (each prompt in turn). The decoding options are `generate`'s, as flags.
 */
import { STDIN } from '../data/index.js';
import { existingFolder } from '../io/checkpoint-inspect.js';
import type { GenerateOptions } from '../generate/index.js';
import { TextGenerator } from '../predict/generate.js';
import { readPredictInputs } from '../predict/predict.js';
import { UsageError } from './args.js';

/** `mtl generate`'s flags, parsed (src/cli/commands/generate.ts declares them); absent: `generate`'s defaults. */
export interface GenerateFlags {
  /** A JSON lines file of prompts; '-' is standard input. */
  input?: string;
  maxNewTokens: number;
  minNewTokens?: number;
  doSample?: boolean;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  numBeams?: number;
  lengthPenalty?: number;
  earlyStopping?: 'true' | 'false' | 'never';
  noRepeatNgramSize?: number;
  repetitionPenalty?: number;
  eosTokenId?: number;
  stop?: string[];
  /** false with --no-cache. */
  cache: boolean;
}

/** The decoding options the flags give. */
export function generateOptionsOf(f: GenerateFlags): GenerateOptions {
  const early = f.earlyStopping;
  return {
    maxNewTokens: f.maxNewTokens,
    minNewTokens: f.minNewTokens,
    doSample: f.doSample,
    temperature: f.temperature,
    topK: f.topK,
    topP: f.topP,
    seed: f.seed,
    numBeams: f.numBeams,
    lengthPenalty: f.lengthPenalty,
    earlyStopping: early === undefined ? undefined : early === 'never' ? 'never' : early === 'true',
    noRepeatNgramSize: f.noRepeatNgramSize,
    repetitionPenalty: f.repetitionPenalty,
    eosTokenId: f.eosTokenId,
    stopStrings: f.stop,
    useCache: f.cache ? undefined : false,
  };
}

/**
 * Runs `mtl generate` with the model folder `dir` on `prompts` or the --input file; returns the exit code.
 * @param write where the text goes, piece by piece.
 */
export async function runGenerate(
  dir: string,
  prompts: readonly string[],
  flags: GenerateFlags,
  write: (text: string) => void,
): Promise<number> {
  if (prompts.length > 0 && flags.input !== undefined) throw new UsageError('give prompts or --input FILE, not both');
  existingFolder(dir, 'model folder'); // a mistyped folder is told before a missing prompt
  const file = flags.input === '-' ? STDIN : flags.input;
  const texts = file !== undefined ? readPredictInputs(file).map((p) => p.text) : prompts;
  if (texts.length === 0) throw new UsageError('no prompt; give them after the model folder or in --input FILE (JSON lines)');
  const empty = texts.indexOf('');
  if (empty >= 0) {
    const where = `prompt ${empty + 1}${file === undefined ? '' : ` of ${file === STDIN ? 'standard input' : file}`}`;
    throw new UsageError(`${where} is empty; a prompt needs at least one character (POST /generate refuses it too)`);
  }
  const options = generateOptionsOf(flags);
  using generator = TextGenerator.load(dir);
  for (const prompt of texts) {
    await generator.generate(prompt, options, (piece) => {
      if (piece !== '') write(piece);
    });
    write('\n');
  }
  return 0;
}
