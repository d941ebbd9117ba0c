/**
 * Regression: one real-valued score for a text or a pair of texts (STS-B's 0–5 similarity of two
 * sentences), learned with mean squared error (default) or the Huber loss (Huber, "Robust estimation
 * of a location parameter", 1964: quadratic within `huberDelta` of the target, linear beyond it).
 *
 * The head is Hugging Face's BertForSequenceClassification with one output (num_labels 1,
 * problem_type "regression"): dropout and one linear layer over the pooled output, parameters
 * `classifier.weight` (1, H) and `classifier.bias` (1); `pooling: 'mean'` reads the mean token state
 * instead, as sequence classification does (its head is reused).
 *
 * The label list of the task names its output: `['score']` (`REGRESSION_LABELS`). A feature's
 * `labels` hold its target, a number, not a label id. With `normalize`, the targets are z-scored with
 * the mean and the population standard deviation of the training targets, which `completeOptions`
 * stores in the options (so tasks.json, and every checkpoint, carries them); the head learns the
 * normalised targets and its outputs are de-normalised when decoded, so predictions and metrics are
 * on the data's scale.
 */
import { ConfigError, DataError, ShapeError } from '../errors.js';
import { formatPosition, type TextExample, type TextPairExample } from '../data/index.js';
import { meanAbsoluteError, meanSquaredError, pearson, spearman } from '../metrics/index.js';
import { mseLoss, noGrad, smoothL1Loss, tensor, tidy, type Tensor } from '../tensor/index.js';
import type { Tokenizer } from '../tokenization/index.js';
import { checkInputsFit, encodeInputs, exampleOf, inGoldOrder, padInputs, truncateEncoding, truncationOf } from './features.js';
import { booleanOption, numberOption, OptionError, probabilityOption, rejectUnknownOptions } from './options.js';
import { POOLINGS, type Pooling } from './pooling.js';
import { SequenceClassificationHead } from './sequence-classification.js';
import type { JsonObject } from '../io/checkpoint-state.js';
import type { Batch, BatchInputs, FeaturizeOptions, Features, FeaturizeResult, Metrics, TaskSpec, TaskType } from './types.js';
import { labelNeed } from './types.js';

export const REGRESSION = 'regression';

/** The label list of a regression task: the name of its one output (a task spec needs a non-empty list). */
export const REGRESSION_LABELS: readonly string[] = ['score'];

/** What this task reads: a text or a pair of texts whose label is a number ("3.800"). */
export type RegressionExample = TextExample | TextPairExample;

export const REGRESSION_LOSSES = ['mse', 'huber'] as const;
export type RegressionLoss = (typeof REGRESSION_LOSSES)[number];

export interface RegressionOptions {
  /** 'mse' (default): mean squared error; 'huber': Huber loss with threshold `huberDelta`. */
  readonly loss: RegressionLoss;
  /** Huber's δ, in the unit of the (normalised, with `normalize`) targets: > 0, default 1 (as torch's huber_loss). */
  readonly huberDelta: number;
  /** Z-score the targets with the training targets' mean and standard deviation. Default false. */
  readonly normalize: boolean;
  /** With `normalize`: the training targets' mean, set when the run starts (`completeOptions`); null before. */
  readonly targetMean: number | null;
  /** With `normalize`: the training targets' population standard deviation (> 0); null before. */
  readonly targetStd: number | null;
  /** Dropout before the linear layer; null (default) takes the encoder's hiddenDropoutProb, as Hugging Face. */
  readonly classifierDropout: number | null;
  /** What the linear layer reads: 'cls' (default), BERT's pooled [CLS] state; 'mean', the mean token state. */
  readonly pooling: Pooling;
}

const OPTION_KEYS = ['loss', 'huberDelta', 'normalize', 'targetMean', 'targetStd', 'classifierDropout', 'pooling'];

/** The predicted score of one example, on the data's scale. */
export interface RegressionPrediction {
  readonly exampleIndex: number;
  readonly score: number;
}

type Spec = TaskSpec<RegressionOptions>;

/** The target of an example as a number, undefined when it has none; DataError naming `file:line` when it is not a number. */
export function targetOf(e: RegressionExample, spec: Pick<Spec, 'name'>): number | undefined {
  const raw = e.label;
  if (raw === undefined || raw.trim() === '') return undefined;
  const y = Number(raw);
  if (!Number.isFinite(y))
    throw new DataError(
      `${formatPosition(e.source)}: the label '${raw}' of task '${spec.name}' is not a number; a regression task reads a score such as 3.8`,
    );
  return y;
}

/**
 * The mean and the population standard deviation (numpy's `std`, ddof 0) of `targets`.
 * @throws DataError when there are none or they are all equal (nothing to scale by).
 */
export function targetStats(targets: readonly number[]): { mean: number; std: number } {
  if (targets.length === 0) throw new DataError('regression: normalize needs training targets, and the training data hold none');
  const mean = targets.reduce((a, b) => a + b, 0) / targets.length;
  const std = Math.sqrt(targets.reduce((a, y) => a + (y - mean) ** 2, 0) / targets.length);
  if (!(std > 0))
    throw new DataError(`regression: every training target is ${mean}, so normalize has no spread to scale by; set normalize: false`);
  return { mean, std };
}

/** The z-score of `y` under the task's normalisation (`y` itself without one). */
export function normalizeTarget(y: number, o: RegressionOptions): number {
  return o.normalize ? (y - checkedMean(o)) / checkedStd(o) : y;
}

/** The score on the data's scale of the head's output `v` (inverse of `normalizeTarget`). */
export function denormalizeOutput(v: number, o: RegressionOptions): number {
  return o.normalize ? v * checkedStd(o) + checkedMean(o) : v;
}

function checkedMean(o: RegressionOptions): number {
  if (o.targetMean === null)
    throw new ConfigError('regression: normalize is on but targetMean is not set; the run sets it from the training targets');
  return o.targetMean;
}

function checkedStd(o: RegressionOptions): number {
  if (o.targetStd === null)
    throw new ConfigError('regression: normalize is on but targetStd is not set; the run sets it from the training targets');
  return o.targetStd;
}

function checkOutputs(logits: Tensor, B: number, spec: Spec): void {
  const s = logits.shape;
  if (s.length !== 2 || s[0] !== B || s[1] !== 1)
    throw new ShapeError(`task '${spec.name}': the head's outputs must be (B, 1) = [${B}, 1], got [${s.join(', ')}]`);
}

function nullableNumber(where: string, raw: Readonly<Record<string, unknown>>, key: string, positive: boolean): number | null {
  const v = raw[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || (positive && !(v > 0)))
    throw new OptionError(where, key, `must be ${positive ? 'a number > 0' : 'a finite number'} or null, got ${JSON.stringify(v)}`);
  return v;
}

export const regression: TaskType<RegressionExample, RegressionPrediction, RegressionOptions> = {
  kind: REGRESSION,
  inputs: ['text', 'pair'],
  sharesEncoderPass: true,
  formats: ['csv', 'tsv', 'jsonl'],
  readsLabel: true,
  labelSpace: 'scalar',
  mainMetric: { name: 'spearman', greaterIsBetter: true },

  /** `{ score }`, on the data's scale. */
  present(p): JsonObject {
    return { score: p.score };
  },

  /** <Family>ForSequenceClassification with one output and problem_type "regression" (MSE in Transformers). */
  exportHf(spec) {
    if (spec.options.pooling === 'mean')
      return { refused: 'it reads the mean of the token states (pooling: mean); …ForSequenceClassification reads the first token' };
    if (spec.options.normalize)
      return {
        refused:
          `its outputs are z-scores de-normalised with the training targets' mean ${spec.options.targetMean} and standard deviation ` +
          `${spec.options.targetStd}, which …ForSequenceClassification has no place for; multiply its outputs by the one and add the other, or train with normalize: false`,
      };
    return { head: 'SequenceClassification', config: { problem_type: 'regression' } };
  },

  /** A …ForSequenceClassification folder with `problem_type` "regression", or none and one output (as Transformers reads it). */
  importHf(head, config, labels) {
    const problem = config.problem_type;
    if (head !== 'SequenceClassification' || (problem !== 'regression' && !(problem == null && labels.length === 1))) return undefined;
    return { options: { pooling: 'cls' }, labels: [...REGRESSION_LABELS] };
  },

  resolveOptions(raw = {}) {
    const where = REGRESSION;
    rejectUnknownOptions(where, raw, OPTION_KEYS);
    const loss = raw.loss ?? 'mse';
    if (!REGRESSION_LOSSES.includes(loss as RegressionLoss))
      throw new OptionError(
        where,
        'loss',
        `must be one of ${REGRESSION_LOSSES.map((l) => `'${l}'`).join(', ')}, got ${JSON.stringify(loss)}`,
      );
    const pooling = raw.pooling ?? 'cls';
    if (!POOLINGS.includes(pooling as Pooling))
      throw new OptionError(where, 'pooling', `must be one of ${POOLINGS.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(pooling)}`);
    const huberDelta = numberOption(where, raw, 'huberDelta', 1, 0);
    if (huberDelta === 0) throw new OptionError(where, 'huberDelta', 'must be a number > 0, got 0');
    return {
      loss: loss as RegressionLoss,
      huberDelta,
      normalize: booleanOption(where, raw, 'normalize', false),
      targetMean: nullableNumber(where, raw, 'targetMean', false),
      targetStd: nullableNumber(where, raw, 'targetStd', true),
      classifierDropout: probabilityOption(where, raw, 'classifierDropout', null, true),
      pooling: pooling as Pooling,
    };
  },

  /** With `normalize`, the mean and standard deviation of the training targets (any given ones replaced). */
  completeOptions(options, _examples, train) {
    if (!options.normalize) return options;
    const targets = train.map((e) => targetOf(e, { name: REGRESSION })).filter((y): y is number => y !== undefined);
    const { mean, std } = targetStats(targets);
    return { ...options, targetMean: mean, targetStd: std };
  },

  collectLabels() {
    return [...REGRESSION_LABELS];
  },

  createHead(encoder, spec) {
    return new SequenceClassificationHead(encoder, 1, spec.options.classifierDropout ?? encoder.hiddenDropoutProb, spec.options.pooling);
  },

  async featurize(examples, tokenizer: Tokenizer, spec, options: FeaturizeOptions): Promise<FeaturizeResult> {
    const training = options.training ?? true;
    const targets = examples.map((e) => {
      // targets first: a data error before the slow part
      const y = targetOf(e, spec);
      if (y === undefined && training)
        throw new DataError(`${formatPosition(e.source)}: example '${e.id}' of task '${spec.name}' has no score; ${labelNeed(options)}`);
      return y === undefined ? undefined : normalizeTarget(y, spec.options);
    });
    const encodings = await encodeInputs(examples, tokenizer);
    let truncated = 0;
    const features = encodings.map((full, i): Features => {
      const e = truncateEncoding(full, options.maxLength);
      if (e.truncated) truncated++;
      const y = targets[i];
      const base = { exampleIndex: i, inputIds: e.inputIds, tokenTypeIds: e.tokenTypeIds, ...truncationOf(full, e) };
      return y === undefined ? base : { ...base, labels: [y] };
    });
    return { features, truncated };
  },

  collate(_task, features, inputs?: BatchInputs): Batch {
    if (inputs !== undefined) checkInputsFit(inputs, features);
    const padded = inputs ?? padInputs(features);
    if (features.some((f) => f.labels === undefined)) return { ...padded, features };
    const labels = tensor(Float32Array.from(features, (f) => f.labels![0]!)); // (B) float32 targets
    return { ...padded, labels, features };
  },

  /** MSE, or Huber with δ = huberDelta (torch's huber_loss: δ times smooth L1 with β = δ), of outputs (B, 1) against targets (B). */
  loss({ spec }, logits, batch) {
    if (batch.labels === undefined)
      throw new ConfigError(`task '${spec.name}': the batch has no targets, so no loss; featurize labelled examples`);
    checkOutputs(logits, batch.features.length, spec);
    return tidy(() => {
      const predicted = logits.squeeze(-1); // (B)
      if (spec.options.loss === 'mse') return mseLoss(predicted, batch.labels!);
      const delta = spec.options.huberDelta;
      return smoothL1Loss(predicted, batch.labels!, delta).mul(delta);
    });
  },

  decode({ spec }, logits, batch, examples) {
    checkOutputs(logits, batch.features.length, spec);
    const outputs = tidy(() => noGrad(() => logits.squeeze(-1).toArray())) as number[];
    return batch.features.map((f, i) => {
      exampleOf(examples, f);
      return { exampleIndex: f.exampleIndex, score: denormalizeOutput(outputs[i] as number, spec.options) };
    });
  },

  /** Pearson's r and Spearman's ρ (the main metric, as GLUE's STS-B reports), mean squared and mean absolute error. */
  evaluate(predictions, gold, spec): Metrics {
    const preds = inGoldOrder(predictions, gold.length, `evaluate '${spec.name}'`);
    const goldScores = gold.map((e) => {
      const y = targetOf(e, spec);
      if (y === undefined) throw new DataError(`${formatPosition(e.source)}: example '${e.id}' has no gold score to evaluate against`);
      return y;
    });
    const predicted = preds.map((p) => p.score);
    return {
      pearson: pearson(goldScores, predicted),
      spearman: spearman(goldScores, predicted),
      mse: meanSquaredError(goldScores, predicted),
      mae: meanAbsoluteError(goldScores, predicted),
    };
  },
};
