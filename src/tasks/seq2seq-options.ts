/**
 * The options of a seq2seq task (./seq2seq.ts): parsed and checked once, when the config is read; the
 * decoding options of its evaluation and prediction.
 */
import type { GenerateOptions } from '../generate/index.js';
import type { TruncationSide } from './features.js';
import { booleanOption, numberOption, OptionError, rejectUnknownOptions } from './options.js';
import { textMetricsOption, type TextMetric } from './text-metrics.js';

export const SEQ2SEQ = 'seq2seq';

export interface Seq2seqOptions {
  /** Put before every source text (T5's task prefixes, "translate English to German: "); default ''. */
  readonly prefix: string;
  /** Most target tokens, the end token included (longer targets are cut; default 128). */
  readonly maxTargetLength: number;
  /** Metric families of evaluation, the first the main one (default ['bleu']). */
  readonly metrics: readonly TextMetric[];
  /** Beams of evaluation and prediction (1 = greedy; default 1). */
  readonly numBeams: number;
  /** Most tokens generated per target (default: maxTargetLength). */
  readonly maxNewTokens: number;
  /** Beam search's length penalty exponent (default 1). */
  readonly lengthPenalty: number;
  /** No n-gram of this size twice in a generated target (0 = off; default 0). */
  readonly noRepeatNgramSize: number;
  /** Label smoothing ε of the training loss (default 0). */
  readonly labelSmoothing: number;
  /** Lowercase hypotheses and references before BLEU and chrF (default false). */
  readonly lowercaseMetrics: boolean;
  /** Which end of a source longer than the run's max_length loses tokens: 'right' (default) or 'left' (a dialogue context keeps its latest turns). */
  readonly truncationSide: TruncationSide;
  /** Porter-stem words of more than 3 letters before ROUGE (rouge-score's `use_stemmer`; default false). */
  readonly rougeStemmer: boolean;
  /**
   * Undo the spaces a WordPiece decode puts around punctuation in generated text (`I ' m fine , thanks .`
   * → `I'm fine, thanks.`; ../data/detokenize.ts) before it is scored, printed or served; for targets
   * written as normal text (dailydialog data with `detokenize: true`). Default false.
   */
  readonly detokenize: boolean;
  /**
   * Whether the backbone is a decoder (gpt2, llama): prompt and target in one sequence
   * (./seq2seq-decoder.ts) rather than a source for the encoder and a target for the decoder. Set from
   * the model's family when a run starts; default false (encoder-decoder, as checkpoints before it).
   */
  readonly decoderOnly: boolean;
  /**
   * The token that ends a target (and, on a decoder, a prompt); null (default): the special token the
   * tokenizer puts after a text (BERT's `[SEP]`, T5's `</s>`). A tokenizer that adds none (GPT-2's,
   * Llama's) needs it: `<|endoftext|>`, `</s>`.
   */
  readonly endToken: string | null;
}

const OPTION_KEYS = [
  'prefix',
  'maxTargetLength',
  'metrics',
  'numBeams',
  'maxNewTokens',
  'lengthPenalty',
  'noRepeatNgramSize',
  'labelSmoothing',
  'lowercaseMetrics',
  'truncationSide',
  'rougeStemmer',
  'detokenize',
  'decoderOnly',
  'endToken',
];

function truncationSideOption(raw: Readonly<Record<string, unknown>>): TruncationSide {
  const v = raw.truncationSide ?? 'right';
  if (v !== 'right' && v !== 'left')
    throw new OptionError(SEQ2SEQ, 'truncationSide', `must be 'right' or 'left', got ${JSON.stringify(v)}`);
  return v;
}

/** The decoding options of a task's evaluation and prediction. */
export function seq2seqGenerateOptions(o: Seq2seqOptions): GenerateOptions {
  return {
    maxNewTokens: o.maxNewTokens,
    numBeams: o.numBeams,
    lengthPenalty: o.lengthPenalty,
    noRepeatNgramSize: o.noRepeatNgramSize,
    ...(o.numBeams > 1 ? { earlyStopping: true } : {}),
  };
}

/**
 * The options of a task's config section (camelCase keys), defaults filled in.
 * @throws OptionError naming the option for an unknown key or a value out of range.
 */
export function resolveSeq2seqOptions(raw: Readonly<Record<string, unknown>> = {}): Seq2seqOptions {
  const where = SEQ2SEQ;
  rejectUnknownOptions(where, raw, OPTION_KEYS);
  const prefix = raw.prefix ?? '';
  if (typeof prefix !== 'string') throw new OptionError(where, 'prefix', `must be a string, got ${JSON.stringify(prefix)}`);
  const maxTargetLength = numberOption(where, raw, 'maxTargetLength', 128, 2, true);
  const labelSmoothing = numberOption(where, raw, 'labelSmoothing', 0, 0);
  if (labelSmoothing >= 1) throw new OptionError(where, 'labelSmoothing', `must be in [0, 1), got ${labelSmoothing}`);
  const endToken = raw.endToken ?? null;
  if (endToken !== null && (typeof endToken !== 'string' || endToken === ''))
    throw new OptionError(where, 'endToken', `must be a token (a non-empty string), got ${JSON.stringify(endToken)}`);
  return {
    prefix,
    maxTargetLength,
    metrics: textMetricsOption(where, raw, 'metrics', ['bleu'], false),
    numBeams: numberOption(where, raw, 'numBeams', 1, 1, true),
    maxNewTokens: numberOption(where, raw, 'maxNewTokens', maxTargetLength, 1, true),
    lengthPenalty: numberOption(where, raw, 'lengthPenalty', 1, -Infinity),
    noRepeatNgramSize: numberOption(where, raw, 'noRepeatNgramSize', 0, 0, true),
    labelSmoothing,
    lowercaseMetrics: booleanOption(where, raw, 'lowercaseMetrics', false),
    truncationSide: truncationSideOption(raw),
    rougeStemmer: booleanOption(where, raw, 'rougeStemmer', false),
    detokenize: booleanOption(where, raw, 'detokenize', false),
    decoderOnly: booleanOption(where, raw, 'decoderOnly', false),
    endToken,
  };
}
