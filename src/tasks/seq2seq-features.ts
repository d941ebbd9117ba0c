/**
 * The features of seq2seq examples: on an encoder-decoder a source (task prefix + text, cut to the
 * run's max_length on the `truncation_side`) and a target ending in the end token (cut to
 * `max_target_length`; ./text-to-text.ts); on a decoder one prompt-then-target sequence
 * (./seq2seq-decoder.ts). Every labelled example must have target text.
 */
import { formatPosition, type SourcePosition } from '../data/index.js';
import { ConfigError, DataError } from '../errors.js';
import type { Encoding, Tokenizer } from '../tokenization/index.js';
import { truncateEncoding } from './features.js';
import { promptTargetFeatures } from './seq2seq-decoder.js';
import type { Seq2seqOptions } from './seq2seq-options.js';
import { targetIds, textIds, type TextToTextFeatures } from './text-to-text.js';
import { splitWord, type FeaturizeOptions, type FeaturizeResult, type TaskSpec } from './types.js';

/** A source text and its target (the reader's `label`); the target is absent for prediction. */
export interface Seq2seqExample {
  readonly id: string;
  readonly text: string;
  /** The target that training teaches (with several references, the first). */
  readonly label?: string;
  /** Every reference evaluation scores against, `label` first; absent: `label` alone. */
  readonly references?: readonly string[];
  readonly source: SourcePosition;
}

/**
 * The error for an example without target text, naming its file:line and split: a training target
 * teaches the model what to write, a dev or test target is what its text is scored against.
 */
function untargetedError(e: Seq2seqExample, task: string, split: string): DataError {
  const what = e.label === undefined ? 'no target' : 'an empty target';
  const why =
    split === 'training'
      ? 'a training target must have text (an empty one would teach the model to write nothing)'
      : `every ${split} example needs a target to score the generated text against`;
  return new DataError(
    `${formatPosition(e.source)}: the ${split} example of task '${task}' has ${what}; ${why}: fill it in or leave the row out`,
  );
}

/** The id that ends a target: the `endToken` option's token, else the last special token the tokenizer puts after the source. */
function endTokenIdOf(o: Seq2seqOptions, tokenizer: Tokenizer, source: Encoding, task: string): number {
  if (o.endToken === null) {
    const { end } = textIds(source);
    if (end === undefined)
      throw new ConfigError(
        `task '${task}': the tokenizer adds no special token after a text, so a target has no end token; name one in the task's end_token option (GPT-2's '<|endoftext|>', Llama's '</s>') or use a tokenizer that adds one (T5's </s>, BERT's [SEP])`,
      );
    return end;
  }
  const id = tokenizer.tokenToId(o.endToken);
  if (id === null) throw new ConfigError(`task '${task}': end_token ${JSON.stringify(o.endToken)} is not a token of the vocabulary`);
  return id;
}

/**
 * Tokenizes `examples` as the task's options say (prefix, truncation, end token, decoder or encoder-decoder layout).
 * @throws DataError naming file:line for a training, dev or test example without target text; ConfigError when no end token is known.
 */
export async function seq2seqFeatures(
  examples: readonly Seq2seqExample[],
  tokenizer: Tokenizer,
  spec: TaskSpec<Seq2seqOptions>,
  options: FeaturizeOptions,
): Promise<FeaturizeResult> {
  const o = spec.options;
  const sources = await tokenizer.encodeBatch(examples.map((e) => o.prefix + e.text));
  const labelled = examples.every((e) => e.label !== undefined);
  // A training target must have text: an empty cell (a blank answer column) would teach "answer nothing";
  // a dev or test target is what the generated text is scored against.
  const untargeted = options.training === false ? undefined : examples.find((x) => x.label === undefined || x.label.trim() === '');
  if (untargeted !== undefined) throw untargetedError(untargeted, spec.name, splitWord(options));
  const targets = labelled ? await tokenizer.encodeBatch(examples.map((e) => e.label!)) : [];
  const ends = sources.map((s) => endTokenIdOf(o, tokenizer, s, spec.name));
  if (o.decoderOnly)
    return promptTargetFeatures(sources, labelled ? targets : undefined, ends, { ...o, maxLength: options.maxLength }, spec.name);
  let truncated = 0; // sources cut to max_length
  let truncatedTargets = 0; // targets cut to max_target_length
  const features = sources.map((full, i): TextToTextFeatures => {
    const endTokenId = ends[i]!;
    const source = truncateEncoding(full, options.maxLength, o.truncationSide);
    const target = labelled ? targetIds(targets[i]!, endTokenId, o.maxTargetLength) : undefined;
    if (source.truncated) truncated++;
    if (target?.truncated === true) truncatedTargets++;
    const cut = source.truncated || (target?.truncated ?? false);
    return { exampleIndex: i, inputIds: source.inputIds, truncated: cut, endTokenId, ...(target ? { labels: target.ids } : {}) };
  });
  return { features, truncated, truncatedTargets };
}
