/**
 * Masked language modelling (Devlin et al., "BERT", NAACL 2019, §3.1 "Task #1: Masked LM"): 15% of
 * the input tokens are selected; a selected token is replaced by [MASK] 80% of the time, by a random
 * token 10% of the time and left unchanged 10% of the time, and the model predicts the original token
 * at every selected position (labels -100 elsewhere).
 *
 * Masking is dynamic (Liu et al., "RoBERTa", 2019, §4.1): features hold the unmasked ids and `collate`
 * draws a fresh mask every time it is called, from a seeded xoshiro128** generator in the task's state
 * (`task.state.masking`), which can be saved and restored (`.state()` / `.restore(state)`), so a resumed
 * run draws the masks an uninterrupted one would. Each token is selected independently with
 * probability `maskProbability` (Hugging Face's DataCollatorForLanguageModeling), not a fixed count.
 * Special tokens ([CLS], [SEP]) and padding are never selected. With `wholeWordMasking`, words are
 * selected instead of tokens (all sub-words of a word together, by the tokenizer's word ids), and each
 * sub-word then gets its own 80/10/10 draw, as in Google's `create_pretraining_data.py`.
 *
 * The head is Hugging Face's BertForMaskedLM head (`cls.predictions.transform.dense`,
 * `cls.predictions.transform.LayerNorm`, `cls.predictions.bias`), whose decoder weight is TIED to the
 * encoder's word embeddings: see `BertLmPredictionHead`.
 */
import { ConfigError, ShapeError } from '../errors.js';
import type { SourcePosition } from '../data/index.js';
import { Rng, type RngState } from '../tensor/rng.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { crossEntropy, gelu, linear, logSoftmax, noGrad, relu, tidy, zeros, type Tensor } from '../tensor/index.js';
import { IGNORE_INDEX, type Tokenizer } from '../tokenization/index.js';
import { maskedPositions } from './masked-positions.js';
import { checkFeatures, exampleOf, inGoldOrder, longest, padInputs, paddedInt64, truncateEncoding } from './features.js';
import { booleanOption, checkProbability, numberOption, probabilityOption, rejectUnknownOptions } from './options.js';
import type {
  Batch,
  BatchInputs,
  EncoderConfig,
  EncoderOutputs,
  Features,
  FeaturizeResult,
  Metrics,
  TaskSpec,
  TaskType,
  TieableEncoder,
} from './types.js';
import { TaskHead } from './types.js';

export const MASKED_LM = 'masked-lm';

/**
 * MLM has no label list of its own (its classes are the tokenizer's vocabulary); a task spec needs a
 * non-empty one, so `collectLabels` gives this placeholder.
 */
export const MASKED_LM_LABELS: readonly string[] = ['[vocabulary]'];

/** What MLM reads: one text (a line of a plain-text corpus, a WordNet gloss, …); any label is ignored. */
export interface MaskedLmExample {
  readonly id: string;
  readonly text: string;
  readonly source: SourcePosition;
}

export interface MaskedLmOptions {
  /** Probability that a token (or, with wholeWordMasking, a word) is selected. Default 0.15. */
  readonly maskProbability: number;
  /** Of the selected tokens, the fraction replaced by [MASK]. Default 0.8. */
  readonly maskTokenProbability: number;
  /** Of the selected tokens, the fraction replaced by a token drawn uniformly from the vocabulary. Default 0.1 (the rest stay unchanged). */
  readonly randomTokenProbability: number;
  /** Select whole words (all their sub-words) instead of single tokens. Default false. */
  readonly wholeWordMasking: boolean;
  /** Seed of the masking generator. Default 0. */
  readonly seed: number;
  /**
   * The selection probability when evaluating (dev and test masked at this rate, e.g. BERT's 0.15 for a
   * model trained at 0.4, Wettig et al., "Should You Mask 15% in Masked Language Modeling?", EACL 2023).
   * Absent: `maskProbability`.
   */
  readonly evalMaskProbability?: number;
}

const OPTION_KEYS = [
  'maskProbability',
  'maskTokenProbability',
  'randomTokenProbability',
  'wholeWordMasking',
  'seed',
  'evalMaskProbability',
];

/** MLM features: the unmasked ids plus what `collate` needs to mask them. */
export interface MaskedLmFeatures extends Features {
  /** (T) 1 for special tokens ([CLS], [SEP]), which are never selected. */
  readonly specialTokensMask: readonly number[];
  /** (T) word index of each token within its sequence; -1 for special tokens. */
  readonly wordIds: readonly number[];
  /** The tokenizer's [MASK] id. */
  readonly maskTokenId: number;
  /** V: random replacements are drawn from [0, V). */
  readonly vocabSize: number;
}

/** The model's guesses at the masked positions of one example (the positions differ at every collate). */
export interface MaskedLmPrediction {
  readonly exampleIndex: number;
  /** Token positions that were selected. */
  readonly positions: readonly number[];
  /** The original token id at each position. */
  readonly targetIds: readonly number[];
  /** The most probable token id at each position. */
  readonly predictedIds: readonly number[];
  /** ln p(target) at each position (natural log). */
  readonly targetLogProbs: readonly number[];
  /** The target's rank among the V tokens at each position: 1 + the number of tokens scored strictly higher (1 = the argmax). */
  readonly targetRanks: readonly number[];
}

type Spec = TaskSpec<MaskedLmOptions>;

// ---------------------------------------------------------------------------------------------------
// Masking

/** The masking part of the options. */
export type MaskingOptions = Pick<
  MaskedLmOptions,
  'maskProbability' | 'maskTokenProbability' | 'randomTokenProbability' | 'wholeWordMasking'
>;

/** One row to mask: its ids, which are special, and its word ids (-1 for special tokens). */
export type MaskingRow = Pick<MaskedLmFeatures, 'inputIds' | 'specialTokensMask' | 'wordIds'>;

/** A masked row: the model's input ids and the labels (original id where selected, -100 elsewhere). */
export interface MaskedRow {
  readonly inputIds: number[];
  readonly labels: number[];
}

/** The selectable units of a row: single token positions, or the positions of each word. */
function units(row: MaskingRow, wholeWords: boolean): number[][] {
  const out: number[][] = [];
  let last = -2;
  row.inputIds.forEach((_, t) => {
    if (row.specialTokensMask[t] === 1) {
      last = -2;
      return;
    }
    const word = row.wordIds[t] ?? -1;
    if (wholeWords && word >= 0 && word === last) (out[out.length - 1] as number[]).push(t);
    else out.push([t]);
    last = word;
  });
  return out;
}

/**
 * Masks one row with `rng` (the draws, in order: one per unit for selection, then per selected token
 * one for the replacement kind and, for a random replacement, one for the token).
 * @param maskTokenId the [MASK] id; `vocabSize` V, random tokens come from [0, V).
 */
export function maskRow(row: MaskingRow, rng: Rng, o: MaskingOptions, maskTokenId: number, vocabSize: number): MaskedRow {
  const inputIds = [...row.inputIds];
  const labels = inputIds.map(() => IGNORE_INDEX);
  for (const unit of units(row, o.wholeWordMasking)) {
    if (rng.float() >= o.maskProbability) continue;
    for (const t of unit) {
      labels[t] = inputIds[t] as number;
      const r = rng.float();
      if (r < o.maskTokenProbability) inputIds[t] = maskTokenId;
      else if (r < o.maskTokenProbability + o.randomTokenProbability) inputIds[t] = Math.floor(rng.float() * vocabSize);
    }
  }
  return { inputIds, labels };
}

/**
 * A masked-LM task's state: its masking generator, made from `options.seed` with the task. Save its
 * state with `masking.state()` (trainer_state.json does) and continue with `masking.restore(state)`.
 */
export interface MaskedLmState {
  readonly masking: Rng;
  /** The selection probability this state masks at instead of the options' `maskProbability` (an evaluation's `evalMaskProbability`). */
  readonly maskProbability?: number;
}

function isMlmFeatures(f: Features): f is MaskedLmFeatures {
  const m = f as Partial<MaskedLmFeatures>;
  return (
    Array.isArray(m.specialTokensMask) && Array.isArray(m.wordIds) && typeof m.maskTokenId === 'number' && typeof m.vocabSize === 'number'
  );
}

/**
 * Masks `features` (masked-LM features, from `maskedLm.featurize`) with the task's masking generator
 * and pads them: inputIds (B, T) the masked ids, labels (B, T) the original id at each selected
 * position and -100 elsewhere (padding included). Shared by the types that mask text this way
 * (masked-LM, replaced-token detection).
 * @throws ConfigError when `inputs` are given (masking makes the inputs, so no encoder pass is shared),
 *   without the state's generator, or for features another type made.
 */
export function collateMasked(
  spec: TaskSpec<MaskingOptions>,
  state: MaskedLmState | undefined,
  features: readonly Features[],
  inputs?: BatchInputs,
): Batch & { readonly labels: Tensor } {
  if (inputs !== undefined) {
    throw new ConfigError(`task '${spec.name}': ${spec.kind} changes its input ids, so it cannot share another task's encoder pass`);
  }
  checkFeatures(features, `collate '${spec.name}'`);
  if (state?.masking === undefined) throw new ConfigError(`task '${spec.name}': collate needs the task's state (its masking generator)`);
  const rng = state.masking;
  const o = state.maskProbability === undefined ? spec.options : { ...spec.options, maskProbability: state.maskProbability };
  const rows = features.map((f) => {
    if (!isMlmFeatures(f)) throw new ConfigError(`task '${spec.name}': example ${f.exampleIndex} was not featurized by masked-lm`);
    return maskRow(f, rng, o, f.maskTokenId, f.vocabSize);
  });
  const B = rows.length;
  const T = longest(features);
  const padded = padInputs(features);
  padded.inputIds.dispose();
  return {
    ...padded,
    inputIds: paddedInt64(B, T, 0, (i) => (rows[i] as MaskedRow).inputIds),
    labels: paddedInt64(B, T, IGNORE_INDEX, (i) => (rows[i] as MaskedRow).labels), // (B, T), -100 on unselected and padding
    features,
  };
}

// ---------------------------------------------------------------------------------------------------
// Head

const ACTIVATIONS: Record<string, (x: Tensor) => Tensor> = {
  gelu: (x) => gelu(x),
  gelu_new: (x) => gelu(x, 'tanh'),
  gelu_pytorch_tanh: (x) => gelu(x, 'tanh'),
  relu: (x) => relu(x),
};

/** What the MLM head needs of the encoder config beyond `EncoderConfig` (BertConfig has it). */
type MlmEncoderConfig = EncoderConfig & { readonly vocabSize?: number; readonly layerNormEps?: number; readonly hiddenAct?: string };

/** Hugging Face `BertPredictionHeadTransform`: dense H→H, activation, LayerNorm. */
export class BertPredictionHeadTransform extends Module {
  /** weight (H, H), bias (H) */
  readonly dense: Linear;
  readonly layerNorm: LayerNorm;
  readonly act: (x: Tensor) => Tensor;

  constructor(c: MlmEncoderConfig) {
    super();
    const act = ACTIVATIONS[c.hiddenAct ?? 'gelu'];
    if (act === undefined)
      throw new ConfigError(`masked-lm: hidden activation '${c.hiddenAct}' is not one of ${Object.keys(ACTIVATIONS).join(', ')}`);
    this.act = act;
    this.dense = this.registerModule('dense', new Linear(c.hiddenSize, c.hiddenSize, { initStd: c.initializerRange }));
    this.layerNorm = this.registerModule('LayerNorm', new LayerNorm(c.hiddenSize, c.layerNormEps ?? 1e-12));
  }

  /** (…, H) → (…, H) */
  forward(x: Tensor): Tensor {
    return tidy(() => this.layerNorm.forward(this.act(this.dense.forward(x))));
  }
}

/**
 * Hugging Face `BertLMPredictionHead`: transform, then the decoder H→V whose weight is the encoder's
 * word-embedding matrix (V, H), plus its own bias (V).
 *
 * How the tie is done: the decoder weight is not a parameter of this module. `tieWordEmbeddings(w)`
 * stores a reference to the encoder's `embeddings.word_embeddings.weight` tensor itself (not a copy),
 * so the input lookup and the output projection use one tensor: gradients from both add up in its
 * `.grad`, the optimizer updates it once (as an encoder parameter), and it is saved once, under
 * `bert.embeddings.word_embeddings.weight`. Hugging Face lists `cls.predictions.decoder.weight` (and
 * `cls.predictions.decoder.bias`, the same tensor as `cls.predictions.bias`) as tied keys that its
 * `tie_weights()` recreates on load, so checkpoints move both ways without them. The encoder owns and
 * frees the weight; this head never disposes it.
 */
export class BertLmPredictionHead extends Module {
  readonly transform: BertPredictionHeadTransform;
  /** (V) */
  readonly bias: Tensor;
  #decoderWeight: Tensor | undefined;

  constructor(
    c: MlmEncoderConfig,
    readonly vocabSize: number,
  ) {
    super();
    this.transform = this.registerModule('transform', new BertPredictionHeadTransform(c));
    this.bias = this.registerParameter('bias', zeros([vocabSize]));
  }

  /** Ties the decoder to `weight` (V, H), the encoder's word-embedding matrix (see the class comment). */
  tieWordEmbeddings(weight: Tensor): void {
    const [V, H] = weight.shape;
    const want = [this.vocabSize, this.transform.dense.outFeatures];
    if (weight.shape.length !== 2 || V !== want[0] || H !== want[1]) {
      throw new ShapeError(`masked-lm: the word embeddings to tie must be (V, H) = [${want.join(', ')}], got [${weight.shape.join(', ')}]`);
    }
    this.#decoderWeight = weight;
  }

  /** The tied decoder weight (V, H), or undefined before `tieWordEmbeddings`. */
  get decoderWeight(): Tensor | undefined {
    return this.#decoderWeight;
  }

  /** hidden (…, H) → logits (…, V) */
  forward(hidden: Tensor): Tensor {
    const w = this.#decoderWeight;
    if (w === undefined) {
      throw new ConfigError(
        "masked-lm: the head's decoder is not tied to the word embeddings; call head.tieWordEmbeddings(bert.embeddings.wordEmbeddings.weight) (or tieTo(bert)) after creating it",
      );
    }
    return tidy(() => linear(this.transform.forward(hidden), w, this.bias));
  }
}

/** Hugging Face `BertOnlyMLMHead`: holds `predictions`. */
export class BertOnlyMlmHead extends Module {
  readonly predictions: BertLmPredictionHead;

  constructor(c: MlmEncoderConfig, vocabSize: number) {
    super();
    this.predictions = this.registerModule('predictions', new BertLmPredictionHead(c, vocabSize));
  }
}

/**
 * The MLM head, parameters named as BertForMaskedLM's (`cls.predictions.…`): (B, T, H) → logits (B, T, V),
 * or, for a collated batch (`encoded.maskedLabels`), logits at the masked positions only (N, V).
 */
export class MaskedLmHead extends TaskHead {
  readonly cls: BertOnlyMlmHead;

  constructor(c: MlmEncoderConfig, vocabSize: number) {
    super();
    this.cls = this.registerModule('cls', new BertOnlyMlmHead(c, vocabSize));
  }

  /** Ties the decoder to the word-embedding matrix (V, H) of the encoder (see `BertLmPredictionHead`). */
  tieWordEmbeddings(weight: Tensor): void {
    this.cls.predictions.tieWordEmbeddings(weight);
  }

  /** Ties the decoder to the backbone's input embeddings (`Backbone.inputEmbeddings`); MultiTaskModel calls it. */
  override tieTo(backbone: TieableEncoder): void {
    this.tieWordEmbeddings(backbone.inputEmbeddings().weight);
  }

  /**
   * Logits (B, T, V) at every position; with `encoded.maskedLabels` (B, T) (a batch `collate` made, in
   * training and evaluation), only at the N masked positions, in row-major order: (N, V). The hidden
   * states are gathered there before the transform and the V-wide projection, as BERT's pre-training
   * code does (`gather_indexes` at `masked_lm_positions`), so a batch costs N rows of the projection
   * instead of B·T; the loss over them is the same, since every other position has label -100.
   */
  forward(encoded: EncoderOutputs): Tensor {
    const labels = encoded.maskedLabels;
    if (labels === undefined) return this.cls.predictions.forward(encoded.lastHiddenState); // (B, T, V)
    return tidy(() => {
      const hidden = encoded.lastHiddenState;
      const rows = hidden.reshape([-1, hidden.shape[2] as number]).indexSelect(0, maskedPositions(labels)); // (N, H)
      return this.cls.predictions.forward(rows); // (N, V)
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Task type

/**
 * The logits and labels at the batch's masked positions, in row-major order: logits (N, V) and
 * targets (N). `logits` are the head's output: (B, T, V) at every position, or (N, V) at the masked
 * positions already (`MaskedLmHead.forward` with the batch's maskedLabels).
 * @throws ConfigError without labels; ShapeError for logits of neither shape.
 */
function atMaskedPositions(logits: Tensor, batch: Batch, spec: Spec, what: string): { logits: Tensor; targets: Tensor } {
  const labels = batch.labels;
  if (labels === undefined) throw new ConfigError(`task '${spec.name}': the batch has no labels, so no ${what}; collate it with masked-lm`);
  const s = logits.shape;
  const [B, T] = batch.inputIds.shape;
  return tidy(() => {
    const positions = maskedPositions(labels); // (N)
    const N = positions.shape[0] as number;
    const targets = labels.reshape([-1]).indexSelect(0, positions); // (N)
    if (s.length === 3 && s[0] === B && s[1] === T)
      return { logits: logits.reshape([-1, s[2] as number]).indexSelect(0, positions), targets };
    if (s.length === 2 && s[0] === N) return { logits, targets };
    throw new ShapeError(
      `task '${spec.name}': logits must be (B, T, V) with B, T = ${B}, ${T}, or (N, V) at the N = ${N} masked positions, got [${s.join(', ')}]`,
    );
  });
}

export const maskedLm: TaskType<MaskedLmExample, MaskedLmPrediction, MaskedLmOptions, MaskedLmState> = {
  kind: MASKED_LM,
  // Texts to mask; `collate` masks the inputs itself, so no other task can share its encoder pass.
  inputs: ['masked-text'],
  sharesEncoderPass: false,
  formats: ['text', 'csv', 'tsv', 'jsonl', 'wordnet'],
  readsLabel: false,
  // Its classes are the tokenizer's vocabulary: `mtl predict` fills the [MASK]s a text holds (src/predict/fill-mask.ts).
  labelSpace: 'vocabulary',
  // Masked-token accuracy rather than perplexity: model selection and the 'average' of main metrics
  // maximise, and perplexity falls as the model improves.
  mainMetric: { name: 'accuracy', greaterIsBetter: true },

  resolveOptions(raw = {}) {
    const where = MASKED_LM;
    rejectUnknownOptions(where, raw, OPTION_KEYS);
    const seed = numberOption(where, raw, 'seed', 0, 0, true);
    const o: MaskedLmOptions = {
      maskProbability: probabilityOption(where, raw, 'maskProbability', 0.15, false),
      maskTokenProbability: probabilityOption(where, raw, 'maskTokenProbability', 0.8, false),
      randomTokenProbability: probabilityOption(where, raw, 'randomTokenProbability', 0.1, false),
      wholeWordMasking: booleanOption(where, raw, 'wholeWordMasking', false),
      seed,
      ...(raw.evalMaskProbability === undefined
        ? {}
        : { evalMaskProbability: probabilityOption(where, raw, 'evalMaskProbability', 0.15, false) }),
    };
    const sum = o.maskTokenProbability + o.randomTokenProbability;
    checkProbability(where, undefined, sum, false, 'mask_token_probability + random_token_probability');
    return o;
  },

  collectLabels() {
    return [...MASKED_LM_LABELS];
  },

  createHead(encoder, spec) {
    const c = encoder as MlmEncoderConfig;
    if (typeof c.vocabSize !== 'number') {
      throw new ConfigError(
        `task '${spec.name}': the masked-LM head needs the encoder's vocabSize; pass the full BertConfig to createHead`,
      );
    }
    return new MaskedLmHead(c, c.vocabSize);
  },

  async featurize(examples, tokenizer: Tokenizer, _spec, options): Promise<FeaturizeResult> {
    const encodings = await tokenizer.encodeBatch(examples.map((e) => e.text));
    const maskTokenId = tokenizer.maskId;
    const vocabSize = tokenizer.vocabSize;
    let truncated = 0;
    const features = encodings.map((full, i): MaskedLmFeatures => {
      const e = truncateEncoding(full, options.maxLength);
      if (e.truncated) truncated++;
      return {
        exampleIndex: i,
        inputIds: e.inputIds,
        tokenTypeIds: e.tokenTypeIds,
        truncated: e.truncated,
        specialTokensMask: e.specialTokensMask,
        wordIds: e.wordIds.map((w) => w ?? -1),
        maskTokenId,
        vocabSize,
      };
    });
    return { features, truncated };
  },

  /** A fresh masking generator, seeded with `options.seed`; for an evaluation, masking at `evalMaskProbability` when it is set. */
  createState(spec, purpose) {
    const evalRate = spec.options.evalMaskProbability;
    return {
      masking: new Rng(spec.options.seed),
      ...(purpose === 'evaluation' && evalRate !== undefined ? { maskProbability: evalRate } : {}),
    };
  },

  /**
   * Masked-LM's batch (inputIds masked, labels the originals at the masked positions, -100 elsewhere),
   * the labels also as `maskedLabels`, so the head computes its logits at the masked positions only.
   */
  collate({ spec, state }, features, inputs) {
    const batch = collateMasked(spec, state, features, inputs);
    return { ...batch, maskedLabels: batch.labels };
  },

  /**
   * Mean cross-entropy over the selected positions only; 0 (still differentiable) when none was
   * selected. `logits`: (B, T, V), or (N, V) at the masked positions (see `MaskedLmHead.forward`).
   */
  loss({ spec }, logits, batch) {
    return tidy(() => {
      const m = atMaskedPositions(logits, batch, spec, 'loss');
      const total = crossEntropy(m.logits, m.targets, { reduction: 'sum' });
      return total.div(Math.max(m.targets.shape[0] as number, 1)); // masked tokens, at least 1
    });
  },

  /** Each example's masked positions with the target's rank and log-probability; `logits` (B, T, V) or (N, V) as for `loss`. */
  decode({ spec }, logits, batch, examples) {
    const [gold, predicted, logProbs, ranks] = tidy(() =>
      noGrad(() => {
        const m = atMaskedPositions(logits, batch, spec, 'decoding (it reads the masked positions)');
        const lp = logSoftmax(m.logits, -1); // (N, V)
        const targetLp = lp.gather(-1, m.targets.unsqueeze(-1)); // (N, 1)
        const higher = lp.gt(targetLp).sum(-1); // (N) tokens scored above the target
        return [batch.labels!.toArray(), lp.argmax(-1).toArray(), targetLp.squeeze(-1).toArray(), higher.toArray()];
      }),
    ) as [number[][], number[], number[], number[]];
    let k = 0; // the next masked position, row-major: the order of the N rows
    return batch.features.map((f, i) => {
      exampleOf(examples, f);
      const positions: number[] = [];
      (gold[i] as number[]).forEach((id, t) => {
        if (id !== IGNORE_INDEX) positions.push(t);
      });
      const rows = positions.map(() => k++);
      return {
        exampleIndex: f.exampleIndex,
        positions,
        targetIds: positions.map((t) => gold[i]?.[t] as number),
        predictedIds: rows.map((r) => predicted[r] as number),
        targetLogProbs: rows.map((r) => logProbs[r] as number),
        targetRanks: rows.map((r) => 1 + (ranks[r] as number)),
      };
    });
  },

  evaluate(predictions, gold, spec): Metrics {
    const preds = inGoldOrder(predictions, gold.length, `evaluate '${spec.name}'`);
    return maskedLmMetrics(preds);
  },

  /** The masking generator's state, so a resumed run draws the masks an uninterrupted one would. */
  collationState: {
    save: (state) => state.masking.state(),
    restore: (state, saved) => state.masking.restore(saved as RngState),
  },
};

/**
 * Masked-token accuracy, top-5 accuracy (the target among the 5 most probable tokens: rank ≤ 5) and
 * perplexity = exp(mean over masked tokens of −ln p(target)), pooled over every masked token of every
 * prediction. `maskedTokens` is the count; with none, accuracies 0 and perplexity NaN.
 */
export function maskedLmMetrics(predictions: readonly MaskedLmPrediction[]): Metrics {
  let n = 0;
  let correct = 0;
  let top5 = 0;
  let nll = 0;
  for (const p of predictions) {
    p.targetIds.forEach((id, k) => {
      n++;
      if (p.predictedIds[k] === id) correct++;
      if ((p.targetRanks[k] as number) <= 5) top5++;
      nll -= p.targetLogProbs[k] as number;
    });
  }
  return {
    accuracy: n === 0 ? 0 : correct / n,
    top5Accuracy: n === 0 ? 0 : top5 / n,
    perplexity: n === 0 ? NaN : Math.exp(nll / n),
    maskedTokens: n,
  };
}
