/**
 * Seq2seq on a decoder-only backbone (gpt2, llama): each example is one sequence, the prompt (task
 * prefix + source, with the tokenizer's special tokens, ending in the end token) followed by the
 * target and its end token; the loss is the next-token cross-entropy on the target tokens alone (−100
 * on the prompt and the padding), as Hugging Face's `DataCollatorForCompletionOnlyLM` and instruction
 * tuning (Ouyang et al., NeurIPS 2022) train a decoder on completions only. Generation continues the
 * prompt (left-padded into one batch by src/generate) and returns the new tokens alone.
 *
 * Layout of one example (T ≤ max_length; a WordPiece tokenizer learned by a run):
 *
 *     [CLS] translate: a dog runs [SEP] ein hund läuft [SEP]
 *     └──────────── prompt ──────────┘└───── target ──────┘
 *     labels: -100 … -100             ein hund läuft [SEP]
 *
 * The prompt ends in the end token that ends targets: the special token the tokenizer puts after a text
 * (BERT's `[SEP]`, T5's `</s>`), else the `end_token` option's (GPT-2's `<|endoftext|>`), appended. So
 * the model learns "after the end of a source comes its target, up to the next end token".
 *
 * Truncation keeps the target: a target is cut to `max_target_length` (its end token included, as on
 * an encoder-decoder), and the prompt to `max_length − max_target_length` tokens, the source losing
 * tokens on the `truncation_side` (right by default: its end; left: its start, the prefix first),
 * whatever the target's length, so a prompt reads the same in training, evaluation and prediction,
 * and a generated target of `max_target_length` tokens still fits in `max_length`.
 */
import { ConfigError, ShapeError } from '../errors.js';
import { generate, type GenerateOptions } from '../generate/index.js';
import type { Backbone } from '../models/backbone.js';
import { causalLmDecoder } from '../models/causal-lm.js';
import type { Tensor } from '../tensor/index.js';
import { IGNORE_INDEX, type Encoding, type Tokenizer } from '../tokenization/index.js';
import { CausalLmHead, nextTokenLoss, nextTokenScores } from './causal-lm.js';
import { checkFeatures, longest, padInputs, paddedInt64, truncateEncoding, type TruncationSide } from './features.js';
import { targetIds, textIds, type TargetScores } from './text-to-text.js';
import type { Batch, Features } from './types.js';

/** One example on a decoder: the prompt, then (when labelled) the target, in one sequence. */
export interface PromptTargetFeatures extends Features {
  /** Tokens of the prompt: `inputIds[0 : promptLength]` (what generation continues). */
  readonly promptLength: number;
  /** (T) −100 on the prompt, then the target ids, its end token last; absent for a prompt alone (prediction). */
  readonly labels?: readonly number[];
  /** The id that ends a target (and the prompt). */
  readonly endTokenId: number;
}

/** How `promptTargetFeatures` builds sequences: the task's options that bear on it. */
export interface PromptTargetOptions {
  readonly maxLength: number;
  readonly maxTargetLength: number;
  readonly truncationSide: TruncationSide;
}

/**
 * A decoder's prompt of an encoded prefix + source (uncut): the encoding's ids when special tokens
 * follow its text (they end it), else with `endTokenId` appended. What `mtl generate` continues.
 */
export function decoderPrompt(source: Encoding, endTokenId: number): number[] {
  return textIds(source).end === undefined ? [...source.inputIds, endTokenId] : [...source.inputIds];
}

/**
 * The prompt's ids (`decoderPrompt`), cut to `room` tokens (its special tokens kept).
 * @throws ConfigError when `room` cannot hold the special tokens, the end token and one source token.
 */
function promptIds(
  source: Encoding,
  endTokenId: number,
  room: number,
  side: TruncationSide,
  task: string,
): { ids: number[]; cut: boolean } {
  const appended = textIds(source).end === undefined ? 1 : 0;
  const special = source.specialTokensMask.reduce((a, b) => a + b, 0) + appended;
  if (room < special + 1)
    throw new ConfigError(
      `task '${task}': on a decoder-only backbone the prompt and the target share max_length, and max_length less ` +
        `max_target_length leaves ${room} tokens for the prompt, fewer than its ${special} special tokens and one source token; ` +
        'lower max_target_length or raise max_length',
    );
  const kept = truncateEncoding(source, room - appended, side);
  return { ids: decoderPrompt(kept, endTokenId), cut: kept.truncated };
}

/**
 * Features of examples on a decoder: per example, the prompt (from `sources[i]`) and, when `targets`
 * are given, the target after it with labels on the target alone.
 * @param sources the encodings of prefix + source text; targets the encodings of the target texts (same order), or undefined (prediction).
 * @returns the features, how many were cut (prompt or target), and how many targets were cut.
 */
export function promptTargetFeatures(
  sources: readonly Encoding[],
  targets: readonly Encoding[] | undefined,
  endTokenIds: readonly number[],
  o: PromptTargetOptions,
  task: string,
): { features: PromptTargetFeatures[]; truncated: number; truncatedTargets: number } {
  let truncated = 0;
  let truncatedTargets = 0;
  const features = sources.map((source, i): PromptTargetFeatures => {
    const end = endTokenIds[i]!;
    const prompt = promptIds(source, end, o.maxLength - o.maxTargetLength, o.truncationSide, task);
    const target = targets === undefined ? undefined : targetIds(targets[i]!, end, o.maxTargetLength);
    if (prompt.cut || target?.truncated === true) truncated++;
    if (target?.truncated === true) truncatedTargets++;
    const common = {
      exampleIndex: i,
      promptLength: prompt.ids.length,
      endTokenId: end,
      truncated: prompt.cut || (target?.truncated ?? false),
    };
    if (target === undefined) return { ...common, inputIds: prompt.ids };
    return {
      ...common,
      inputIds: [...prompt.ids, ...target.ids],
      labels: [...prompt.ids.map(() => IGNORE_INDEX), ...target.ids],
    };
  });
  return { features, truncated, truncatedTargets };
}

/** Right-padded inputs and, when every feature has them, labels (B, T) with −100 on the prompts and the padding. */
export function collatePromptTarget(features: readonly PromptTargetFeatures[], where: string): Batch {
  checkFeatures(features, where);
  const padded = padInputs(features);
  if (features.some((f) => f.labels === undefined)) return { ...padded, features };
  const labels = paddedInt64(features.length, longest(features), IGNORE_INDEX, (i) => features[i]!.labels!); // (B, T)
  return { ...padded, labels, features };
}

function checkLogits(logits: Tensor, labels: Tensor, task: string): void {
  const s = logits.shape;
  const [B, T] = labels.shape;
  if (s.length !== 3 || s[0] !== B || s[1] !== T)
    throw new ShapeError(`task '${task}': logits must be (B, T, V) with B, T = ${B}, ${T} (prompt and target), got [${s.join(', ')}]`);
}

/**
 * Mean next-token cross-entropy over the target tokens of the batch (the logits at t predict the
 * label at t + 1), with label smoothing ε (Szegedy et al., CVPR 2016, §7).
 * @param logits (B, T, V); the batch's labels (B, T).
 */
export function promptTargetLoss(logits: Tensor, batch: Batch, task: string, labelSmoothing: number): Tensor {
  const labels = batch.labels;
  if (labels === undefined) throw new ConfigError(`task '${task}': the batch has no targets (prompts only), so no loss`);
  checkLogits(logits, labels, task);
  return nextTokenLoss(logits, labels, labelSmoothing);
}

/** Teacher-forced scores of each row's target tokens (Σ −ln p, tokens, argmax hits), in row order. */
export function promptTargetScores(logits: Tensor, batch: Batch, task: string): TargetScores[] {
  const labels = batch.labels;
  if (labels === undefined) throw new ConfigError(`task '${task}': scoring targets needs the batch's labels`);
  checkLogits(logits, labels, task);
  return nextTokenScores(logits, labels, batch.features);
}

/**
 * Generates each row's target from its prompt (`promptLength` tokens; a labelled row's target is not
 * read) and decodes the new tokens to text (special tokens skipped), stopping at the rows' end token.
 * @returns per row, in row order, the generated ids (without the end token) and their text.
 */
export async function generateFromPrompts(
  backbone: Backbone,
  head: CausalLmHead,
  tokenizer: Tokenizer,
  batch: Batch,
  options: GenerateOptions,
): Promise<{ tokens: number[]; text: string }[]> {
  const features = batch.features as readonly PromptTargetFeatures[];
  const end = features[0]?.endTokenId;
  const decoder = causalLmDecoder(backbone, head.asLmHead());
  const prompts = features.map((f) => f.inputIds.slice(0, f.promptLength));
  const eos = end === undefined ? {} : { eosTokenId: end };
  const made = await generate(decoder, prompts, { ...eos, padTokenId: backbone.config.padTokenId ?? 0, ...options });
  return Promise.all(made.map(async (g) => ({ tokens: g.tokens, text: (await tokenizer.decode(g.tokens)).trim() })));
}
