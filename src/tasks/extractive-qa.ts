/**
 * Extractive question answering (SQuAD; Rajpurkar et al., EMNLP 2016, and v2.0's unanswerable
 * questions, Rajpurkar, Jia and Liang, ACL 2018): the answer is a span of the context. BERT's recipe
 * (Devlin et al., NAACL 2019, §4.2–4.3): the question and the context are one input, a linear layer
 * gives every token a start and an end logit (Hugging Face's BertForQuestionAnswering, parameters
 * `qa_outputs.weight` (2, H) and `qa_outputs.bias` (2)), the loss is the mean of the start and end
 * positions' cross-entropies, and the answer is the best span by start + end logit, at most
 * `maxAnswerLength` tokens, among the `nBest` best starts and ends of each window.
 *
 * A context longer than a window is read in overlapping windows (./qa-windows.ts), each its own
 * feature; a window that does not hold the answer is trained to point at [CLS]. The predictions of
 * an example's windows are merged (`mergePredictions`): the best span over them, and for SQuAD 2.0
 * (`unanswerable: true`) no answer when the smallest [CLS] score ("null score") beats the best span
 * by more than `nullThreshold`. Spans map back to characters of the context through the tokenizer's
 * offsets, so `answer === context.slice(start, end)`.
 */
import { ConfigError, DataError, ShapeError } from '../errors.js';
import { formatPosition, type QuestionAnswerExample, type SquadAnswer } from '../data/index.js';
import { squadV2Scores } from '../metrics/index.js';
import { crossEntropy, noGrad, tensor, tidy, type Tensor } from '../tensor/index.js';
import type { Encoding, Tokenizer } from '../tokenization/index.js';
import { Linear } from '../nn/linear.js';
import { booleanOption, numberOption, rejectUnknownOptions } from './options.js';
import { symmetricKl } from './divergence.js';
import { answerTokens, qaWindows, type QaWindow } from './qa-windows.js';
import { encodeInputs, exampleOf, padInputs } from './features.js';
import {
  TaskHead,
  type Batch,
  type EncoderConfig,
  type EncoderOutputs,
  type Features,
  type FeaturizeOptions,
  type FeaturizeResult,
  type Metrics,
  type TaskSpec,
  type TaskType,
} from './types.js';
import type { JsonObject } from '../io/checkpoint-state.js';

export const EXTRACTIVE_QA = 'extractive-qa';

/** The label list of a QA task: the names of its two outputs per token. */
export const QA_LABELS: readonly string[] = ['start', 'end'];

export interface ExtractiveQaOptions {
  /** Tokens shared by successive windows of a long context. Default 128 (BERT's SQuAD setting). */
  readonly docStride: number;
  /** Most question tokens kept. Default 64. */
  readonly maxQuestionLength: number;
  /** Longest answer predicted, in tokens. Default 30. */
  readonly maxAnswerLength: number;
  /** Best starts and best ends of a window combined into candidate spans. Default 20. */
  readonly nBest: number;
  /** SQuAD 2.0: questions may have no answer (predicted as ''). Default false. */
  readonly unanswerable: boolean;
  /** With `unanswerable`: no answer when the null score exceeds the best span's score by more than this (logits). Default 0. */
  readonly nullThreshold: number;
}

const OPTION_KEYS = ['docStride', 'maxQuestionLength', 'maxAnswerLength', 'nBest', 'unanswerable', 'nullThreshold'];

/** A window's features: its context tokens' character offsets. */
export interface QaFeatures extends Features {
  /** (T) `[start, end)` in the context of each context token; null for the question's and special tokens. */
  readonly contextOffsets: readonly ([number, number] | null)[];
}

/** The answer of one window (from `decode`), or of one example (after `mergePredictions`). */
export interface QaPrediction {
  readonly exampleIndex: number;
  /** The answer, `context.slice(start, end)`; '' for no answer. */
  readonly answer: string;
  /** UTF-16 offsets of the answer in the context (both 0 for no answer). */
  readonly start: number;
  readonly end: number;
  /** Start + end logit of the answer's span (-Infinity when the window has no valid span). */
  readonly score: number;
  /** Start + end logit of [CLS] (the window's, or the smallest over the example's windows). */
  readonly nullScore: number;
}

type Spec = TaskSpec<ExtractiveQaOptions>;

/** BertForQuestionAnswering's head: one linear layer (H → 2) over every token, no dropout. */
export class QuestionAnsweringHead extends TaskHead {
  /** weight (2, H), bias (2) */
  readonly qaOutputs: Linear;

  constructor(encoder: EncoderConfig) {
    super();
    this.qaOutputs = this.registerModule('qa_outputs', new Linear(encoder.hiddenSize, 2, { initStd: encoder.initializerRange }));
  }

  /** lastHiddenState (B, T, H) → (B, T, 2): start logits [..., 0], end logits [..., 1]. */
  forward(encoded: EncoderOutputs): Tensor {
    return this.qaOutputs.forward(encoded.lastHiddenState);
  }
}

function checkLogits(logits: Tensor, B: number, spec: Spec): void {
  const s = logits.shape;
  if (s.length !== 3 || s[0] !== B || s[2] !== 2)
    throw new ShapeError(`task '${spec.name}': logits must be (B, T, 2) = [${B}, T, 2], got [${s.join(', ')}]`);
}

/** The `n` best indices of `xs` among `allowed`, best first. */
function topIndices(xs: readonly number[], allowed: (t: number) => boolean, n: number): number[] {
  return xs
    .map((_, t) => t)
    .filter(allowed)
    .sort((a, b) => xs[b]! - xs[a]! || a - b)
    .slice(0, n);
}

/**
 * The best span of one window: among its `nBest` best start and end tokens (context tokens only),
 * start ≤ end and at most `maxAnswerLength` tokens, the highest start + end logit.
 * @returns token indices [start, end] (inclusive) and the score, or undefined when no span is valid.
 */
export function bestSpan(
  startLogits: readonly number[],
  endLogits: readonly number[],
  offsets: readonly ([number, number] | null)[],
  options: Pick<ExtractiveQaOptions, 'nBest' | 'maxAnswerLength'>,
): { start: number; end: number; score: number } | undefined {
  const inContext = (t: number) => offsets[t] !== null && offsets[t] !== undefined;
  let best: { start: number; end: number; score: number } | undefined;
  for (const s of topIndices(startLogits, inContext, options.nBest))
    for (const e of topIndices(endLogits, inContext, options.nBest)) {
      if (e < s || e - s + 1 > options.maxAnswerLength) continue;
      const score = startLogits[s]! + endLogits[e]!;
      if (best === undefined || score > best.score) best = { start: s, end: e, score };
    }
  return best;
}

/**
 * One prediction per example from those of its windows: the best-scoring span; with `unanswerable`,
 * no answer when the smallest null score minus the best span's score exceeds `nullThreshold` (as
 * Hugging Face's `postprocess_qa_predictions`), or when no window has a span.
 */
export function mergeWindows(
  predictions: readonly QaPrediction[],
  options: Pick<ExtractiveQaOptions, 'unanswerable' | 'nullThreshold'>,
): QaPrediction[] {
  const byExample = new Map<number, QaPrediction[]>();
  for (const p of predictions) byExample.set(p.exampleIndex, [...(byExample.get(p.exampleIndex) ?? []), p]);
  return [...byExample.values()].map((windows) => {
    const best = windows.reduce((a, b) => (b.score > a.score ? b : a));
    const nullScore = Math.min(...windows.map((w) => w.nullScore));
    const none = options.unanswerable && (best.score === -Infinity || nullScore - best.score > options.nullThreshold);
    return none ? { exampleIndex: best.exampleIndex, answer: '', start: 0, end: 0, score: best.score, nullScore } : { ...best, nullScore };
  });
}

export const extractiveQa: TaskType<QuestionAnswerExample, QaPrediction, ExtractiveQaOptions> = {
  kind: EXTRACTIVE_QA,
  inputs: ['pair'],
  sharesEncoderPass: false, // windows: an example has as many features as its context needs
  formats: ['squad'],
  readsLabel: true,
  labelSpace: 'none',
  mainMetric: { name: 'f1', greaterIsBetter: true },

  /** SMART's term: the start and the end distributions are over the tokens (dim 1 of (B, T, 2)). */
  outputDivergence: (clean, perturbed, detachTargets) => symmetricKl(clean, perturbed, 1, detachTargets),

  /** `{ answer, start, end, score }`: offsets into the context (`text_pair`); '' for no answer. */
  present(p): JsonObject {
    return { answer: p.answer, start: p.start, end: p.end, score: p.score };
  },

  /** <Family>ForQuestionAnswering (its `qa_outputs` are this head's). */
  exportHf() {
    return { head: 'QuestionAnswering', config: {}, headTensors: ['qa_outputs.weight', 'qa_outputs.bias'] };
  },

  /** A …ForQuestionAnswering folder: start and end logits over the context's tokens (SQuAD v1.1 style, always an answer). */
  importHf(head) {
    return head === 'QuestionAnswering' ? { options: {}, labels: [...QA_LABELS] } : undefined;
  },

  resolveOptions(raw = {}) {
    const where = EXTRACTIVE_QA;
    rejectUnknownOptions(where, raw, OPTION_KEYS);
    return {
      docStride: numberOption(where, raw, 'docStride', 128, 0, true),
      maxQuestionLength: numberOption(where, raw, 'maxQuestionLength', 64, 1, true),
      maxAnswerLength: numberOption(where, raw, 'maxAnswerLength', 30, 1, true),
      nBest: numberOption(where, raw, 'nBest', 20, 1, true),
      unanswerable: booleanOption(where, raw, 'unanswerable', false),
      nullThreshold: numberOption(where, raw, 'nullThreshold', 0, -Infinity),
    };
  },

  collectLabels() {
    return [...QA_LABELS];
  },

  createHead(encoder) {
    return new QuestionAnsweringHead(encoder);
  },

  /**
   * The windows of every example (several for a context longer than one), labelled with the first
   * gold answer's token span, or [CLS] when the window does not hold it or the question has none
   * (an unanswerable question in training needs `unanswerable: true`). `truncated` counts the
   * questions cut to `maxQuestionLength`.
   */
  async featurize(examples, tokenizer: Tokenizer, spec, options: FeaturizeOptions): Promise<FeaturizeResult> {
    const training = options.training ?? true;
    const o = spec.options;
    if (training && !o.unanswerable) {
      const none = examples.find((e) => e.answers !== undefined && e.answers.length === 0);
      if (none !== undefined)
        throw new DataError(
          `${formatPosition(none.source)}: question ${none.id} of task '${spec.name}' has no answer; set options.unanswerable: true for SQuAD 2.0 data`,
        );
    }
    const encodings = await encodeInputs(examples, tokenizer);
    const features: QaFeatures[] = [];
    let truncated = 0;
    encodings.forEach((e, i) => {
      if (e.truncated)
        throw new ConfigError(
          `task '${spec.name}': the tokenizer truncates (its maxLength is ${tokenizer.maxLength}); windows need whole contexts: set it to null`,
        );
      const { windows, questionCut } = qaWindows(e, {
        maxLength: options.maxLength,
        docStride: o.docStride,
        maxQuestionLength: o.maxQuestionLength,
      });
      if (questionCut) truncated++;
      const read = questionCut ? { truncated: true, readChars: [questionRead(e, o.maxQuestionLength), null] } : { truncated: false };
      for (const w of windows) features.push(windowFeatures(w, i, read, examples[i]!.answers));
    });
    return { features, truncated };
  },

  collate(_task, features): Batch {
    const padded = padInputs(features);
    if (features.some((f) => f.labels === undefined)) return { ...padded, features };
    const labels = tensor(BigInt64Array.from(features.flatMap((f) => f.labels!.map(BigInt))), {}, [features.length, 2]); // (B, 2) start, end
    return { ...padded, labels, features };
  },

  /** (CE(start logits, start) + CE(end logits, end)) / 2 over the batch (BertForQuestionAnswering's loss). */
  loss({ spec }, logits, batch) {
    if (batch.labels === undefined)
      throw new ConfigError(`task '${spec.name}': the batch has no answer positions, so no loss; featurize labelled examples`);
    checkLogits(logits, batch.features.length, spec);
    return tidy(() => {
      const start = crossEntropy(logits.select(2, 0), batch.labels!.select(1, 0)); // (B, T) vs (B)
      const end = crossEntropy(logits.select(2, 1), batch.labels!.select(1, 1));
      return start.add(end).div(2);
    });
  },

  /** One prediction per WINDOW (merge them with `mergePredictions`; `evaluate` does). */
  decode({ spec }, logits, batch, examples) {
    checkLogits(logits, batch.features.length, spec);
    const rows = tidy(() => noGrad(() => logits.toArray())) as number[][][]; // (B, T, 2)
    return batch.features.map((f, i): QaPrediction => {
      const context = exampleOf(examples, f).textB;
      const offsets = (f as QaFeatures).contextOffsets;
      const T = f.inputIds.length; // padding left out
      const starts = rows[i]!.slice(0, T).map((x) => x[0]!);
      const ends = rows[i]!.slice(0, T).map((x) => x[1]!);
      const nullScore = starts[0]! + ends[0]!;
      const span = bestSpan(starts, ends, offsets, spec.options);
      if (span === undefined) return { exampleIndex: f.exampleIndex, answer: '', start: 0, end: 0, score: -Infinity, nullScore };
      const [start, end] = [offsets[span.start]![0], offsets[span.end]![1]];
      return { exampleIndex: f.exampleIndex, answer: context.slice(start, end), start, end, score: span.score, nullScore };
    });
  },

  mergePredictions(predictions, spec) {
    return mergeWindows(predictions, spec.options);
  },

  /** SQuAD's exact match and F1 (v2.0's script: '' is right for an unanswerable question), with the numbers of answerable and unanswerable questions. */
  evaluate(predictions, gold, spec): Metrics {
    const merged = new Map(mergeWindows(predictions, spec.options).map((p) => [p.exampleIndex, p.answer]));
    const missing = gold.findIndex((_, i) => !merged.has(i));
    if (missing >= 0 || merged.size !== gold.length)
      throw new DataError(
        `evaluate '${spec.name}': ${merged.size} answered questions for ${gold.length} gold ones; predict every question`,
      );
    const s = squadV2Scores(
      gold.map((_, i) => merged.get(i)!),
      gold.map((e) => {
        if (e.answers === undefined)
          throw new DataError(`${formatPosition(e.source)}: question ${e.id} has no gold answers to evaluate against`);
        return e.answers.map((a) => a.text);
      }),
    );
    return { exactMatch: s.exactMatch, f1: s.f1, answerable: s.answerable, unanswerable: s.unanswerable };
  },
};

/** The end (UTF-16 units of the question) of the last question token a window keeps (`maxQuestionLength`). */
function questionRead(e: Encoding, maxQuestionLength: number): number {
  const kept = e.sequenceIds.flatMap((s, t) => (s === 0 ? [t] : [])).slice(0, maxQuestionLength);
  return kept.length === 0 ? 0 : e.offsets[kept.at(-1)!]![1];
}

/**
 * A window's features, labelled with the first gold answer's token span, [CLS] (0, 0) without an
 * answer; unlabelled without `answers` (prediction). `read`: whether the question was cut, and where
 * (the context is read whole, over the windows).
 */
function windowFeatures(
  w: QaWindow,
  exampleIndex: number,
  read: Pick<Features, 'truncated' | 'readChars'>,
  answers: readonly SquadAnswer[] | undefined,
): QaFeatures {
  const base = { exampleIndex, inputIds: w.inputIds, tokenTypeIds: w.tokenTypeIds, ...read, contextOffsets: w.contextOffsets };
  if (answers === undefined) return base;
  const gold = answers[0];
  return { ...base, labels: gold === undefined ? [0, 0] : answerTokens(w, gold.start, gold.start + gold.text.length) };
}
