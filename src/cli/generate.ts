/**
 * What `mtl generate CKPT "prompt" … | --input FILE | --messages FILE` runs: continues each prompt with
 * a decoder model folder (our checkpoint or a Hugging Face folder), or replies to each conversation as
 * a checkpoint's chat task (its template, its end-of-turn token) or with a Hugging Face folder's own
 * chat template (../predict/chat-reply.ts), streaming the text as the tokens
 * come, one continuation or reply per line. The decoding options are `generate`'s, as flags.
 */
import { readReplyConversations, STDIN } from '../data/index.js';
import { existingFolder } from '../io/checkpoint-inspect.js';
import type { GenerateOptions } from '../generate/index.js';
import { TextGenerator } from '../predict/generate.js';
import { readPrompts } from '../predict/prompts-file.js';
import { UsageError } from './args.js';

/** `mtl generate`'s flags, parsed (src/cli/commands/generate.ts declares them); absent: `generate`'s defaults. */
export interface GenerateFlags {
  /** A JSON lines file of prompts; '-' is standard input. */
  input?: string;
  /** A file of conversations to reply to (`readReplyConversations`); '-' is standard input. */
  messages?: string;
  /** The chat task that replies to --messages (default the checkpoint's only one); with prompts, the seq2seq task whose source each is (default: by its prefix). */
  task?: string;
  /** Absent: the seq2seq task's max_new_tokens, generation_config.json's (max_new_tokens, else max_length less the prompt), else 64 for a prompt; the chat task's max_new_tokens for a conversation. */
  maxNewTokens?: number;
  minNewTokens?: number;
  /** true with --do-sample, false with --no-do-sample; absent: generation_config.json's do_sample, else greedy. */
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

/** The decoding options the flags give (undefined where a flag is not given: the folder's generation_config.json, then the defaults, fill those in). */
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
  if (flags.messages !== undefined && (prompts.length > 0 || flags.input !== undefined))
    throw new UsageError('give --messages FILE alone: conversations, not prompts or --input as well');
  existingFolder(dir, 'model folder'); // a mistyped folder is told before a missing prompt
  if (flags.messages !== undefined) return replyAll(dir, flags, write);
  const file = flags.input === '-' ? STDIN : flags.input;
  const texts = file !== undefined ? readPrompts(file) : prompts;
  if (texts.length === 0) throw new UsageError('no prompt; give them after the model folder or in --input FILE (JSON lines)');
  const empty = texts.indexOf('');
  if (empty >= 0) {
    const where = `prompt ${empty + 1}${file === undefined ? '' : ` of ${file === STDIN ? 'standard input' : file}`}`;
    throw new UsageError(`${where} is empty; a prompt needs at least one character (POST /generate refuses it too)`);
  }
  const options = generateOptionsOf(flags); // TextGenerator fills in generation_config.json's values, then its defaults
  using generator = TextGenerator.load(dir);
  for (const text of texts) {
    const prompt = flags.task === undefined ? text : { text, task: flags.task };
    await generator.generate(prompt, options, (piece) => {
      if (piece !== '') write(piece);
    });
    write('\n');
  }
  return 0;
}

/** `mtl generate DIR --messages FILE [--task NAME]`: each conversation's reply, streamed, one per line. */
async function replyAll(dir: string, flags: GenerateFlags, write: (text: string) => void): Promise<number> {
  const conversations = readReplyConversations(flags.messages === '-' ? STDIN : flags.messages!); // read before the model loads
  using generator = TextGenerator.load(dir);
  const options = generateOptionsOf(flags); // the task's decoding options fill in what is not given
  for (const messages of conversations) {
    await generator.generate({ messages, ...(flags.task === undefined ? {} : { task: flags.task }) }, options, (piece) => {
      if (piece !== '') write(piece);
    });
    write('\n');
  }
  return 0;
}
