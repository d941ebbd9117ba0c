/**
 * Relation classification: the directed relation between two marked entities of a sentence
 * (SemEval-2010 Task 8: `The <e1>kitchen</e1> is the last renovated part of the <e2>house</e2>.` →
 * `Component-Whole(e1,e2)`; the reverse direction is another label, `Component-Whole(e2,e1)`).
 *
 * The examples are texts with the entity markers `<e1> </e1> <e2> </e2>` in them (src/data's
 * entity-markers.ts; SemEval's files write them so, and data with character spans get them inserted
 * when read). The markers are special tokens of the run's vocabulary (`addedTokens`: the run adds
 * them to its tokenizer, and a new encoder embeds them), so each is one token; the head reads the
 * states at the two START markers, concatenated (Baldini Soares et al., ACL 2019, "entity markers —
 * entity start"; ./relation-head.ts), trained with cross-entropy over the directed labels.
 *
 * Evaluation gives the task's official score, the macro-averaged F1 of the (9+1)-way evaluation
 * with direction taken into account (src/metrics/relation.ts), as `macroF1` (the main metric), its
 * micro average, and the exact label accuracy; `mtl eval --report` adds the per-label report and the
 * scorer's confusion matrix of relation types with the wrong-direction counts.
 */
import { ConfigError, DataError, ShapeError } from '../errors.js';
import { entityMarkerProblem, ENTITY_MARKERS, formatPosition, unmarkEntities, type TextExample } from '../data/index.js';
import { classificationReport, semevalScores } from '../metrics/index.js';
import { crossEntropy, noGrad, softmax, tensor, tidy, type Tensor } from '../tensor/index.js';
import { IGNORE_INDEX, type Tokenizer } from '../tokenization/index.js';
import { checkInputsFit, encodeInputs, exampleOf, inGoldOrder, labelIndex, padInputs, truncateEncoding, truncationOf } from './features.js';
import { OptionError, probabilityOption, rejectUnknownOptions, stringOption } from './options.js';
import { topLabels } from './top-k.js';
import { RelationClassificationHead, relationLogits } from './relation-head.js';
import type { JsonObject } from '../io/checkpoint-state.js';
import type { Batch, BatchInputs, FeaturizeOptions, Features, FeaturizeResult, Metrics, TaskSpec, TaskType } from './types.js';
import { labelNeed } from './types.js';

export const RELATION_CLASSIFICATION = 'relation-classification';

export interface RelationClassificationOptions {
  /** The label of "no relation of the inventory", left out of the official averages. Default 'Other'. */
  readonly otherLabel: string;
  /** Dropout before the classifier; null (default) takes the encoder's hiddenDropoutProb, as Hugging Face. */
  readonly classifierDropout: number | null;
}

const OPTION_KEYS = ['otherLabel', 'classifierDropout'];

/** A relation example's features: the token index of each entity's start marker besides the inputs. */
export interface RelationFeatures extends Features {
  /** [entity 1's, entity 2's] start marker token index; 0 ([CLS]) for a marker cut off by max_length or missing (see `problem`). */
  readonly entityStarts: readonly [number, number];
  /** Why the example cannot be classified (its markers are malformed, or cut off); absent when it can. */
  readonly problem?: string;
}

/** The predicted relation of one example. */
export interface RelationPrediction {
  readonly exampleIndex: number;
  /** The predicted label; `otherLabel` for an example with a `problem` (the scorer counts skipped examples as Other). */
  readonly label: string;
  readonly probability: number;
  /** (C) the probability of every label, in label-list order. */
  readonly scores: readonly number[];
  readonly problem?: string;
}

type Spec = TaskSpec<RelationClassificationOptions>;

/** The marker token ids of `tokenizer`; ConfigError when it lacks one. */
function markerIds(tokenizer: Tokenizer): [number, number] {
  const ids = ENTITY_MARKERS.map((m) => tokenizer.tokenToId(m));
  const missing = ENTITY_MARKERS.filter((_, i) => ids[i] === null);
  if (missing.length > 0)
    throw new ConfigError(
      `relation classification: the tokenizer has no ${missing.join(' ')} token; a run adds the markers itself, ` +
        `otherwise add them with tokenizer.addSpecialTokens(['${ENTITY_MARKERS.join("', '")}'])`,
    );
  return [ids[0]!, ids[2]!];
}

/** The label id of an example (IGNORE_INDEX for an unknown label outside training), undefined without a label. */
function labelIdOf(e: TextExample, spec: Spec, index: Map<string, number>, training: boolean, need: string): number | undefined {
  if (e.label === undefined || e.label === '') {
    if (training) throw new DataError(`${formatPosition(e.source)}: example '${e.id}' of task '${spec.name}' has no label; ${need}`);
    return undefined;
  }
  const id = index.get(e.label);
  if (id !== undefined) return id;
  if (training)
    throw new DataError(
      `${formatPosition(e.source)}: label '${e.label}' of task '${spec.name}' is not in its label list (${spec.labels.length} labels); ` +
        'add it to the task labels or fix the data',
    );
  return IGNORE_INDEX;
}

function checkScores(scores: Tensor, B: number, spec: Spec): void {
  const s = scores.shape;
  if (s.length !== 4 || s[0] !== B || s[2] !== 2 || s[3] !== spec.labels.length)
    throw new ShapeError(
      `task '${spec.name}': the head's scores must be (B, T, 2, C) = [${B}, T, 2, ${spec.labels.length}], got [${s.join(', ')}]`,
    );
}

const startsOf = (batch: Batch): [number, number][] =>
  batch.features.map((f) => [...(f as RelationFeatures).entityStarts] as [number, number]);

export const relationClassification: TaskType<TextExample, RelationPrediction, RelationClassificationOptions> = {
  kind: RELATION_CLASSIFICATION,
  inputs: ['text'],
  sharesEncoderPass: true,
  formats: ['semeval2010', 'jsonl', 'csv', 'tsv'],
  readsLabel: true,
  labelSpace: 'classes',
  configKeys: ['data.train_per_class'],
  mainMetric: { name: 'macroF1', greaterIsBetter: true },

  /**
   * `{ label, score, e1, e2 }` (score: the label's softmax probability; the entities as marked; with
   * `topK`, also `top_k`, the k most probable relations), or `{ error }` for a text without well-formed markers.
   */
  present(p, spec, context): JsonObject {
    if (p.problem !== undefined) return { error: p.problem };
    const { text, e1, e2 } = unmarkEntities(context.text);
    const top: JsonObject = context.topK === undefined ? {} : { top_k: topLabels(p.scores, spec.labels, context.topK) };
    return { label: p.label, score: p.probability, e1: text.slice(e1.start, e1.end), e2: text.slice(e2.start, e2.end), ...top };
  },

  /** Transformers has no class for an entity-start relation head; the encoder (with the marker tokens) exports alone. */
  exportHf() {
    return {
      refused:
        'Transformers has no class for a relation head over the two entity start markers (Baldini Soares et al. 2019); ' +
        'export the encoder alone (no --task) and its tokenizer, which holds the markers',
    };
  },

  addedTokens() {
    return ENTITY_MARKERS;
  },

  resolveOptions(raw = {}) {
    const where = RELATION_CLASSIFICATION;
    rejectUnknownOptions(where, raw, OPTION_KEYS);
    const otherLabel = stringOption(where, raw, 'otherLabel', 'Other');
    if (/\(e[12],e[12]\)$/.test(otherLabel)) throw new OptionError(where, 'otherLabel', `must be an undirected label, got '${otherLabel}'`);
    return { otherLabel, classifierDropout: probabilityOption(where, raw, 'classifierDropout', null, true) };
  },

  classOf: (e) => e.label,

  collectLabels(examples) {
    return [...new Set(examples.map((e) => e.label).filter((l): l is string => l !== undefined && l !== ''))].sort();
  },

  createHead(encoder, spec) {
    labelIndex(spec);
    return new RelationClassificationHead(encoder, spec.labels.length, spec.options.classifierDropout ?? encoder.hiddenDropoutProb);
  },

  /**
   * `[CLS] … <e1> … </e1> … <e2> … </e2> … [SEP]` with the start markers' token indices. A text
   * without well-formed markers is a DataError naming file:line when `training`, else a feature whose
   * prediction reports the problem (`mtl predict` on a plain sentence); so is a start marker cut off by `maxLength`.
   */
  async featurize(examples, tokenizer: Tokenizer, spec, options: FeaturizeOptions): Promise<FeaturizeResult> {
    const index = labelIndex(spec);
    const training = options.training ?? true;
    const [e1Id, e2Id] = markerIds(tokenizer);
    const problems = examples.map((e) => {
      const problem = entityMarkerProblem(e.text);
      if (problem !== undefined && training)
        throw new DataError(`${formatPosition(e.source)}: example '${e.id}' of task '${spec.name}': ${problem}`);
      return problem;
    });
    const ids = examples.map((e) => labelIdOf(e, spec, index, training, labelNeed(options)));
    const encodings = await encodeInputs(examples, tokenizer);
    let truncated = 0;
    const features = encodings.map((full, i): RelationFeatures => {
      const e = truncateEncoding(full, options.maxLength);
      if (e.truncated) truncated++;
      const starts: [number, number] = [e.inputIds.indexOf(e1Id), e.inputIds.indexOf(e2Id)];
      const cut =
        problems[i] === undefined && starts.some((t) => t < 0)
          ? `an entity start marker lies beyond max_length (${options.maxLength} tokens)`
          : undefined;
      const problem = problems[i] ?? cut;
      const labels = ids[i];
      const base = {
        exampleIndex: i,
        inputIds: e.inputIds,
        tokenTypeIds: e.tokenTypeIds,
        ...truncationOf(full, e),
        entityStarts: starts.map((t) => Math.max(t, 0)) as [number, number],
        ...(problem === undefined ? {} : { problem }),
      };
      return labels === undefined ? base : { ...base, labels: [labels] };
    });
    return { features, truncated };
  },

  collate(_task, features, inputs?: BatchInputs): Batch {
    if (inputs !== undefined) checkInputsFit(inputs, features);
    const padded = inputs ?? padInputs(features);
    if (features.some((f) => f.labels === undefined)) return { ...padded, features };
    // examples whose start marker was cut off are not learned from
    const labels = tensor(
      BigInt64Array.from(features, (f) => BigInt((f as RelationFeatures).problem === undefined ? f.labels![0]! : IGNORE_INDEX)),
    ); // (B) int64
    return { ...padded, labels, features };
  },

  /** Cross-entropy of the logits at the entity start markers (B, C) against the labels (B). */
  loss({ spec }, scores, batch) {
    if (batch.labels === undefined)
      throw new ConfigError(`task '${spec.name}': the batch has no labels, so no loss; featurize labelled examples`);
    checkScores(scores, batch.features.length, spec);
    return tidy(() => crossEntropy(relationLogits(scores, startsOf(batch)), batch.labels!));
  },

  decode({ spec }, scores, batch, examples) {
    checkScores(scores, batch.features.length, spec);
    const probs = tidy(() => noGrad(() => softmax(relationLogits(scores, startsOf(batch)), -1).toArray())) as number[][];
    const other = spec.options.otherLabel;
    return batch.features.map((f, i) => {
      exampleOf(examples, f);
      const row = probs[i] as number[];
      const best = row.reduce((b, p, c) => (p > (row[b] as number) ? c : b), 0);
      const problem = (f as RelationFeatures).problem;
      if (problem !== undefined) return { exampleIndex: f.exampleIndex, label: other, probability: 0, scores: row, problem };
      return { exampleIndex: f.exampleIndex, label: spec.labels[best] as string, probability: row[best] as number, scores: row };
    });
  },

  /** The official (9+1)-way macro F1 with direction (`macroF1`), its macro precision and recall, the micro F1, and exact accuracy. */
  evaluate(predictions, gold, spec): Metrics {
    const s = scored(predictions, gold, spec, 'evaluate');
    return { macroF1: s.macroF1, macroPrecision: s.macroPrecision, macroRecall: s.macroRecall, microF1: s.microF1, accuracy: s.accuracy };
  },

  /** The per-label report over the directed labels, the per-relation scores and the scorer's confusion matrix of relation types. */
  report(predictions, gold, spec) {
    const s = scored(predictions, gold, spec, 'report');
    const preds = inGoldOrder(predictions, gold.length, `report '${spec.name}'`);
    return {
      report: classificationReport(
        goldLabelsOf(gold),
        preds.map((p) => p.label),
        { labels: spec.labels },
      ),
      official: { macroF1: s.macroF1, macroPrecision: s.macroPrecision, macroRecall: s.macroRecall, microF1: s.microF1 },
      perRelation: s.perRelation,
      confusion: s.confusion,
    };
  },
};

function scored(predictions: readonly RelationPrediction[], gold: readonly TextExample[], spec: Spec, where: string) {
  const preds = inGoldOrder(predictions, gold.length, `${where} '${spec.name}'`);
  return semevalScores(
    goldLabelsOf(gold),
    preds.map((p) => p.label),
    { other: spec.options.otherLabel },
  );
}

/** The gold label of every example; DataError naming file:line for one without. */
function goldLabelsOf(gold: readonly TextExample[]): string[] {
  return gold.map((e) => {
    if (e.label === undefined || e.label === '')
      throw new DataError(`${formatPosition(e.source)}: example '${e.id}' has no gold label to evaluate against`);
    return e.label;
  });
}
