/**
 * Sequence classification: one label (softmax, cross-entropy) or a set of labels (sigmoid, binary
 * cross-entropy, per-label thresholds) for a text, a pair of texts, or an utterance of pre-split
 * words (the intent of a SNIPS/ATIS example; ATIS's `#`-joined intents as a label set).
 *
 * The head is dropout and one linear layer, parameters `classifier.weight` (C, H) and `classifier.bias`
 * (C), over what `pooling` names. 'mean' (a config's default, `CONFIG_POOLING`): the mean of the last
 * hidden states over the real tokens ([CLS] and [SEP] included, padding left out; the MEAN strategy of
 * Reimers and Gurevych, "Sentence-BERT", EMNLP 2019, §3); BERT's pooler is not used. 'cls': the pooled
 * output (the [CLS] state through BERT's pooler), as Hugging Face's BertForSequenceClassification.
 * 'tokens' (single-label only): token-level intent detection (Qin et al., "A Stack-Propagation Framework with
 * Token-Level Intent Detection for Spoken Language Understanding", EMNLP 2019, §3.3): the classifier at every
 * real token and the loss the mean over a row's tokens of each token's cross-entropy against the row's label
 * (`tokenLogProbs`), so every token state is trained to carry the intent that the slot head reads beside it.
 *
 * With `states_of: <task>` (option `statesOf`) the head reads, in place of the encoder's states, the per-token
 * states of that task's BiLSTM (a token-classification task with `bilstm`; src/mtl/shared-states.ts feeds
 * them), pooled as `pooling` says ('mean' or 'tokens'): intent and slots share the recurrent layer, as the
 * joint SLU models of Liu & Lane ("Attention-Based Recurrent Neural Network Models for Joint Intent Detection
 * and Slot Filling", Interspeech 2016), Goo et al. ("Slot-Gated Modeling for Joint Slot Filling and Intent
 * Prediction", NAACL 2018) and Qin et al. 2019 classify the intent from the shared BiLSTM's states.
 */
import { ConfigError, DataError, ShapeError } from '../errors.js';
import {
  formatPosition,
  splitIntents,
  type JointExample,
  type SourcePosition,
  type TextExample,
  type TextPairExample,
} from '../data/index.js';
import {
  accuracy,
  averageScores,
  multiLabelPerClassScores,
  multiLabelScores,
  oneVsRestCurves,
  probabilityReport,
  subsetAccuracy,
} from '../metrics/index.js';
import {
  binaryCrossEntropyWithLogits,
  crossEntropy,
  nllLoss,
  noGrad,
  sigmoid,
  softmax,
  tensor,
  tidy,
  type Tensor,
} from '../tensor/index.js';
import { IGNORE_INDEX, type Tokenizer } from '../tokenization/index.js';
import { checkInputsFit, encodeInputs, exampleOf, inGoldOrder, labelIndex, padInputs, truncateEncoding, truncationOf } from './features.js';
import { booleanOption, checkProbability, OptionError, probabilityOption, rejectUnknownOptions, stringOption } from './options.js';
import { topLabels } from './top-k.js';
import type { JsonObject } from '../io/checkpoint-state.js';
import type {
  Batch,
  BatchInputs,
  EncoderConfig,
  EncoderOutputs,
  FeaturizeOptions,
  Features,
  FeaturizeResult,
  Metrics,
  TaskSpec,
  TaskType,
} from './types.js';
import { labelNeed } from './types.js';
import { LinearHead } from './linear-head.js';
import { CLASSIFIER_POOLINGS, meanPool, tokenLogProbs, type ClassifierPooling, type Pooling } from './pooling.js';
import { symmetricBernoulliKl, symmetricKl } from './divergence.js';
import { explainedLabelId } from './explanation.js';

export const SEQUENCE_CLASSIFICATION = 'sequence-classification';

/** What this task reads: a labelled text, a labelled pair of texts, or an utterance whose `intent` is the label. */
export type SequenceClassificationExample = TextExample | TextPairExample | JointExample;

export interface SequenceClassificationOptions {
  /** Several labels per example (sigmoid + BCE) instead of one (softmax + cross-entropy). Default false. */
  readonly multiLabel: boolean;
  /** Separator of a label set written as one string (`atis_airfare#atis_flight`). Default '#'. */
  readonly labelSeparator: string;
  /** Multi-label: a label is predicted when its probability is at least this. Default 0.5. */
  readonly threshold: number;
  /** Multi-label: thresholds of single labels, overriding `threshold`. Default none. */
  readonly thresholds: Readonly<Record<string, number>>;
  /** Multi-label: when no label reaches its threshold, predict the most probable one. Default true. */
  readonly atLeastOneLabel: boolean;
  /** Dropout before the classifier; null (default) takes the encoder's hiddenDropoutProb, as Hugging Face. */
  readonly classifierDropout: number | null;
  /**
   * What the classifier reads: 'mean', the mean token state (the default of a task in a config, see
   * `CONFIG_POOLING`); 'cls', BERT's pooled [CLS] state (the default of options resolved without one: a
   * checkpoint's tasks.json written before the option existed reads as it was trained); 'tokens', every
   * token, trained with a per-token loss (token-level intent detection, `tokenLogProbs`; single-label only).
   */
  readonly pooling: ClassifierPooling;
  /**
   * The task whose BiLSTM states the head reads instead of the encoder's (a config's `states_of`), or null
   * (default): the encoder's. Its pooling is then 'mean' (the default) or 'tokens'.
   */
  readonly statesOf: string | null;
}

/**
 * The pooling a config's sequence-classification task gets when its options name none. Mean pooling,
 * because from fresh weights the classifier learns far faster through it than through the pooled [CLS]
 * (measured: WordNet gloss → supersense, 45 classes, 200 steps of 32: 32.26 % dev accuracy against 15.11 %,
 * the majority class; Banking77, 200 steps: 42.66 % against 18.84 %; docs/pretraining.md, "Pre-training and
 * fine-tuning"). `pooling: cls` keeps BERT's pooled [CLS], which `mtl export` needs for
 * BertForSequenceClassification.
 */
export const CONFIG_POOLING: Pooling = 'mean';

const OPTION_KEYS = [
  'multiLabel',
  'labelSeparator',
  'threshold',
  'thresholds',
  'atLeastOneLabel',
  'classifierDropout',
  'pooling',
  'statesOf',
];

/** The predicted label (or labels) of one example. */
export interface SequenceClassificationPrediction {
  readonly exampleIndex: number;
  /** The predicted label; for multi-label, the predicted labels joined by `labelSeparator` (as the data writes them). */
  readonly label: string;
  /** The predicted labels: one for single-label; for multi-label those at or above their threshold, most probable first. */
  readonly labels: readonly string[];
  /** Probability of each of `labels` (softmax for single-label, sigmoid for multi-label). */
  readonly probabilities: readonly number[];
  /** (C) the probability of every label of the list, in its order (for curves and calibration). */
  readonly scores: readonly number[];
}

type Spec = TaskSpec<SequenceClassificationOptions>;

/**
 * Dropout and a linear layer over the pooled output (or the mean token state): (B, H) → logits (B, C);
 * with pooling 'tokens', over every token, returning the soft vote `tokenLogProbs` (B, C).
 */
export class SequenceClassificationHead extends LinearHead {
  constructor(
    encoder: EncoderConfig,
    numLabels: number,
    dropout: number,
    readonly pooling: ClassifierPooling = 'cls',
  ) {
    super(encoder, numLabels, dropout);
  }

  forward(encoded: EncoderOutputs): Tensor {
    if (this.pooling === 'mean') return tidy(() => this.project(meanPool(encoded.lastHiddenState, encoded.attentionMask))); // (B, C)
    if (this.pooling === 'tokens') return tidy(() => tokenLogProbs(this.project(encoded.lastHiddenState), encoded.attentionMask)); // (B, C)
    const pooled = encoded.pooledOutput; // (B, H)
    // A backbone without a pooler (DistilBERT, ELECTRA): the first token's state, which their Hugging Face classification heads read
    if (pooled === undefined) return tidy(() => this.project(encoded.lastHiddenState.select(1, 0))); // (B, C)
    return this.project(pooled); // (B, C)
  }
}

function poolingOption(v: unknown, multiLabel: boolean, statesOf: string | null): ClassifierPooling {
  if (v === undefined) return statesOf === null ? 'cls' : 'mean';
  if (v === 'cls' && statesOf !== null)
    throw new OptionError(
      SEQUENCE_CLASSIFICATION,
      'pooling',
      `'cls' reads BERT's pooled [CLS], but states_of '${statesOf}' gives BiLSTM states without a pooler; use 'mean' or 'tokens'`,
    );
  if (!CLASSIFIER_POOLINGS.includes(v as ClassifierPooling))
    throw new OptionError(
      SEQUENCE_CLASSIFICATION,
      'pooling',
      `must be one of ${CLASSIFIER_POOLINGS.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(v)}`,
    );
  if (v === 'tokens' && multiLabel)
    throw new OptionError(
      SEQUENCE_CLASSIFICATION,
      'pooling',
      "'tokens' (a softmax per token) needs a single label per example, but multi_label is true; use 'mean' for label sets",
    );
  return v as ClassifierPooling;
}

/** `statesOf`: null when absent or null, else a task name. */
function statesOfOption(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v === '')
    throw new OptionError(SEQUENCE_CLASSIFICATION, 'statesOf', `must name a task with a bilstm (or be null), got ${JSON.stringify(v)}`);
  return v;
}

/** The label as written (the intent of an utterance), or undefined. */
const rawLabel = (e: SequenceClassificationExample): string | undefined => ('intent' in e ? e.intent : e.label);

/** The labels an example's raw label stands for: itself, or its parts for multi-label. */
function labelsOf(raw: string, o: SequenceClassificationOptions): string[] {
  return o.multiLabel ? [...new Set(splitIntents(raw, o.labelSeparator))] : [raw];
}

function unknownLabel(spec: Spec, label: string, source: SourcePosition): DataError {
  const some = spec.labels.slice(0, 8).join(', ') + (spec.labels.length > 8 ? ', …' : '');
  return new DataError(
    `${formatPosition(source)}: label '${label}' of task '${spec.name}' is not in its label list (${spec.labels.length} labels: ${some}); ` +
      'add it to the task labels or fix the data',
  );
}

/** The label ids of one example (see `Features.labels`), or undefined when it has no label and may lack one. */
function labelIds(
  e: SequenceClassificationExample,
  spec: Spec,
  index: Map<string, number>,
  training: boolean,
  need: string,
): number[] | undefined {
  const raw = rawLabel(e);
  if (raw === undefined || raw === '') {
    if (training) throw new DataError(`${formatPosition(e.source)}: example '${e.id}' of task '${spec.name}' has no label; ${need}`);
    return undefined;
  }
  const ids: number[] = [];
  for (const label of labelsOf(raw, spec.options)) {
    const id = index.get(label);
    if (id !== undefined) ids.push(id);
    else if (training) throw unknownLabel(spec, label, e.source);
    else if (!spec.options.multiLabel) ids.push(IGNORE_INDEX); // never predicted, so scored as an error
  }
  return ids;
}

/** (C) the threshold of each label. */
function thresholdsOf(spec: Spec): number[] {
  const index = labelIndex(spec);
  for (const label of Object.keys(spec.options.thresholds)) {
    if (!index.has(label)) throw new ConfigError(`task '${spec.name}': thresholds names '${label}', which is not one of its labels`);
  }
  return spec.labels.map((label) => spec.options.thresholds[label] ?? spec.options.threshold);
}

function checkLogits(logits: Tensor, B: number, spec: Spec): void {
  const s = logits.shape;
  if (s.length !== 2 || s[0] !== B || s[1] !== spec.labels.length) {
    throw new ShapeError(`task '${spec.name}': logits must be (B, C) = [${B}, ${spec.labels.length}], got [${s.join(', ')}]`);
  }
}

/** Row i's prediction from its probabilities (C). */
function predictRow(
  probs: readonly number[],
  exampleIndex: number,
  spec: Spec,
  thresholds: readonly number[],
): SequenceClassificationPrediction {
  const best = probs.reduce((b, p, c) => (p > (probs[b] as number) ? c : b), 0);
  let chosen = [best];
  if (spec.options.multiLabel) {
    const passing = probs.map((_, c) => c).filter((c) => (probs[c] as number) >= (thresholds[c] as number));
    passing.sort((a, b) => (probs[b] as number) - (probs[a] as number));
    chosen = passing.length > 0 || !spec.options.atLeastOneLabel ? passing : [best];
  }
  const labels = chosen.map((c) => spec.labels[c] as string);
  return {
    exampleIndex,
    label: labels.join(spec.options.labelSeparator),
    labels,
    probabilities: chosen.map((c) => probs[c] as number),
    scores: probs,
  };
}

export const sequenceClassification: TaskType<
  SequenceClassificationExample,
  SequenceClassificationPrediction,
  SequenceClassificationOptions
> = {
  kind: SEQUENCE_CLASSIFICATION,
  inputs: ['text', 'pair', 'words'],
  sharesEncoderPass: true,
  formats: ['joint-folder', 'csv', 'tsv', 'jsonl', 'wordnet'],
  readsLabel: true,
  labelSpace: 'classes',
  configKeys: ['label.multi_label', 'data.train_per_class', 'states_of'],
  mainMetric: { name: 'accuracy', greaterIsBetter: true },
  /** SMART's ℓ_s: one softmax's symmetric KL, or per-label Bernoulli KLs for a multi-label head. */
  outputDivergence: (clean, perturbed, detachTargets, spec) =>
    spec.options.multiLabel ? symmetricBernoulliKl(clean, perturbed, -1, detachTargets) : symmetricKl(clean, perturbed, -1, detachTargets),

  /**
   * `options` (pooling `CONFIG_POOLING` unless given), plus the `label` section's reading rules (multi_label,
   * separator, threshold) and `states_of`.
   */
  configOptions(task) {
    const { multiLabel, separator, threshold } = task.label;
    const statesOf = task.statesOf === undefined ? {} : { statesOf: task.statesOf };
    return { pooling: CONFIG_POOLING, ...(task.options ?? {}), multiLabel, labelSeparator: separator, threshold, ...statesOf };
  },

  statesOf: (spec) => spec.options.statesOf ?? undefined,

  /**
   * `{ label, score }` (score: its softmax probability), or for multi-label `{ labels, scores }` (the
   * labels at or above their threshold and their sigmoid probabilities); with `topK`, also `top_k`: the
   * k most probable labels, as Hugging Face's text-classification pipeline lists them.
   */
  present(p, spec, context): JsonObject {
    const top: JsonObject = context.topK === undefined ? {} : { top_k: topLabels(p.scores, spec.labels, context.topK) };
    if (spec.options.multiLabel) return { labels: [...p.labels], scores: [...p.probabilities], ...top };
    return { label: p.label, score: p.probabilities[0] as number, ...top };
  },

  /**
   * The logit of the predicted label (of each predicted label for multi-label), or of `label`; read from
   * every token with mean or token pooling, else from the first token (the pooled [CLS] state).
   */
  explanationTargets(p, feature, spec, label) {
    const readsTokens = spec.options.pooling === 'cls' ? [0] : feature.inputIds.map((_, t) => t);
    return (label === undefined ? p.labels : [label]).map((l) => ({ label: l, logit: [explainedLabelId(spec, l)], readsTokens }));
  },

  /** <Family>ForSequenceClassification (pooled first token → dropout → classifier), single- or multi-label. */
  exportHf(spec) {
    if (spec.options.statesOf !== null)
      return {
        refused: `it reads the BiLSTM states of task '${spec.options.statesOf}' (states_of), which …ForSequenceClassification has not`,
        head: 'SequenceClassification',
      };
    if (spec.options.pooling !== 'cls')
      return {
        refused: `it reads ${spec.options.pooling === 'mean' ? 'the mean of the token states' : 'every token state'} (pooling: ${spec.options.pooling}); …ForSequenceClassification reads the first token`,
        head: 'SequenceClassification',
      };
    const problemType = spec.options.multiLabel ? 'multi_label_classification' : 'single_label_classification';
    return { head: 'SequenceClassification', config: { problem_type: problemType } };
  },

  /**
   * A …ForSequenceClassification folder that classifies (`problem_type` single- or multi-label, or
   * none with two labels or more, as Transformers reads it): the first token's pooled state.
   */
  importHf(head, config, labels) {
    const problem = config.problem_type;
    if (head !== 'SequenceClassification' || problem === 'regression' || (problem == null && labels.length < 2)) return undefined;
    return { options: { pooling: 'cls', multiLabel: problem === 'multi_label_classification', statesOf: null }, labels };
  },

  /** The intent of an utterance (a label set for multi-label). */
  framePart(spec) {
    const o = spec.options;
    return {
      role: 'intent',
      gold: (e) => (o.multiLabel ? splitIntents(rawLabel(e) ?? '', o.labelSeparator) : (rawLabel(e) ?? '')),
      predicted: (p) => (o.multiLabel ? p.labels : p.label),
    };
  },

  resolveOptions(raw = {}) {
    const where = SEQUENCE_CLASSIFICATION;
    rejectUnknownOptions(where, raw, OPTION_KEYS);
    const thresholds = raw.thresholds ?? {};
    if (typeof thresholds !== 'object' || thresholds === null || Array.isArray(thresholds))
      throw new OptionError(where, 'thresholds', `must map labels to numbers in [0, 1], got ${JSON.stringify(thresholds)}`);
    for (const [label, t] of Object.entries(thresholds)) checkProbability(where, 'thresholds', t, false, `thresholds['${label}']`);
    const multiLabel = booleanOption(where, raw, 'multiLabel', false);
    const statesOf = statesOfOption(raw.statesOf);
    return {
      multiLabel,
      labelSeparator: stringOption(where, raw, 'labelSeparator', '#'),
      threshold: probabilityOption(where, raw, 'threshold', 0.5, false),
      thresholds: { ...(thresholds as Record<string, number>) },
      atLeastOneLabel: booleanOption(where, raw, 'atLeastOneLabel', true),
      classifierDropout: probabilityOption(where, raw, 'classifierDropout', null, true),
      pooling: poolingOption(raw.pooling, multiLabel, statesOf),
      statesOf,
    };
  },

  classOf: rawLabel,

  collectLabels(examples, options) {
    const labels = new Set<string>();
    for (const e of examples) {
      const raw = rawLabel(e);
      if (raw !== undefined && raw !== '') for (const label of labelsOf(raw, options)) labels.add(label);
    }
    return [...labels].sort();
  },

  createHead(encoder, spec) {
    labelIndex(spec);
    return new SequenceClassificationHead(
      encoder,
      spec.labels.length,
      spec.options.classifierDropout ?? encoder.hiddenDropoutProb,
      spec.options.pooling,
    );
  },

  async featurize(examples, tokenizer: Tokenizer, spec, options: FeaturizeOptions): Promise<FeaturizeResult> {
    const index = labelIndex(spec);
    const training = options.training ?? true;
    if (training && !spec.options.multiLabel && spec.labels.length < 2 && examples.length > 0) {
      // One class: the cross-entropy is 0 whatever the model does, so nothing would be learned.
      const where = examples[0]!.source === undefined ? '' : `${examples[0]!.source.file}: `;
      throw new DataError(
        `${where}task '${spec.name}' has ${spec.labels.length} label in its training data ('${spec.labels[0]}'); a single-label ` +
          'classifier needs at least 2: check that label.field names the column of the labels, or give examples of the other classes',
      );
    }
    const ids = examples.map((e) => labelIds(e, spec, index, training, labelNeed(options))); // labels first: a data error before the slow part
    const encodings = await encodeInputs(examples, tokenizer);
    let truncated = 0;
    const features = encodings.map((full, i): Features => {
      const e = truncateEncoding(full, options.maxLength);
      if (e.truncated) truncated++;
      const labels = ids[i];
      const base = { exampleIndex: i, inputIds: e.inputIds, tokenTypeIds: e.tokenTypeIds, ...truncationOf(full, e) };
      return labels === undefined ? base : { ...base, labels };
    });
    return { features, truncated };
  },

  collate({ spec }, features, inputs?: BatchInputs): Batch {
    if (inputs !== undefined) checkInputsFit(inputs, features);
    const padded = inputs ?? padInputs(features);
    if (features.some((f) => f.labels === undefined)) return { ...padded, features };
    const rows = features.map((f) => f.labels as readonly number[]);
    let labels: Tensor;
    if (spec.options.multiLabel) {
      const C = spec.labels.length;
      const hot = new Float32Array(rows.length * C);
      rows.forEach((ids, i) => ids.forEach((c) => (hot[i * C + c] = 1)));
      labels = tensor(hot, {}, [rows.length, C]); // (B, C) float32
    } else {
      labels = tensor(BigInt64Array.from(rows, (ids) => BigInt(ids[0] ?? IGNORE_INDEX))); // (B) int64
    }
    return { ...padded, labels, features };
  },

  loss({ spec }, logits, batch) {
    if (batch.labels === undefined)
      throw new ConfigError(`task '${spec.name}': the batch has no labels, so no loss; featurize labelled examples`);
    checkLogits(logits, batch.features.length, spec);
    if (spec.options.multiLabel) return binaryCrossEntropyWithLogits(logits, batch.labels);
    // 'tokens': the logits are the soft vote's log-probabilities, whose NLL is the mean token cross-entropy.
    return spec.options.pooling === 'tokens' ? nllLoss(logits, batch.labels) : crossEntropy(logits, batch.labels);
  },

  decode({ spec }, logits, batch, examples) {
    checkLogits(logits, batch.features.length, spec);
    const thresholds = spec.options.multiLabel ? thresholdsOf(spec) : [];
    const probs = tidy(() => noGrad(() => (spec.options.multiLabel ? sigmoid(logits) : softmax(logits, -1)).toArray())) as number[][];
    return batch.features.map((f, i) => {
      exampleOf(examples, f);
      return predictRow(probs[i] as number[], f.exampleIndex, spec, thresholds);
    });
  },

  evaluate(predictions, gold, spec): Metrics {
    const preds = inGoldOrder(predictions, gold.length, `evaluate '${spec.name}'`);
    const goldLabels = goldLabelsOf(gold);
    if (!spec.options.multiLabel) {
      const predicted = preds.map((p) => p.label);
      return { accuracy: accuracy(goldLabels, predicted), f1Macro: averageScores(goldLabels, predicted, 'macro').f1 };
    }
    // Gold labels outside the label list stay in the sets: no prediction has them, so they count as errors.
    const goldSets = goldLabels.map((raw) => labelsOf(raw, spec.options));
    const predSets = preds.map((p) => p.labels);
    return {
      accuracy: subsetAccuracy(goldSets, predSets),
      f1Micro: multiLabelScores(goldSets, predSets, 'micro').f1,
      f1Macro: multiLabelScores(goldSets, predSets, 'macro').f1,
    };
  },

  /** Single-label: src/metrics probabilityReport; multi-label: per-label scores and one-vs-rest curves. */
  report(predictions, gold, spec) {
    const preds = inGoldOrder(predictions, gold.length, `report '${spec.name}'`);
    const goldLabels = goldLabelsOf(gold);
    const scores = preds.map((p) => p.scores);
    if (!spec.options.multiLabel)
      return {
        ...probabilityReport(
          goldLabels,
          preds.map((p) => p.label),
          spec.labels,
          scores,
        ),
      };
    const goldSets = goldLabels.map((raw) => labelsOf(raw, spec.options));
    const indicator = goldSets.map((set) => spec.labels.map((l) => (set.includes(l) ? 1 : 0)));
    return {
      perLabel: multiLabelPerClassScores(
        goldSets,
        preds.map((p) => p.labels),
        { labels: spec.labels },
      ),
      ...oneVsRestCurves(indicator, scores, spec.labels),
    };
  },
};

/** The gold label string of every example; DataError naming file:line for one without. */
function goldLabelsOf(gold: readonly SequenceClassificationExample[]): string[] {
  return gold.map((e) => {
    const raw = rawLabel(e);
    if (raw === undefined || raw === '')
      throw new DataError(`${formatPosition(e.source)}: example '${e.id}' has no gold label to evaluate against`);
    return raw;
  });
}
