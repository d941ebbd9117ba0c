/**
 * Prediction with a checkpoint folder: every task of the model on new texts. Classification gives
 * the label and its probability (the labels and theirs for multi-label tasks); tagging gives the BIO
 * tag of each word and the typed spans, with offsets into the text as given (JavaScript string
 * indices, UTF-16 code units: `text.slice(start, end)`; an emoji outside the BMP counts 2).
 *
 * Tasks trained on pre-split words (SNIPS, ATIS, CoNLL) get the text split into words at whitespace,
 * with punctuation at a word's ends split off (the data sets write "boston ." not "boston.") and
 * tagged O; an input that comes split into words (`splitIntoWords`, `--split-into-words`, or JSON's
 * `"words": […]`) is read as the data readers read a line, so predictions over a test split reproduce
 * `mtl eval`'s. What max_length cut off is never labelled: each task's prediction then carries
 * `unread` (./reading.ts). Tasks that read the same input share one encoder pass; a windowed task
 * (extractive QA) reads every window of a long context, as evaluation does. A masked-LM task gives, for
 * each `[MASK]` written in a text, the most probable tokens.
 */
import { ConfigError, DataError } from '../errors.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { collateJoint, type Features, type Task } from '../tasks/index.js';
import type { JsonObject } from '../io/checkpoint-state.js';
import { dispose, inferenceMode, tidy } from '../tensor/index.js';
import type { Tokenizer } from '../tokenization/index.js';
import { fillMask, type MaskFill } from './fill-mask.js';
import { loadModelFolder, predictsTexts, type PredictTask } from './model-folder.js';
import { readingOf, unreadOf, type InputReading, type PredictInput } from './reading.js';
import { explainPredictions } from './explanations.js';
import type { ExplainOptions } from '../explain/options.js';

export { cutToWords, type PredictInput, type Unread, type UnreadPart } from './reading.js';
export { splitWords } from '../tasks/index.js';

/** A typed span: UTF-16 code units `start` ≤ i < `end` of the input text (`text.slice(start, end)`), which `text` equals. */
export interface PredictedSpan {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * One task's answer for one input: what its type presents (`{ label, probability }`, `{ labels,
 * probabilities }`, `{ tags, words, spans }`, …), the [MASK] fillers of a vocabulary task, or an error.
 */
export type TaskPrediction = JsonObject | { readonly masks: readonly (readonly MaskFill[])[] } | { readonly error: string };

/** How `Predictor.predict` answers. */
export interface PredictOptions {
  /** Inputs per encoder pass (default 64). */
  readonly batchSize?: number;
  /** List the k most probable labels of each classification under `top_k` (Hugging Face pipelines' `top_k`); default none. */
  readonly topK?: number;
  /**
   * Explain each prediction (`explanation`: integrated gradients and attention rollout per token and
   * word, src/explain) with these options (`resolveExplainOptions`); default none. An input's own `explain` wins.
   */
  readonly explain?: ExplainOptions;
}

export interface PredictionRecord {
  readonly text: string;
  readonly textPair?: string;
  /** task name → its prediction. */
  readonly predictions: Record<string, TaskPrediction>;
}

export class Predictor implements Disposable {
  readonly #model: MultiTaskModel;
  readonly #tokenizer: Tokenizer;
  readonly #tasks: readonly PredictTask[];
  readonly #maxLength: number;

  private constructor(model: MultiTaskModel, tokenizer: Tokenizer, tasks: readonly PredictTask[], maxLength: number) {
    this.#model = model;
    this.#tokenizer = tokenizer;
    this.#tasks = tasks;
    this.#maxLength = maxLength;
  }

  /**
   * Loads a model folder for prediction: a checkpoint of ours (`best/` or `last/` of a run), or a
   * Hugging Face Transformers task model (`<Family>ForSequenceClassification`, `…ForTokenClassification`,
   * `…ForQuestionAnswering`: `mtl export --task`'s output, or a folder from the Hub) as one task named
   * after its pipeline (text-classification, token-classification, question-answering): ./model-folder.ts.
   * @throws CheckpointError for a missing or inconsistent checkpoint, one whose tasks make no
   *   prediction per text (link prediction only), or a Transformers folder of another class.
   */
  static load(dir: string): Predictor {
    const { model, tokenizer, tasks, maxLength } = loadModelFolder(dir);
    return new Predictor(model, tokenizer, tasks, maxLength);
  }

  /** The model's max_length: tokens the encoder reads of one text (one window of a pair) at most. */
  get maxLength(): number {
    return this.#maxLength;
  }

  /** The names of the tasks `predict` answers (those whose type presents predictions or fills [MASK]s), in the checkpoint's order. */
  get taskNames(): string[] {
    return this.#tasks.filter((t) => predictsTexts(t.type)).map((t) => t.spec.name);
  }

  /**
   * Every task's prediction for each input, in input order; batches of `options.batchSize` inputs
   * (default 64) share encoder passes.
   * @throws ConfigError for a `topK` (the options' or an input's) that is not an integer ≥ 1.
   */
  async predict(inputs: readonly (string | PredictInput)[], options: PredictOptions = {}): Promise<PredictionRecord[]> {
    const batchSize = options.batchSize ?? 64;
    const items = inputs.map((x): PredictInput => {
      const input = typeof x === 'string' ? { text: x } : x;
      const topK = input.topK ?? options.topK; // an input's own (serve's per-request top_k) over the call's
      if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) throw new ConfigError(`top_k must be an integer ≥ 1, got ${topK}`);
      const explain = input.explain ?? options.explain;
      return { ...input, ...(topK === undefined ? {} : { topK }), ...(explain === undefined ? {} : { explain }) };
    });
    const records = items.map((x) => ({ ...x, predictions: {} as Record<string, TaskPrediction> }));
    for (const kind of ['words', 'text', 'pair', 'messages'] as const) {
      const group = this.#tasks.filter((t) => t.input === kind && t.type.present !== undefined);
      if (group.length === 0) continue;
      const rows = items.map((_, i) => i).filter((i) => kind !== 'pair' || items[i]!.textPair !== undefined);
      if (kind === 'pair') {
        for (const i of items.keys()) {
          if (items[i]!.textPair === undefined)
            for (const t of group) records[i]!.predictions[t.spec.name] = { error: 'this task reads a pair of texts; give text_pair' };
        }
      }
      for (let b = 0; b < rows.length; b += batchSize)
        await this.#predictBatch(group, rows.slice(b, b + batchSize), items, records, batchSize);
    }
    // Tasks over the vocabulary (masked-LM) fill the [MASK]s a text holds; tasks that present nothing
    // (link prediction: entity pairs, not texts) are not run here.
    for (const t of this.#tasks.filter((x) => x.type.present === undefined && x.type.labelSpace === 'vocabulary')) {
      for (let b = 0; b < items.length; b += batchSize) {
        const texts = items.slice(b, b + batchSize).map((x) => x.text);
        const fills = await fillMask(this.#model, this.#tokenizer, t.spec.name, texts, { maxLength: this.#maxLength });
        fills.forEach((masks, i) => {
          if (masks.length > 0) records[b + i]!.predictions[t.spec.name] = { masks };
        });
      }
    }
    return records.map((r) => ({
      text: r.text,
      ...(r.textPair === undefined ? {} : { textPair: r.textPair }),
      predictions: this.#ordered(r.predictions),
    }));
  }

  #ordered(p: Record<string, TaskPrediction>): Record<string, TaskPrediction> {
    return Object.fromEntries(this.#tasks.filter((t) => p[t.spec.name] !== undefined).map((t) => [t.spec.name, p[t.spec.name]!]));
  }

  /**
   * The predictions of a kind's `group` of tasks for the inputs `rows`: tasks that share the encoder
   * pass run in one; a task with its own (extractive QA's windows: several features per input) runs
   * alone over all its features, `batchSize` features per pass, as evaluation runs it.
   */
  async #predictBatch(
    group: readonly PredictTask[],
    rows: readonly number[],
    items: readonly PredictInput[],
    records: { predictions: Record<string, TaskPrediction> }[],
    batchSize: number,
  ) {
    const kind = group[0]!.input;
    const readings = rows.map((i, k) => readingOf(items[i]!, kind, k, this.#maxLength));
    const examples = readings.map((r) => r.example);
    const shared = group.filter((t) => t.type.sharesEncoderPass);
    const passes = [...(shared.length > 0 ? [shared] : []), ...group.filter((t) => !t.type.sharesEncoderPass).map((t) => [t])];
    for (const pass of passes) {
      const tasks = await Promise.all(
        pass.map(async (t) => {
          const options = { maxLength: this.#maxLength, training: false };
          return {
            spec: t.spec,
            type: t.type,
            state: t.state,
            features: (await t.type.featurize(examples, this.#tokenizer, t.spec, options)).features,
          };
        }),
      );
      const made = pass.map(() => [] as { exampleIndex: number }[]);
      const count = tasks[0]!.features.length;
      const generating = pass.length === 1 && pass[0]!.type.generate !== undefined ? pass[0]! : undefined;
      for (let b = 0; b < count; b += batchSize) {
        const featureRows = Array.from({ length: Math.min(batchSize, count - b) }, (_, k) => b + k);
        if (generating !== undefined) {
          // a task whose outputs are generated text (seq2seq) decodes step by step instead of one forward pass
          made[0]!.push(
            ...(await this.#generated(
              generating,
              featureRows.map((r) => tasks[0]!.features[r]!),
              examples,
            )),
          );
          continue;
        }
        // inference mode: no autograd bookkeeping at all; what is made here is only read back
        const predictions = inferenceMode(() =>
          tidy(() => {
            const joint = collateJoint(tasks, featureRows);
            const logits = this.#model.forward(
              joint.inputs,
              pass.map((t) => t.spec.name),
            );
            return pass.map((t) => t.type.decode(t, logits.get(t.spec.name)!, joint.batches.get(t.spec.name)!, examples));
          }),
        );
        predictions.forEach((p, g) => made[g]!.push(...(p as { exampleIndex: number }[])));
      }
      for (const [g, t] of pass.entries()) {
        const predictions = t.type.mergePredictions?.(made[g]!, t.spec) ?? made[g]!;
        const byExample = featuresByExample(tasks[g]!.features);
        const context = { model: this.#model, tokenizer: this.#tokenizer, maxLength: this.#maxLength };
        const explanations = await explainPredictions(context, t, predictions, byExample, { rows, readings, items });
        this.#present(t, predictions, byExample, { rows, readings, items, records }, explanations);
      }
    }
  }

  /** Each prediction as its type presents it, with what the model did not read of the input: the one place a task's answer is shaped. */
  #present(
    t: PredictTask,
    predictions: readonly { exampleIndex: number }[],
    byExample: ReadonlyMap<number, readonly Features[]>,
    batch: {
      rows: readonly number[];
      readings: readonly InputReading[];
      items: readonly PredictInput[];
      records: { predictions: Record<string, TaskPrediction> }[];
    },
    explanations: ReadonlyMap<number, JsonObject>,
  ) {
    const { rows, readings, items, records } = batch;
    for (const p of predictions) {
      const k = p.exampleIndex;
      const input = items[rows[k]!]!;
      const context = { ...input, words: readings[k]!.words }; // with the input's topK, its default applied by predict
      const presented = t.type.present!(p, t.spec, context);
      const unread = unreadOf(input, t.input, readings[k]!, byExample.get(k) ?? []);
      const explanation = explanations.get(k);
      records[rows[k]!]!.predictions[t.spec.name] = {
        ...presented,
        ...(unread === undefined ? {} : { unread }),
        ...(explanation === undefined ? {} : { explanation }),
      };
    }
  }

  /** The generated predictions of a task whose type generates (seq2seq), on `examples`' features. */
  async #generated(task: Task, features: readonly Features[], examples: readonly unknown[]): Promise<{ exampleIndex: number }[]> {
    const batch = task.type.collate(task, features);
    try {
      return await task.type.generate!({ task, backbone: this.#model.backbone, tokenizer: this.#tokenizer, batch, examples });
    } finally {
      dispose(batch);
    }
  }

  dispose(): void {
    this.#model.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** The features of each example, by example index (several for a windowed task). */
function featuresByExample(features: readonly Features[]): Map<number, Features[]> {
  const byExample = new Map<number, Features[]>();
  for (const f of features) {
    const own = byExample.get(f.exampleIndex);
    if (own === undefined) byExample.set(f.exampleIndex, [f]);
    else own.push(f);
  }
  return byExample;
}

/** Predictions for `inputs` with the checkpoint at `dir` (loads it, predicts, frees it). */
export async function predict(dir: string, inputs: readonly (string | PredictInput)[]): Promise<PredictionRecord[]> {
  if (inputs.length === 0) throw new DataError('predict: no inputs; give at least one text');
  using predictor = Predictor.load(dir);
  return await predictor.predict(inputs); // awaited: \`using\` frees the model when this function returns
}
