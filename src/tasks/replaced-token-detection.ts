/**
 * Replaced-token detection (Clark et al., "ELECTRA: Pre-training Text Encoders as Discriminators
 * Rather Than Generators", ICLR 2020) as a task type, over the texts masked-LM reads: a small generator
 * (./rtd/generator.ts, sharing the token embeddings) fills masked positions with sampled tokens, and the
 * run's shared encoder — the discriminator — learns to tell, for every token, whether it was replaced.
 * The loss is the generator's masked-LM loss plus λ (`discriminator_weight`, 50 as in the paper) times
 * the discriminator's (./rtd/objective.ts). The discriminator is what the checkpoint's encoder is; the
 * generator lives in the task's head (`heads.<task>.generator.…`) and is dropped by fine-tuning, as
 * ELECTRA drops it.
 *
 * Masking is masked-LM's (./masked-lm.ts: dynamic, from the task's seeded generator, saved in
 * trainer_state.json so a resumed run draws the same masks); the defaults are ELECTRA's: 15 % of the
 * tokens selected, 85 % of them shown as [MASK] and 15 % left as they are, none replaced at random.
 * The samples draw from libtorch's generator, which the training step seeds per micro-batch.
 */
import { ConfigError, ShapeError } from '../errors.js';
import { scoresFromCounts } from '../metrics/index.js';
import { noGrad, tidy, type Tensor } from '../tensor/index.js';
import { IGNORE_INDEX } from '../tokenization/index.js';
import { exampleOf, inGoldOrder } from './features.js';
import { collateMasked, maskedLm, type MaskedLmExample, type MaskedLmState, type MaskingOptions } from './masked-lm.js';
import { booleanOption, checkProbability, numberOption, probabilityOption, rejectUnknownOptions } from './options.js';
import { ReplacedTokenDetectionHead } from './rtd/head.js';
import { RTD_CHANNEL, RTD_CHANNELS, rtdLosses } from './rtd/objective.js';
import type { Batch, Metrics, TaskSpec, TaskType } from './types.js';
import { Rng } from '../tensor/rng.js';

export const REPLACED_TOKEN_DETECTION = 'replaced-token-detection';

/** The discriminator's two classes of a token. */
export const RTD_LABELS: readonly string[] = ['original', 'replaced'];

export interface ReplacedTokenDetectionOptions extends MaskingOptions {
  /** Seed of the masking generator. Default 0. */
  readonly seed: number;
  /** The generator's width as a fraction of the discriminator's (ELECTRA §3.2: 1/4–1/2 best). Default 0.25. */
  readonly generatorSize: number;
  /** The generator's layers; 0 = as many as the discriminator (ELECTRA's choice). Default 0. */
  readonly generatorLayers: number;
  /** λ, the discriminator loss's weight in L_MLM + λ·L_Disc (ELECTRA: 50). Default 50. */
  readonly discriminatorWeight: number;
}

const OPTION_KEYS = [
  'maskProbability',
  'maskTokenProbability',
  'randomTokenProbability',
  'wholeWordMasking',
  'seed',
  'generatorSize',
  'generatorLayers',
  'discriminatorWeight',
];

/** One example's tokens as the discriminator saw and judged them (real tokens only, in order). */
export interface ReplacedTokenPrediction {
  readonly exampleIndex: number;
  /** Per real token: 1 when the generator's sample differs from the original. */
  readonly replaced: readonly number[];
  /** Per real token: 1 when the discriminator's logit is above 0 (p(replaced) > 0.5). */
  readonly predicted: readonly number[];
  /** Per masked position: the original's rank among the generator's V tokens (1 = its argmax). */
  readonly generatorRanks: readonly number[];
}

type Spec = TaskSpec<ReplacedTokenDetectionOptions>;

function checkOutput(output: Tensor, batch: Batch, spec: Spec): void {
  const s = output.shape;
  const [B, T] = batch.inputIds.shape;
  if (s.length !== 3 || s[0] !== B || s[1] !== T || s[2] !== RTD_CHANNELS)
    throw new ShapeError(
      `task '${spec.name}': the head's output must be (B, T, ${RTD_CHANNELS}) with B, T = ${B}, ${T}, got [${s.join(', ')}]`,
    );
}

function maskedLabelsOf(batch: Batch, spec: Spec): Tensor {
  if (batch.labels === undefined)
    throw new ConfigError(`task '${spec.name}': the batch has no masked labels; collate it with ${REPLACED_TOKEN_DETECTION}`);
  return batch.labels;
}

export const replacedTokenDetection: TaskType<MaskedLmExample, ReplacedTokenPrediction, ReplacedTokenDetectionOptions, MaskedLmState> = {
  kind: REPLACED_TOKEN_DETECTION,
  inputs: ['masked-text'],
  sharesEncoderPass: false,
  formats: maskedLm.formats,
  readsLabel: false,
  labelSpace: 'none',
  // F1 of the replaced tokens: accuracy is dominated by the 85–90 % of tokens left original.
  mainMetric: { name: 'f1', greaterIsBetter: true },

  resolveOptions(raw = {}) {
    const where = REPLACED_TOKEN_DETECTION;
    rejectUnknownOptions(where, raw, OPTION_KEYS);
    const o: ReplacedTokenDetectionOptions = {
      maskProbability: probabilityOption(where, raw, 'maskProbability', 0.15, false),
      maskTokenProbability: probabilityOption(where, raw, 'maskTokenProbability', 0.85, false),
      randomTokenProbability: probabilityOption(where, raw, 'randomTokenProbability', 0, false),
      wholeWordMasking: booleanOption(where, raw, 'wholeWordMasking', false),
      seed: numberOption(where, raw, 'seed', 0, 0, true),
      generatorSize: numberOption(where, raw, 'generatorSize', 0.25, Number.MIN_VALUE),
      generatorLayers: numberOption(where, raw, 'generatorLayers', 0, 0, true),
      discriminatorWeight: numberOption(where, raw, 'discriminatorWeight', 50, 0),
    };
    checkProbability(
      where,
      undefined,
      o.maskTokenProbability + o.randomTokenProbability,
      false,
      'mask_token_probability + random_token_probability',
    );
    if (o.generatorSize > 1)
      throw new ConfigError(`${where}: generator_size is a fraction of the discriminator's width in (0, 1], got ${o.generatorSize}`);
    return o;
  },

  collectLabels() {
    return [...RTD_LABELS];
  },

  createHead(backbone, spec) {
    const embeddingSize = (backbone as { embeddingSize?: unknown }).embeddingSize;
    const E = typeof embeddingSize === 'number' ? embeddingSize : backbone.hiddenSize;
    const layers = spec.options.generatorLayers === 0 ? backbone.numHiddenLayers : spec.options.generatorLayers;
    return new ReplacedTokenDetectionHead(spec.name, backbone, E, { size: spec.options.generatorSize, layers });
  },

  featurize: (examples, tokenizer, spec, options) =>
    maskedLm.featurize(examples, tokenizer, { ...spec, options: { ...spec.options } }, options),

  createState(spec) {
    return { masking: new Rng(spec.options.seed) };
  },

  /** masked-LM's batch (inputIds masked, labels the originals at the masked positions), the labels also as `maskedLabels` for the head. */
  collate({ spec, state }, features, inputs) {
    const batch = collateMasked(spec, state, features, inputs);
    return { ...batch, maskedLabels: batch.labels };
  },

  loss({ spec }, output, batch) {
    checkOutput(output, batch, spec);
    const maskedLabels = maskedLabelsOf(batch, spec);
    return tidy(() => rtdLosses(output, maskedLabels, batch.attentionMask, spec.options.discriminatorWeight).total);
  },

  decode({ spec }, output, batch, examples) {
    checkOutput(output, batch, spec);
    const maskedLabels = maskedLabelsOf(batch, spec);
    const [logits, replaced, ranks, labels, mask] = tidy(() =>
      noGrad(() => [
        output.select(-1, RTD_CHANNEL.discriminatorLogit).toArray(),
        output.select(-1, RTD_CHANNEL.replaced).toArray(),
        output.select(-1, RTD_CHANNEL.generatorRank).toArray(),
        maskedLabels.toArray(),
        batch.attentionMask.toArray(),
      ]),
    ) as number[][][];
    return batch.features.map((f, i) => {
      exampleOf(examples, f);
      const real = (mask![i] as number[]).flatMap((m, t) => (m === 1 ? [t] : []));
      const masked = (labels![i] as number[]).flatMap((id, t) => (id === IGNORE_INDEX ? [] : [t]));
      return {
        exampleIndex: f.exampleIndex,
        replaced: real.map((t) => (((replaced![i] as number[])[t] as number) > 0.5 ? 1 : 0)),
        predicted: real.map((t) => (((logits![i] as number[])[t] as number) > 0 ? 1 : 0)),
        generatorRanks: masked.map((t) => (ranks![i] as number[])[t] as number),
      };
    });
  },

  evaluate(predictions, gold, spec): Metrics {
    return replacedTokenMetrics(inGoldOrder(predictions, gold.length, `evaluate '${spec.name}'`));
  },

  collationState: maskedLm.collationState,
};

/**
 * The discriminator's per-token `accuracy` over real tokens, `precision`, `recall` and `f1` of the
 * "replaced" class (ELECTRA's disc_accuracy, disc_precision, disc_recall), the `replacedRate` (the
 * fraction of real tokens replaced: how often the generator fooled nothing), and the generator's
 * masked-token `generatorAccuracy` and `generatorTop5Accuracy` (the original among its 5 most probable).
 * With no token, every value is 0.
 */
export function replacedTokenMetrics(predictions: readonly ReplacedTokenPrediction[]): Metrics {
  let tokens = 0;
  let correct = 0;
  let truePositive = 0;
  let predictedPositive = 0;
  let positive = 0;
  let masked = 0;
  let top1 = 0;
  let top5 = 0;
  for (const p of predictions) {
    p.replaced.forEach((y, k) => {
      const yhat = p.predicted[k];
      tokens++;
      if (y === yhat) correct++;
      if (y === 1) positive++;
      if (yhat === 1) predictedPositive++;
      if (y === 1 && yhat === 1) truePositive++;
    });
    for (const r of p.generatorRanks) {
      masked++;
      if (r === 1) top1++;
      if (r <= 5) top5++;
    }
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const { precision, recall, f1 } = scoresFromCounts(truePositive, predictedPositive, positive);
  return {
    accuracy: ratio(correct, tokens),
    precision,
    recall,
    f1,
    replacedRate: ratio(positive, tokens),
    generatorAccuracy: ratio(top1, masked),
    generatorTop5Accuracy: ratio(top5, masked),
  };
}
