/**
 * T5's span-corruption pre-training objective as a task type (Raffel et al., JMLR 2020, §3.1.4):
 * each text of a corpus loses a random 15% of its tokens in spans of mean length 3
 * (src/data/span-corruption.ts); the encoder reads the text with each span replaced by a sentinel
 * (`<extra_id_0>`, `<extra_id_1>`, … as T5 names them), the decoder learns to produce each sentinel
 * followed by the span it replaced, teacher-forced as a seq2seq task (./text-to-text.ts). It shares the
 * LM head with the run's seq2seq tasks, so both mix in one model with the samplers.
 *
 * The sentinels are special tokens the run adds to its tokenizer when it lacks them (`addedTokens`; a
 * T5 tokenizer has them). The noise of a text is drawn once, from the task's `seed` and the example's
 * id (a corpus line's number), so every epoch sees the same corruption of a line and a resumed run the
 * same batches (T5 draws anew each time it reads a text). Evaluation scores the teacher-forced targets:
 * token accuracy (the main metric) and perplexity.
 */
import type { SourcePosition } from '../data/index.js';
import { spanCorruption } from '../data/span-corruption.js';
import { ConfigError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import type { Tokenizer } from '../tokenization/index.js';
import { exampleOf, inGoldOrder } from './features.js';
import { numberOption, OptionError, rejectUnknownOptions } from './options.js';
import {
  collateTextToText,
  endTokenOf,
  targetScores,
  textIds,
  textToTextHead,
  textToTextLoss,
  tokenScoreMetrics,
  type TargetScores,
  type TextToTextFeatures,
} from './text-to-text.js';
import type { FeaturizeResult, Metrics, TaskType } from './types.js';

export const SPAN_CORRUPTION = 'span-corruption';

/** A span-corruption task has no label list (its targets are the text's own tokens); a spec needs a non-empty one. */
export const SPAN_CORRUPTION_LABELS: readonly string[] = ['[vocabulary]'];

/** What it reads: one text (a corpus line, a gloss); any label is ignored. */
export interface SpanCorruptionTextExample {
  readonly id: string;
  readonly text: string;
  readonly source: SourcePosition;
}

export interface SpanCorruptionTaskOptions {
  /** Fraction of each text's tokens corrupted (T5: 0.15). */
  readonly noiseDensity: number;
  /** Mean corrupted span length in tokens (T5: 3). */
  readonly meanNoiseSpanLength: number;
  /** Sentinel tokens `<extra_id_0>` … `<extra_id_{n−1}>` (T5: 100); a text may have at most this many spans. */
  readonly sentinels: number;
  /** Seed of the noise (with each example's id). */
  readonly seed: number;
}

const OPTION_KEYS = ['noiseDensity', 'meanNoiseSpanLength', 'sentinels', 'seed'];

/** T5's name of sentinel `i`. */
export const sentinelToken = (i: number): string => `<extra_id_${i}>`;

/** A 32-bit hash of an example id (FNV-1a), mixed with the seed into the example's noise generator. */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The sentinel ids of the tokenizer, `<extra_id_0>` first; ConfigError naming the first missing one. */
function sentinelIds(tokenizer: Tokenizer, n: number, task: string): number[] {
  return Array.from({ length: n }, (_, i) => {
    const id = tokenizer.tokenToId(sentinelToken(i));
    if (id === null)
      throw new ConfigError(
        `task '${task}': the tokenizer has no ${sentinelToken(i)}; a run adds the sentinels, give it the tokenizer it prepared`,
      );
    return id;
  });
}

export const spanCorruptionTask: TaskType<SpanCorruptionTextExample, TargetScores, SpanCorruptionTaskOptions> = {
  kind: SPAN_CORRUPTION,
  inputs: ['masked-text'],
  sharesEncoderPass: false,
  formats: ['text', 'csv', 'tsv', 'jsonl', 'wordnet'],
  readsLabel: false,
  labelSpace: 'none',
  mainMetric: { name: 'accuracy', greaterIsBetter: true },

  resolveOptions(raw = {}) {
    const where = SPAN_CORRUPTION;
    rejectUnknownOptions(where, raw, OPTION_KEYS);
    const noiseDensity = numberOption(where, raw, 'noiseDensity', 0.15, 0);
    if (!(noiseDensity > 0 && noiseDensity < 1)) throw new OptionError(where, 'noiseDensity', `must be in (0, 1), got ${noiseDensity}`);
    return {
      noiseDensity,
      meanNoiseSpanLength: numberOption(where, raw, 'meanNoiseSpanLength', 3, 1),
      sentinels: numberOption(where, raw, 'sentinels', 100, 1, true),
      seed: numberOption(where, raw, 'seed', 0, 0, true),
    };
  },

  addedTokens(o) {
    return Array.from({ length: o.sentinels }, (_, i) => sentinelToken(i));
  },

  collectLabels() {
    return [...SPAN_CORRUPTION_LABELS];
  },

  /** The family's language-model class, as T5's pre-trained checkpoints are published (`T5ForConditionalGeneration`). */
  exportHf() {
    return { head: 'Seq2SeqLM', config: {} };
  },

  createHead(backbone, spec) {
    return textToTextHead(backbone, spec.name);
  },

  /** Each text's tokens (cut to maxLength − 1) corrupted: sentinels in the input, sentinel + span in the target; both end with the tokenizer's end token. */
  async featurize(examples, tokenizer, spec, options): Promise<FeaturizeResult> {
    const o = spec.options;
    const sentinels = sentinelIds(tokenizer, o.sentinels, spec.name);
    const encodings = await tokenizer.encodeBatch(examples.map((e) => e.text));
    let truncated = 0;
    const features = encodings.map((e, i): TextToTextFeatures => {
      const endTokenId = endTokenOf(e, spec.name);
      const all = textIds(e).ids;
      const tokens = all.slice(0, options.maxLength - 1);
      if (tokens.length < all.length) truncated++;
      const rng = new Rng((o.seed ^ idHash(examples[i]!.id)) >>> 0);
      const c =
        tokens.length < 2
          ? { inputIds: tokens, labels: [] }
          : spanCorruption(tokens, sentinels, rng, { noiseDensity: o.noiseDensity, meanNoiseSpanLength: o.meanNoiseSpanLength });
      return {
        exampleIndex: i,
        inputIds: [...c.inputIds, endTokenId],
        labels: [...c.labels, endTokenId],
        truncated: tokens.length < all.length,
        endTokenId,
      };
    });
    return { features, truncated };
  },

  collate({ spec }, features) {
    return collateTextToText(features as readonly TextToTextFeatures[], `collate '${spec.name}'`);
  },

  loss({ spec }, logits, batch) {
    return textToTextLoss(logits, batch, spec.name);
  },

  decode({ spec }, logits, batch, examples) {
    for (const f of batch.features) exampleOf(examples, f);
    return targetScores(logits, batch, spec.name);
  },

  evaluate(predictions, gold, spec): Metrics {
    return tokenScoreMetrics(inGoldOrder(predictions, gold.length, `evaluate '${spec.name}'`));
  },
};
