/**
 * Token classification: one BIO tag per word (slot filling, named entities) for pre-split words.
 *
 * A word's tag trains its FIRST sub-word; every other token has the label -100, which the loss
 * ignores (src/tokenization/align.ts). Decoding reads each word's first sub-word back, repairs the
 * tags to valid BIO (`repairBio`) and returns typed spans with character offsets in the text
 * `words.join(' ')`. The head is Hugging Face's BertForTokenClassification: dropout and one linear
 * layer over each token's hidden state, parameters `classifier.weight` (C, H) and `classifier.bias` (C).
 *
 * With the `crf` option the head adds a linear-chain CRF (./crf.ts, parameters `crf.…`) over the words'
 * first sub-words, as JointBERT's `--use_crf` and BERT-CRF taggers: the loss is the CRF's
 * token-mean negative log-likelihood of the gold tag path and decoding is Viterbi, so the tags of a
 * sentence are chosen together (a transition such as B-artist → B-entity_name is scored) rather than
 * word by word.
 *
 * With the `char_cnn` key, a character-level CNN (Ma & Hovy 2016; src/nn/char-cnn.ts, parameters
 * `char_cnn.…`) reads each word's characters and its vector (F) is concatenated to the word's
 * first-sub-word state (H) before dropout and the classifier (C, H + F): a word the sub-word
 * vocabulary splits badly or drops to [UNK] keeps its spelling where its tag is decided.
 */
import { ConfigError, DataError, ShapeError } from '../errors.js';
import { formatPosition, wordPosition, type TaggedExample } from '../data/index.js';
import { confusionMatrix, extractChunks, repairBio, sequenceLabelingScores, surfaceFormScores } from '../metrics/index.js';
import { argmax, cat, crossEntropy, full, gather, noGrad, softmax, tensor, tidy, type Tensor } from '../tensor/index.js';
import { CharCnn } from '../nn/char-cnn.js';
import { BiLstm } from '../nn/bilstm.js';
import { resolveCharCnn, type CharCnnOptions } from './char-cnn-options.js';
import { wordCharIds } from './word-chars.js';
import { IGNORE_INDEX, alignLabels, firstTokenOfWords } from '../tokenization/index.js';
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
  truncationOf,
} from './features.js';
import { booleanOption, numberOption, OptionError, probabilityOption, rejectUnknownOptions } from './options.js';
import type { Batch, EncoderConfig, EncoderOutputs, Features, Metrics, TaskHead, TaskSpec, TaskType } from './types.js';
import { isPunctuation } from './input-words.js';
import { LinearHead } from './linear-head.js';
import { LinearChainCrf } from './crf.js';
import { explainedLabelId } from './explanation.js';

export const TOKEN_CLASSIFICATION = 'token-classification';

export interface TokenClassificationOptions {
  /** Dropout before the classifier; null (default) takes the encoder's hiddenDropoutProb, as Hugging Face. */
  readonly classifierDropout: number | null;
  /** Score whole tag paths with a linear-chain CRF (loss: its NLL; decoding: Viterbi) instead of per-word softmax. */
  readonly crf: boolean;
  /** A character-level CNN over each word, its vector joined to the word's first sub-word state; null: none. */
  readonly charCnn: CharCnnOptions | null;
  /** A bidirectional LSTM over the token states (and char-CNN vectors) before the classifier; null: none. */
  readonly bilstm: { readonly hiddenSize: number } | null;
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
  /**
   * Per word, the classifier's softmax probability of the tag it was given (at its first sub-word; with a
   * CRF, of the Viterbi path's tag under the emissions alone, before the transitions); 0 for a word
   * without tokens.
   */
  readonly scores: readonly number[];
  /** The entities the tags mark, in order. */
  readonly spans: readonly EntitySpan[];
  /** Words cut off by truncation (tagged 'O'). */
  readonly truncatedWords: number;
}

type Spec = TaskSpec<TokenClassificationOptions>;

/**
 * Dropout and a linear layer over every token: (B, T, H) → logits (B, T, C); optionally a CRF over the
 * words, a character CNN whose word vectors (B, T, F) join the states: (B, T, H + F), and a
 * bidirectional LSTM over those states: (B, T, 2h) (Ma & Hovy's BiLSTM-CNN-CRF, ACL 2016).
 */
export class TokenClassificationHead extends LinearHead {
  /** The tag-path model (transitions (C, C), start and end scores (C)), when the task has `crf`. */
  readonly crf: LinearChainCrf | undefined;
  /** The words' character CNN, when the task has `char_cnn`. */
  readonly charCnn: CharCnn | undefined;
  /** The sequence layer, when the task has `bilstm`. */
  readonly bilstm: BiLstm | undefined;

  constructor(
    encoder: EncoderConfig,
    numLabels: number,
    dropout: number,
    crf: boolean,
    charCnn: CharCnnOptions | null = null,
    bilstm: TokenClassificationOptions['bilstm'] = null,
  ) {
    const states = encoder.hiddenSize + (charCnn?.filters ?? 0);
    super(encoder, numLabels, dropout, bilstm === null ? states : 2 * bilstm.hiddenSize);
    this.crf = crf ? this.registerModule('crf', new LinearChainCrf(numLabels)) : undefined;
    this.charCnn = charCnn === null ? undefined : this.registerModule('char_cnn', new CharCnn(charCnn));
    this.bilstm = bilstm === null ? undefined : this.registerModule('bilstm', new BiLstm(states, bilstm.hiddenSize));
  }

  /** @throws ConfigError when the head has a character CNN but the batch carries no wordCharIds. */
  forward(encoded: EncoderOutputs): Tensor {
    return tidy(() => this.project(this.#states(encoded))); // (B, T, C)
  }

  /** 2h with a BiLSTM (its states, which a sequence-classification head with `states_of` reads); undefined without. */
  override get sequenceStateSize(): number | undefined {
    return this.bilstm === undefined ? undefined : 2 * this.bilstm.hiddenSize;
  }

  /**
   * The BiLSTM's states (B, T, 2h), zero at padding: what the classifier reads.
   * @throws ConfigError for a head without a BiLSTM, or with a character CNN and no wordCharIds in the batch.
   */
  override sequenceStates(encoded: EncoderOutputs): Tensor {
    if (this.bilstm === undefined) return super.sequenceStates(encoded);
    return tidy(() => this.#states(encoded));
  }

  /** Logits (B, T, C) from `sequenceStates`' (B, T, 2h). */
  override forwardStates(states: Tensor, _encoded: EncoderOutputs): Tensor {
    if (this.bilstm === undefined) return super.forwardStates(states, _encoded);
    return this.project(states);
  }

  /** What the classifier reads: (B, T, H), with the char-CNN's (B, T, H + F), after the BiLSTM (B, T, 2h). */
  #states(encoded: EncoderOutputs): Tensor {
    let states = encoded.lastHiddenState; // (B, T, H)
    if (this.charCnn !== undefined) {
      const chars = encoded.wordCharIds;
      if (chars === undefined)
        throw new ConfigError(
          "this token-classification head has char_cnn, but the batch has no wordCharIds; make its batches with the task's featurize and collate " +
            '(a task whose head reads its states with states_of runs it too: give both tasks the same data, so that they share batches)',
        );
      states = cat([states, this.charCnn.forward(chars)], -1); // (B, T, H + F)
    }
    if (this.bilstm !== undefined) states = this.bilstm.forward(states, rowLengths(encoded.attentionMask, states)); // (B, T, 2h)
    return states;
  }
}

/** Each row's real positions, (B) int64: the attention mask's row sums (all T without a mask). */
function rowLengths(attentionMask: Tensor | undefined, states: Tensor): Tensor {
  const [B, T] = states.shape as [number, number];
  return attentionMask === undefined ? full([B], T, { dtype: 'int64', device: states.device }) : attentionMask.sum(1, false, 'int64');
}

/**
 * The resolved `bilstm` option: null when absent or null, else `{ hiddenSize }` (default 200, Ma & Hovy's).
 * @throws OptionError for anything but an object with a positive integer `hiddenSize`.
 */
function resolveBilstm(where: string, value: unknown): TokenClassificationOptions['bilstm'] {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new OptionError(where, 'bilstm', `must be an object ({ hidden_size }) or null, got ${JSON.stringify(value)}`);
  const raw = value as Record<string, unknown>;
  rejectUnknownOptions(`${where} bilstm`, raw, ['hiddenSize']);
  return { hiddenSize: numberOption(`${where} bilstm`, raw, 'hiddenSize', 200, 1, true) };
}

/** The CRF of `head`; ConfigError when the task has `crf` but its head was not built with one. */
function crfOf(head: TaskHead, spec: Spec): LinearChainCrf {
  const crf = head instanceof TokenClassificationHead ? head.crf : undefined;
  if (crf === undefined)
    throw new ConfigError(`task '${spec.name}' has crf: true, but its head has no CRF; build the head with the task's type (createHead)`);
  return crf;
}

/**
 * The word-level chain of each row: the token positions of its words' first sub-words (words without
 * a token are left out) as a (B, L) int64 index padded with 0, and the (B, L, C) logits at them.
 */
function wordEmissions(logits: Tensor, features: readonly Features[]): { emissions: Tensor; positions: number[][] } {
  const positions = features.map((f) => (f.wordTokens ?? []).filter((t) => t >= 0));
  const L = Math.max(1, ...positions.map((p) => p.length));
  const C = logits.shape[2] as number;
  return tidy(() => {
    const index = tensor(
      positions.map((p) => Array.from({ length: L }, (_, l) => p[l] ?? 0)),
      { dtype: 'int64' },
    ); // (B, L)
    return { emissions: gather(logits, 1, index.unsqueeze(2).expand([-1, -1, C])), positions }; // (B, L, C)
  });
}
/** A BIO tag: 'O', or 'B-' / 'I-' and a type ('B-city_name'). */
const BIO_TAG = /^(O|[BI]-\S+)$/;

/**
 * Checks that every tag of `e` is a BIO tag (decoding, spans and the metrics read tags as BIO).
 * @throws DataError naming the file:line, the tag and the form expected.
 */
function checkBioTags(e: TaggedExample): void {
  const bad = e.tags.findIndex((t) => !BIO_TAG.test(t));
  if (bad < 0) return;
  throw new DataError(
    `${formatPosition(wordPosition(e, bad))}: tag '${e.tags[bad]}' (word ${bad + 1} of example '${e.id}') is not a BIO tag; ` +
      "expected 'O', 'B-<type>' or 'I-<type>' (token classification reads tags as BIO); fix the data",
  );
}

/** The tag ids of an example's words, or undefined for an example without tags that may lack them. */
function tagIds(e: TaggedExample, spec: Spec, index: Map<string, number>, training: boolean): number[] | undefined {
  if (e.tags.length === 0 && !training) return undefined;
  if (e.tags.length !== e.tokens.length) {
    throw new DataError(
      `${formatPosition(e.source)}: example '${e.id}' has ${e.tokens.length} words but ${e.tags.length} tags; expected one tag per word`,
    );
  }
  checkBioTags(e);
  return e.tags.map((tag, k) => {
    const id = index.get(tag);
    if (id !== undefined) return id;
    if (!training) return IGNORE_INDEX; // an unseen tag: never predicted, so its entity counts as missed
    throw new DataError(
      `${formatPosition(wordPosition(e, k))}: tag '${tag}' (word ${k + 1} of example '${e.id}') of task '${spec.name}' is not in its label list (${spec.labels.length} tags); add it to the task labels or fix the data`,
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

/** The CRF's best tag path of each row as a tag id per token (B, T): the words' first sub-words carry it, 0 elsewhere. */
function viterbiIds(crf: LinearChainCrf, logits: Tensor, batch: Batch): number[][] {
  const T = batch.inputIds.shape[1]!;
  return tidy(() =>
    noGrad(() => {
      const { emissions, positions } = wordEmissions(logits, batch.features);
      const best = crf.viterbi(
        emissions,
        positions.map((p) => p.length),
      );
      return positions.map((p, i) => {
        const row = new Array<number>(T).fill(0);
        p.forEach((t, l) => (row[t] = best[i]![l]!));
        return row;
      });
    }),
  );
}

/**
 * Row i's prediction from the tag id of each word that has a token (`idOfToken(t)` for its first sub-word
 * t) and the classifier's probability of that tag at each token (`probs[t]`, (T)).
 */
function predictRow(
  idOfToken: (t: number) => number,
  probs: readonly number[],
  f: Features,
  words: readonly string[],
  spec: Spec,
): TokenClassificationPrediction {
  const wordTokens = f.wordTokens ?? [];
  if (wordTokens.length !== words.length) {
    throw new DataError(`example ${f.exampleIndex} has ${words.length} words but its features ${wordTokens.length}; featurize it again`);
  }
  const lastPresent = wordTokens.reduce((last, t, w) => (t >= 0 ? w : last), -1);
  let truncatedWords = 0;
  const raw = wordTokens.map((t, w) => {
    if (t >= 0) return spec.labels[idOfToken(t)] as string;
    if (f.truncated && w > lastPresent) truncatedWords++;
    return 'O';
  });
  const tags = repairBio(raw);
  const scores = wordTokens.map((t) => (t >= 0 ? probs[t]! : 0));
  return { exampleIndex: f.exampleIndex, tags, scores, spans: spansOf(words, tags), truncatedWords };
}

export const tokenClassification: TaskType<TaggedExample, TokenClassificationPrediction, TokenClassificationOptions> = {
  kind: TOKEN_CLASSIFICATION,
  inputs: ['words'],
  sharesEncoderPass: true,
  formats: ['joint-folder', 'conll', 'cluener'],
  readsLabel: true,
  labelSpace: 'classes',
  configKeys: ['crf', 'char_cnn', 'bilstm'],
  mainMetric: { name: 'f1', greaterIsBetter: true },

  /** `options`, plus the task's `crf`, `char_cnn` and `bilstm` keys. */
  configOptions(task) {
    return { ...(task.options ?? {}), crf: task.crf, charCnn: task.charCnn ?? null, bilstm: task.bilstm ?? null };
  },

  /**
   * `{ tags, words, spans }`: a tag per word the model read (words cut off by max_length get none;
   * predict reports how many) and the entities as Hugging Face's token-classification pipeline gives
   * them with aggregation 'simple': `{ entity_group, score, word, start, end }`, the score the mean of
   * the entity's words' scores, start and end character offsets into the text. Punctuation that
   * predict's own split took off a word is never part of an entity (the tagging data sets write none);
   * words given already split are tagged as evaluation tags them.
   */
  present(p, _spec, { text, words: all, splitIntoWords }) {
    const read = p.tags.length - p.truncatedWords;
    const words = all.slice(0, read);
    const raw = p.tags.slice(0, read);
    const tags = splitIntoWords ? raw : repairBio(raw.map((t, i) => (isPunctuation(words[i]!.word) ? 'O' : t)));
    // Hugging Face's token-classification pipeline names (aggregation 'simple': the group's mean score).
    const spans = spansOf(
      words.map((w) => w.word),
      tags,
    ).map((s) => {
      const [start, end] = [words[s.start]!.start, words[s.end - 1]!.end];
      const score = p.scores.slice(s.start, s.end).reduce((a, b) => a + b, 0) / (s.end - s.start);
      return { entity_group: s.type, score, word: text.slice(start, end), start, end };
    });
    return { tags, words: words.map((w) => w.word), spans };
  },

  /** <Family>ForTokenClassification (each token's state → dropout → classifier; no pooler). A CRF has no place in it. */
  exportHf(spec) {
    if (spec.options.crf) return { refused: 'its head has a CRF, which …ForTokenClassification has not (train it with crf: false)' };
    if (spec.options.charCnn !== null)
      return { refused: 'its head has a character CNN, which …ForTokenClassification has not (train it without char_cnn)' };
    if (spec.options.bilstm !== null)
      return { refused: 'its head has a BiLSTM, which …ForTokenClassification has not (train it without bilstm)' };
    return { head: 'TokenClassification', config: {} };
  },

  /** A …ForTokenClassification folder: a tag per word from its first token, no CRF. */
  importHf(head, _config, labels) {
    return head === 'TokenClassification' ? { options: { crf: false, charCnn: null, bilstm: null }, labels } : undefined;
  },

  /**
   * For each word the model read: the logit of its predicted tag (or of `label`) at the word's first
   * token, the score the tag is decoded from (with a CRF: the emission score of the tag, before the
   * transitions).
   */
  explanationTargets(p, feature, spec, label) {
    const wordTokens = feature.wordTokens ?? [];
    return p.tags.flatMap((tag, word) => {
      const t = wordTokens[word] ?? -1;
      if (t < 0) return [];
      const l = label ?? tag;
      return [{ label: l, word, logit: [t, explainedLabelId(spec, l)], readsTokens: [t] }];
    });
  },

  /** The slots of an utterance: a tag per word. */
  framePart() {
    return { role: 'slots', gold: (e) => e.tags, predicted: (p) => p.tags };
  },

  resolveOptions(raw = {}) {
    rejectUnknownOptions(TOKEN_CLASSIFICATION, raw, ['classifierDropout', 'crf', 'charCnn', 'bilstm']);
    return {
      classifierDropout: probabilityOption(TOKEN_CLASSIFICATION, raw, 'classifierDropout', null, true),
      crf: booleanOption(TOKEN_CLASSIFICATION, raw, 'crf', false),
      charCnn: resolveCharCnn(TOKEN_CLASSIFICATION, raw['charCnn']),
      bilstm: resolveBilstm(TOKEN_CLASSIFICATION, raw['bilstm']),
    };
  },

  collectLabels(examples) {
    const tags = new Set<string>();
    for (const e of examples) {
      checkBioTags(e);
      for (const t of e.tags) tags.add(t);
    }
    return [...tags].sort();
  },

  createHead(encoder: EncoderConfig, spec) {
    labelIndex(spec);
    return new TokenClassificationHead(
      encoder,
      spec.labels.length,
      spec.options.classifierDropout ?? encoder.hiddenDropoutProb,
      spec.options.crf,
      spec.options.charCnn,
      spec.options.bilstm,
    );
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
      const cnn = spec.options.charCnn;
      const words = (examples[i] as TaggedExample).tokens;
      const chars = cnn === null ? {} : { wordChars: words.map((w) => wordCharIds(w, cnn.charVocabSize, cnn.maxWordLength)) };
      const base = { exampleIndex: i, inputIds: e.inputIds, tokenTypeIds: e.tokenTypeIds, ...truncationOf(full, e), wordTokens, ...chars };
      const wordLabels = ids[i];
      return wordLabels === undefined ? base : { ...base, labels: alignLabels(e, wordLabels) };
    });
    return { features, truncated };
  },

  collate(_task, features, inputs) {
    if (inputs !== undefined) checkInputsFit(inputs, features);
    const padded = inputs ?? padInputs(features);
    if (features.some((f) => f.labels === undefined)) return { ...padded, features };
    const labels = paddedInt64(features.length, longest(features), IGNORE_INDEX, (i) => (features[i] as Features).labels ?? []); // (B, T)
    return { ...padded, labels, features };
  },

  loss({ spec, head }, logits, batch) {
    if (batch.labels === undefined)
      throw new ConfigError(`task '${spec.name}': the batch has no labels, so no loss; featurize labelled examples`);
    checkLogits(logits, batch, spec);
    const C = spec.labels.length;
    if (!spec.options.crf) return tidy(() => crossEntropy(logits.reshape([-1, C]), (batch.labels as Tensor).reshape([-1]))); // mean over labelled tokens
    const crf = crfOf(head, spec);
    return tidy(() => {
      const { emissions, positions } = wordEmissions(logits, batch.features);
      // A row with a gold tag unknown to the label list (only in evaluation) adds nothing: its path has no score.
      const tags = positions.map((p, i) => {
        const labels = (batch.features[i] as Features).labels ?? [];
        const row = p.map((t) => labels[t] as number);
        return row.includes(IGNORE_INDEX) ? [] : row;
      });
      return crf.negLogLikelihood(emissions, tags); // mean over tagged words
    });
  },

  decode({ spec, head }, logits, batch, examples) {
    checkLogits(logits, batch, spec);
    const words = (f: Features) => exampleOf(examples, f).tokens;
    const ids = spec.options.crf
      ? viterbiIds(crfOf(head, spec), logits, batch)
      : (tidy(() => noGrad(() => argmax(logits, -1).toArray())) as number[][]);
    const probs = tidy(() =>
      noGrad(() =>
        gather(softmax(logits, -1), -1, tensor(ids, { dtype: 'int64', device: logits.device }).unsqueeze(-1))
          .squeeze(-1)
          .toArray(),
      ),
    ) as number[][]; // (B, T): each token's probability of its tag
    return batch.features.map((f, i) => predictRow((t) => ids[i]![t]!, probs[i]!, f, words(f), spec));
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

  /**
   * conlleval's scores overall and per entity type, WNUT-17's surface-form scores (each distinct entity
   * string once), and the confusion matrix of the tags (rows gold).
   */
  report(predictions, gold, spec) {
    const preds = inGoldOrder(predictions, gold.length, `report '${spec.name}'`);
    const goldTags = gold.map((e) => e.tags);
    const predTags = preds.map((p) => p.tags);
    return {
      entities: sequenceLabelingScores(goldTags, predTags),
      surfaceForms: surfaceFormScores(
        goldTags,
        predTags,
        gold.map((e) => e.tokens),
      ),
      tagConfusion: confusionMatrix(goldTags.flat(), predTags.flat()),
    };
  },
};
