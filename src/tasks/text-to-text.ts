/**
 * What the text-to-text task types (seq2seq, span-corruption) share on an encoder-decoder backbone
 * (t5, bart, marian; Raffel et al., JMLR 2020, §2.4): features of a source and a target, collation
 * with the targets as the decoder's labels (`BatchInputs.decoderLabels`: the backbone reads them
 * shifted right behind its decoder start token, so teacher forcing happens in the model), the LM head
 * (the backbone's own: tied or not, scaled, biased, as the family defines it — every text-to-text task
 * of a model shares it), the token-level cross-entropy on target tokens, teacher-forced scores per row,
 * and generation of a batch's targets through the decoding loop (src/generate).
 */
import { ConfigError, ShapeError } from '../errors.js';
import { generate, type GenerateOptions } from '../generate/index.js';
import { decoderPrompts, encoderDecoderLm } from '../models/encoder-decoder-lm.js';
import { isEncoderDecoder, type EncoderDecoderBackbone } from '../models/encoder-decoder.js';
import type { Backbone } from '../models/backbone.js';
import { clamp, crossEntropy, logSoftmax, noGrad, tidy, type Tensor } from '../tensor/index.js';
import { IGNORE_INDEX, type Encoding, type Tokenizer } from '../tokenization/index.js';
import { checkFeatures, padInputs, paddedInt64 } from './features.js';
import type { Batch, EncoderOutputs, Features, Metrics, TieableEncoder } from './types.js';
import { TaskHead } from './types.js';

/** A source and its target, as token ids. */
export interface TextToTextFeatures extends Features {
  /** (U) target ids, the end token last; absent for an unlabelled example. */
  readonly labels?: readonly number[];
  /** The id that ends a target (the tokenizer's last special token after a text: T5's `</s>`, BERT's `[SEP]`). */
  readonly endTokenId: number;
}

/** Teacher-forced scores of one row: what `decode` gives. */
export interface TargetScores {
  readonly exampleIndex: number;
  /** Target tokens predicted. */
  readonly targetTokens: number;
  /** Σ −ln p(token | source, earlier target tokens) over them (natural log). */
  readonly nll: number;
  /** How many of them were the most probable token. */
  readonly correct: number;
}

/**
 * Token accuracy and perplexity = exp(Σ −ln p / Σ tokens) pooled over every target token of every
 * row's scores; `targetTokens` is the count (with none: accuracy 0, perplexity NaN).
 */
export function tokenScoreMetrics(scores: readonly TargetScores[]): Metrics {
  let n = 0;
  let nll = 0;
  let correct = 0;
  for (const p of scores) {
    n += p.targetTokens;
    nll += p.nll;
    correct += p.correct;
  }
  return { accuracy: n === 0 ? 0 : correct / n, perplexity: n === 0 ? NaN : Math.exp(nll / n), targetTokens: n };
}

/**
 * The head of a text-to-text task: the encoder-decoder's LM head over the decoder's states (B, U, H) →
 * (B, U, V), shared whole by every text-to-text task of the model (T5's text-to-text framework: the
 * same model, loss and decoding for every task, told apart by the prefix). It has no tensors of its
 * own, so a model loaded from Hugging Face starts with its exact logits and exports back to the same class.
 */
export class TextToTextHead extends TaskHead {
  #backbone: EncoderDecoderBackbone | undefined;

  constructor(
    private readonly taskName: string,
    private readonly vocabSize: number,
  ) {
    super();
  }

  /** Reads the backbone's LM head (MultiTaskModel calls it when the head joins). @throws ConfigError for a backbone that is not an encoder-decoder. */
  override tieTo(backbone: TieableEncoder): void {
    const b = encoderDecoderOf(backbone as Backbone, this.taskName);
    if (b.config.vocabSize !== this.vocabSize)
      throw new ShapeError(
        `task '${this.taskName}': the backbone's vocabulary has ${b.config.vocabSize} tokens, the head's ${this.vocabSize}`,
      );
    this.#backbone = b;
  }

  /** @param encoded the decoder's last hidden states (the batch carried `decoderLabels`). */
  forward(encoded: EncoderOutputs): Tensor {
    return this.lmLogits(encoded.lastHiddenState);
  }

  /** Vocabulary logits (…, V) of decoder states (…, H): the backbone's LM head. */
  lmLogits(hiddenStates: Tensor): Tensor {
    const b = this.#backbone;
    if (b === undefined) throw new ConfigError(`task '${this.taskName}': the head is not on a backbone; call head.tieTo(backbone) first`);
    return b.lmLogits(hiddenStates);
  }
}

/** The head's vocabulary size from a backbone config; ConfigError naming the task when it has none. */
export function textToTextHead(backbone: { vocabSize?: number }, task: string): TextToTextHead {
  if (typeof backbone.vocabSize !== 'number')
    throw new ConfigError(`task '${task}': a text-to-text head needs the backbone's vocabSize; pass its full config`);
  return new TextToTextHead(task, backbone.vocabSize);
}

/** `backbone` as an encoder-decoder; ConfigError naming the task otherwise. */
export function encoderDecoderOf(backbone: Backbone, task: string): EncoderDecoderBackbone {
  if (!isEncoderDecoder(backbone))
    throw new ConfigError(
      `task '${task}': text-to-text tasks need an encoder-decoder backbone (t5, bart, marian); ${backbone.config.modelType} is an ${backbone.kind}`,
    );
  return backbone;
}

/**
 * The ids an encoding's text holds between the special tokens the tokenizer put before and after it,
 * and the last special token after it (its end token), if any.
 */
export function textIds(e: Encoding): { ids: number[]; end: number | undefined } {
  let start = 0;
  let end = e.inputIds.length;
  while (end > start && e.specialTokensMask[end - 1] === 1) end--;
  while (start < end && e.specialTokensMask[start] === 1) start++;
  const after = e.inputIds.slice(end);
  return { ids: e.inputIds.slice(start, end), end: after.at(-1) };
}

/** The end token of a source encoding (`textIds`), or a ConfigError saying the tokenizer adds none. */
export function endTokenOf(source: Encoding, task: string): number {
  const { end } = textIds(source);
  if (end === undefined)
    throw new ConfigError(
      `task '${task}': the tokenizer adds no special token after a text, so a target has no end token; use a tokenizer with an EOS (T5's </s>, BERT's [SEP])`,
    );
  return end;
}

/** A target's ids: its text's tokens cut to `maxTargetLength` − 1, then the end token. */
export function targetIds(target: Encoding, endTokenId: number, maxTargetLength: number): { ids: number[]; truncated: boolean } {
  const body = textIds(target).ids;
  const room = maxTargetLength - 1;
  return { ids: [...body.slice(0, room), endTokenId], truncated: body.length > room };
}

/**
 * Pads sources and targets: inputs as every task's (right-padded, attention mask), targets as
 * `decoderLabels` (B, U) with -100 on padding; `labels` is the same tensor. Without targets (prediction), neither.
 */
export function collateTextToText(features: readonly TextToTextFeatures[], where: string): Batch {
  checkFeatures(features, where);
  const padded = padInputs(features);
  if (features.some((f) => f.labels === undefined)) return { ...padded, features };
  const U = features.reduce((m, f) => Math.max(m, f.labels!.length), 0);
  const labels = paddedInt64(features.length, U, IGNORE_INDEX, (i) => features[i]!.labels!); // (B, U)
  return { ...padded, labels, decoderLabels: labels, features };
}

function checkLogits(logits: Tensor, labels: Tensor, task: string): void {
  const s = logits.shape;
  const [B, U] = labels.shape;
  if (s.length !== 3 || s[0] !== B || s[1] !== U)
    throw new ShapeError(
      `task '${task}': logits must be (B, U, V) with B, U = ${B}, ${U} (the targets), got [${s.join(', ')}]; did the batch carry decoderLabels?`,
    );
}

/**
 * Mean cross-entropy over the real target tokens of the batch (−Σ ln p / tokens; ignored -100), with
 * optional label smoothing (Szegedy et al., CVPR 2016, §7). 0 (differentiable) for a batch without targets tokens.
 * @param logits (B, U, V); the batch's labels (B, U).
 */
export function textToTextLoss(logits: Tensor, batch: Batch, task: string, labelSmoothing = 0): Tensor {
  const labels = batch.labels;
  if (labels === undefined) throw new ConfigError(`task '${task}': the batch has no targets, so no loss`);
  checkLogits(logits, labels, task);
  return tidy(() => {
    const [B, U, V] = logits.shape as [number, number, number];
    const y = labels.reshape([B * U]);
    const total = crossEntropy(logits.reshape([B * U, V]), y, { reduction: 'sum', labelSmoothing });
    return total.div(clamp(y.ne(IGNORE_INDEX).sum(), 1));
  });
}

/** Teacher-forced scores per row (Σ −ln p, tokens, argmax hits), in row order. */
export function targetScores(logits: Tensor, batch: Batch, task: string): TargetScores[] {
  const labels = batch.labels;
  if (labels === undefined) throw new ConfigError(`task '${task}': scoring targets needs the batch's labels`);
  checkLogits(logits, labels, task);
  const [nll, correct, count] = tidy(() =>
    noGrad(() => {
      const real = labels.ne(IGNORE_INDEX); // (B, U)
      const lp = logSoftmax(logits, -1); // (B, U, V)
      const target = lp.gather(-1, clamp(labels, 0).unsqueeze(-1)).squeeze(-1).mul(real);
      const hit = lp.argmax(-1).eq(labels).logicalAnd(real);
      const rows = (t: Tensor) => t.to('float64').sum(1).toArray() as number[];
      return [rows(target.neg()), rows(hit), rows(real)];
    }),
  ) as [number[], number[], number[]];
  return batch.features.map((f, i) => ({ exampleIndex: f.exampleIndex, targetTokens: count[i]!, nll: nll[i]!, correct: correct[i]! }));
}

/**
 * Generates the target of each row of `batch` (its inputs are the sources) with the task's `head`
 * and decodes it to text (special tokens skipped), stopping at the rows' end token.
 * @param options decoding options (greedy, beams, lengths); eosTokenId defaults to the features' end token.
 * @returns per row, in row order, the generated ids (without the end token) and their text.
 */
export async function generateTargets(
  backbone: EncoderDecoderBackbone,
  head: TextToTextHead,
  tokenizer: Tokenizer,
  batch: Batch,
  options: GenerateOptions,
): Promise<{ tokens: number[]; text: string }[]> {
  const features = batch.features as readonly TextToTextFeatures[];
  const end = features[0]?.endTokenId;
  const decoder = encoderDecoderLm(backbone, { inputIds: batch.inputIds, attentionMask: batch.attentionMask }, (h) => head.lmLogits(h));
  const eos = end === undefined ? {} : { eosTokenId: end };
  const pad = { padTokenId: backbone.config.padTokenId ?? 0 };
  const generations = await generate(decoder, decoderPrompts(backbone, features.length), { ...eos, ...pad, ...options });
  return Promise.all(generations.map(async (g) => ({ tokens: g.tokens, text: (await tokenizer.decode(g.tokens)).trim() })));
}
