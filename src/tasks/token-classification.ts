/**
 * Token classification: one BIO tag per word (slot filling, named entities) for pre-split words.
 *
 * A word's tag trains its FIRST sub-word; every other token has the label -100, which the loss
 * ignores (src/tokenization/align.ts). Decoding reads each word's first sub-word back, repairs the
 * tags to valid BIO (`repairBio`) and returns typed spans with character offsets in the text
 * `words.join(' ')`. The head is Hugging Face's BertForTokenClassification: dropout and one linear
 * layer over each token's hidden state, parameters `classifier.weight` (C, H) and `classifier.bias` (C).
 */
import { ConfigError, DataError, ShapeError } from '../errors.js';
import { formatPosition, type TaggedExample } from '../data/index.js';
import { extractChunks, repairBio, sequenceLabelingScores } from '../metrics/index.js';
import { argmax, crossEntropy, noGrad, tidy, type Tensor } from '../tensor/index.js';
import { IGNORE_INDEX, alignLabels, firstTokenOfWords } from '../tokenization/index.js';
import { rejectUnknownKeys } from '../tokenization/options.js';
import {
  checkInputsFit,
  encodeInputs,
  exampleOf,
  inGoldOrder,
  labelIndex,
  longest,
  paddedInt64,
  padInputs,
  truncateEncoding,
} from './features.js';
import { probabilityOption } from './options.js';
import type { Batch, EncoderConfig, EncoderOutputs, Features, Metrics, TaskSpec, TaskType } from './types.js';
import { LinearHead } from './linear-head.js';

export const TOKEN_CLASSIFICATION = 'token-classification';

export interface TokenClassificationOptions {
  /** Dropout before the classifier; null (default) takes the encoder's hiddenDropoutProb, as Hugging Face. */
  readonly classifierDropout: number | null;
}

/** A typed span of words: words `start` ≤ w < `end`, characters `charStart` ≤ i < `charEnd` of `words.join(' ')`. */
export interface EntitySpan {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly charStart: number;
  readonly charEnd: number;
  /** The span's text: `words.join(' ').slice(charStart, charEnd)`. */
  readonly text: string;
}

export interface TokenClassificationPrediction {
  readonly exampleIndex: number;
  /** One valid BIO tag per word; 'O' for a word without tokens (cut off by truncation, or emptied by the normalizer). */
  readonly tags: readonly string[];
  /** The entities the tags mark, in order. */
  readonly spans: readonly EntitySpan[];
  /** Words cut off by truncation (tagged 'O'). */
  readonly truncatedWords: number;
}

type Spec = TaskSpec<TokenClassificationOptions>;

/** Dropout and a linear layer over every token: (B, T, H) → logits (B, T, C). */
export class TokenClassificationHead extends LinearHead {
  forward(encoded: EncoderOutputs): Tensor {
    return this.project(encoded.lastHiddenState); // (B, T, C)
  }
}

/** The tag ids of an example's words, or undefined for an example without tags that may lack them. */
function tagIds(e: TaggedExample, spec: Spec, index: Map<string, number>, training: boolean): number[] | undefined {
  if (e.tags.length === 0 && !training) return undefined;
  if (e.tags.length !== e.tokens.length) {
    throw new DataError(
      `${formatPosition(e.source)}: example '${e.id}' has ${e.tokens.length} words but ${e.tags.length} tags; expected one tag per word`,
    );
  }
  return e.tags.map((tag) => {
    const id = index.get(tag);
    if (id !== undefined) return id;
    if (!training) return IGNORE_INDEX; // an unseen tag: never predicted, so its entity counts as missed
    throw new DataError(
      `${formatPosition(e.source)}: tag '${tag}' of task '${spec.name}' is not in its label list (${spec.labels.length} tags); add it to the task labels or fix the data`,
    );
  });
}

/** [start, end) of each word in `words.join(' ')`. */
function wordOffsets(words: readonly string[]): [number, number][] {
  let pos = 0;
  return words.map((w) => {
    const span: [number, number] = [pos, pos + w.length];
    pos += w.length + 1;
    return span;
  });
}

/** Spans of BIO tags over `words`, with character offsets. */
export function spansOf(words: readonly string[], tags: readonly string[]): EntitySpan[] {
  const offsets = wordOffsets(words);
  const text = words.join(' ');
  return extractChunks(tags).map((c) => {
    const charStart = (offsets[c.start] as [number, number])[0];
    const charEnd = (offsets[c.end - 1] as [number, number])[1];
    return { type: c.type, start: c.start, end: c.end, charStart, charEnd, text: text.slice(charStart, charEnd) };
  });
}

function checkLogits(logits: Tensor, batch: Batch, spec: Spec): void {
  const [B, T, C] = [batch.features.length, batch.inputIds.shape[1], spec.labels.length];
  const s = logits.shape;
  if (s.length !== 3 || s[0] !== B || s[1] !== T || s[2] !== C) {
    throw new ShapeError(`task '${spec.name}': logits must be (B, T, C) = [${B}, ${T}, ${C}], got [${s.join(', ')}]`);
  }
}

/** Row i's prediction from its per-token class ids. */
function predictRow(tokenIds: readonly number[], f: Features, words: readonly string[], spec: Spec): TokenClassificationPrediction {
  const wordTokens = f.wordTokens ?? [];
  if (wordTokens.length !== words.length) {
    throw new DataError(`example ${f.exampleIndex} has ${words.length} words but its features ${wordTokens.length}; featurize it again`);
  }
  const lastPresent = wordTokens.reduce((last, t, w) => (t >= 0 ? w : last), -1);
  let truncatedWords = 0;
  const raw = wordTokens.map((t, w) => {
    if (t >= 0) return spec.labels[tokenIds[t] as number] as string;
    if (f.truncated && w > lastPresent) truncatedWords++;
    return 'O';
  });
  const tags = repairBio(raw);
  return { exampleIndex: f.exampleIndex, tags, spans: spansOf(words, tags), truncatedWords };
}

export const tokenClassification: TaskType<TaggedExample, TokenClassificationPrediction, TokenClassificationOptions> = {
  kind: TOKEN_CLASSIFICATION,
  mainMetric: { name: 'f1', greaterIsBetter: true },

  resolveOptions(raw = {}) {
    rejectUnknownKeys(TOKEN_CLASSIFICATION, raw, ['classifierDropout']);
    return { classifierDropout: probabilityOption(TOKEN_CLASSIFICATION, raw, 'classifierDropout', null, true) };
  },

  collectLabels(examples) {
    const tags = new Set<string>();
    for (const e of examples) for (const t of e.tags) tags.add(t);
    return [...tags].sort();
  },

  createHead(encoder: EncoderConfig, spec) {
    labelIndex(spec);
    return new TokenClassificationHead(encoder, spec.labels.length, spec.options.classifierDropout ?? encoder.hiddenDropoutProb);
  },

  async featurize(examples, tokenizer, spec, options) {
    const index = labelIndex(spec);
    const training = options.training ?? true;
    const ids = examples.map((e) => tagIds(e, spec, index, training));
    const encodings = await encodeInputs(examples, tokenizer);
    let truncated = 0;
    const features = encodings.map((full, i): Features => {
      const e = truncateEncoding(full, options.maxLength);
      if (e.truncated) truncated++;
      const numWords = (examples[i] as TaggedExample).tokens.length;
      const wordTokens = firstTokenOfWords(e, numWords).map((t) => t ?? -1);
      const base = { exampleIndex: i, inputIds: e.inputIds, tokenTypeIds: e.tokenTypeIds, truncated: e.truncated, wordTokens };
      const wordLabels = ids[i];
      return wordLabels === undefined ? base : { ...base, labels: alignLabels(e, wordLabels) };
    });
    return { features, truncated };
  },

  collate(features, _spec, inputs) {
    if (inputs !== undefined) checkInputsFit(inputs, features);
    const padded = inputs ?? padInputs(features);
    if (features.some((f) => f.labels === undefined)) return { ...padded, features };
    const labels = paddedInt64(features.length, longest(features), IGNORE_INDEX, (i) => (features[i] as Features).labels ?? []); // (B, T)
    return { ...padded, labels, features };
  },

  loss(logits, batch, spec) {
    if (batch.labels === undefined)
      throw new ConfigError(`task '${spec.name}': the batch has no labels, so no loss; featurize labelled examples`);
    checkLogits(logits, batch, spec);
    const C = spec.labels.length;
    return tidy(() => crossEntropy(logits.reshape([-1, C]), (batch.labels as Tensor).reshape([-1]))); // mean over labelled tokens
  },

  decode(logits, batch, examples, spec) {
    checkLogits(logits, batch, spec);
    const ids = tidy(() => noGrad(() => argmax(logits, -1).toArray())) as number[][]; // (B, T)
    return batch.features.map((f, i) => predictRow(ids[i] as number[], f, exampleOf(examples, f).tokens, spec));
  },

  evaluate(predictions, gold, spec): Metrics {
    const preds = inGoldOrder(predictions, gold.length, `evaluate '${spec.name}'`);
    gold.forEach((e, i) => {
      const n = (preds[i] as TokenClassificationPrediction).tags.length;
      if (e.tags.length !== e.tokens.length || n !== e.tags.length) {
        throw new DataError(
          `${formatPosition(e.source)}: example '${e.id}' has ${e.tokens.length} words, ${e.tags.length} gold tags and ${n} predicted tags`,
        );
      }
    });
    const s = sequenceLabelingScores(
      gold.map((e) => e.tags),
      preds.map((p) => p.tags),
    );
    return { precision: s.overall.precision, recall: s.overall.recall, f1: s.overall.f1, tokenAccuracy: s.tokenAccuracy };
  },
};
