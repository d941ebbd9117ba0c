/**
 * The task-type contract (DESIGN.md, "The task-type contract"): a task type is the unit of
 * extension. It builds its head, turns examples into features (plain arrays, cacheable and
 * bucketable), collates features into padded tensors, computes its loss, decodes logits back into
 * labels or spans, and evaluates predictions with src/metrics. Adding one touches one file here.
 */
import { ConfigError } from '../errors.js';
import type { GenerateOptions } from '../generate/index.js';
import type { Backbone, BackboneConfig, BackboneKind, ModelOutput } from '../models/backbone.js';
import { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/index.js';
import type { ChatMessage, Tokenizer } from '../tokenization/index.js';
import type { InputKind } from '../data/task-reading.js';
import type { Split } from '../data/index.js';
import type { JsonObject } from '../io/checkpoint-state.js';
import type { TaskConfig } from '../io/config/index.js';

/** What a head needs to know of the backbone it sits on (a slice of the Backbone contract's config). */
export type EncoderConfig = Pick<BackboneConfig, 'hiddenSize' | 'hiddenDropoutProb' | 'initializerRange'>;

/** The backbone's output that every head reads (`ModelOutput`), with the batch's attention mask. */
export interface EncoderOutputs extends ModelOutput {
  /** (B, T) the batch's attention mask (1 = real token), for heads that pool over tokens; absent = all 1. */
  readonly attentionMask?: Tensor;
  /** (B, T, L) the batch's word characters (BatchInputs.wordCharIds), for heads that read them; absent when no task asked for them. */
  readonly wordCharIds?: Tensor;
  /**
   * (B, T) the batch's masked labels (BatchInputs.maskedLabels: -100 where nothing was masked), for a
   * head that predicts only at the masked positions (masked-LM while training and evaluating); absent
   * for every other batch (a head then predicts at every position).
   */
  readonly maskedLabels?: Tensor;
}

/** What a head may tie its weights to: the backbone's input embeddings (V, H) (`Backbone.inputEmbeddings`), or a decoder's own LM head weight (`Backbone.outputEmbeddings`). */
export type TieableEncoder = Pick<Backbone, 'inputEmbeddings' | 'outputEmbeddings'>;

/** A task's head: the layers between the shared backbone and the task's logits. */
export abstract class TaskHead extends Module {
  /** Encoder outputs → logits, whose shape the task type defines ((B, C), (B, T, C), …). */
  abstract forward(encoded: EncoderOutputs): Tensor;

  /**
   * Ties the head's weights to the encoder it sits on (the masked-LM decoder to the word embeddings);
   * the model calls it once when the head joins it. Most heads tie nothing.
   */
  tieTo(_encoder: TieableEncoder): void {}

  /**
   * False for a head that reads the batch's input ids itself instead of the encoder's states (free
   * entity embeddings of link prediction): the model runs no encoder pass for it and calls
   * `forwardInputs` instead of `forward`.
   */
  get readsEncoder(): boolean {
    return true;
  }

  /** Batch inputs → logits, for a head with `readsEncoder` false; the others never get this call. */
  forwardInputs(_inputs: HeadInputs): Tensor {
    throw new ConfigError(`${this.constructor.name} reads the encoder's output; call forward`);
  }

  /**
   * S, the size of the per-token states of the head's own sequence layer (a token-classification
   * BiLSTM: twice its hidden size), which another task's head may read in place of the encoder's
   * (`TaskType.statesOf`); undefined for a head without one (most heads).
   */
  get sequenceStateSize(): number | undefined {
    return undefined;
  }

  /**
   * The states of the head's sequence layer, (B, T, S) float32, zero at padding; with
   * `forwardStates`, `forward(e)` = `forwardStates(sequenceStates(e), e)`. Only for a head with a
   * `sequenceStateSize`.
   */
  sequenceStates(_encoded: EncoderOutputs): Tensor {
    throw new ConfigError(`${this.constructor.name} has no sequence layer whose states another head could read`);
  }

  /** Logits from `sequenceStates(encoded)`'s result (computed once when another head reads them too). */
  forwardStates(_states: Tensor, _encoded: EncoderOutputs): Tensor {
    throw new ConfigError(`${this.constructor.name} has no sequence layer whose states another head could read`);
  }
}

/**
 * One task of a run: plain data, saved as is in `tasks.json`.
 * @typeParam O the task type's options, complete (see `TaskType.resolveOptions`).
 */
export interface TaskSpec<O = unknown> {
  /** Unique name; the head's parameters are saved under `heads.<name>.…`. No '.' in it. */
  readonly name: string;
  /** The task type's `kind` ("sequence-classification", "token-classification", …). */
  readonly kind: string;
  /** Label of each id: `labels[id]`; ids are positions in this list (C = labels.length). */
  readonly labels: readonly string[];
  readonly options: O;
}

/**
 * One example made ready for the model: plain arrays only (no tensors), so features can be cached,
 * measured and bucketed by length before any tensor exists.
 */
export interface Features {
  /** Position of the example in the array given to `featurize` (the link back to text and gold labels). */
  readonly exampleIndex: number;
  /** (T) vocabulary ids, special tokens included. */
  readonly inputIds: readonly number[];
  /** (T) segment ids: 0 for `[CLS] a [SEP]`, 1 for `b [SEP]` of a pair. Absent: all 0 (one text, or a family without segments). */
  readonly tokenTypeIds?: readonly number[];
  /** True when tokens were cut to fit `maxLength`. */
  readonly truncated: boolean;
  /**
   * When `truncated`: how far each text of the input was read (one entry, or two for a pair): the end,
   * in UTF-16 units of that text (of `words.join(' ')` for pre-split words), of its last token kept;
   * null for a text that lost no token. `mtl predict` reports the rest as unread. Absent: nothing cut,
   * or not known.
   */
  readonly readChars?: readonly (number | null)[];
  /**
   * Label ids, kind-specific: `[id]` for one class, the ids of a label set for multi-label, (T) one
   * per token (-100 where ignored) for token labels; for a 'scalar' label space the targets
   * themselves (`[score]`, any real number). Absent for an unlabelled example.
   */
  readonly labels?: readonly number[];
  /** (words) token index of the first sub-word of each word, -1 for a word with no token (word-level tasks only). */
  readonly wordTokens?: readonly number[];
  /**
   * (words) the character ids of each word (`wordCharIds` in ./word-chars.ts), aligned with
   * `wordTokens`: a task whose head reads characters (token classification with `char_cnn`) sets them.
   */
  readonly wordChars?: readonly (readonly number[])[];
}

/** Options of `featurize`. */
export interface FeaturizeOptions {
  /** Most tokens per feature (special tokens included); longer inputs are cut and flagged `truncated`. */
  readonly maxLength: number;
  /**
   * `true` (default): every example needs a label the label list knows, else a DataError naming
   * `file:line`. `false` (evaluation, prediction): unlabelled examples give features without labels,
   * and a gold label unknown to the label list gets the ignored id -100, so the loss skips it while
   * `evaluate`, which compares label strings, counts it as an error.
   */
  readonly training?: boolean;
  /** The split the examples are of, for messages ("the dev example at dev.tsv:3 …"); absent: 'train' when `training`, else unnamed. */
  readonly split?: Split;
}

/** Why an example without a label stops `featurize` ('training needs one', 'every dev example needs one to be scored'), for messages. */
export function labelNeed(options: FeaturizeOptions): string {
  const split = splitWord(options);
  return split === 'training' || split === '' ? 'training needs one' : `every ${split} example needs one to be scored`;
}

/** How a message names the examples `featurize` was given: 'training', 'dev', 'test', or '' (prediction, unnamed). */
export function splitWord(options: FeaturizeOptions): string {
  const split = options.split ?? (options.training === false ? undefined : 'train');
  return split === undefined ? '' : split === 'train' ? 'training' : split;
}

/** What `featurize` made, and what it had to cut. */
export interface FeaturizeResult {
  /** One per example, in the order given. */
  readonly features: Features[];
  /** Number of examples cut to `maxLength`. */
  readonly truncated: number;
  /** Number of examples whose target was cut to the task's own limit (a seq2seq task's `max_target_length`); absent: none. */
  readonly truncatedTargets?: number;
  /**
   * Inputs that evaluating the split encodes besides the examples' own, for `evaluateAll` (link
   * prediction with encoded entities: every entity's description, in entity-id order). Usually absent.
   */
  readonly evalInputs?: readonly Features[];
}

/** The padded input tensors of a batch (every tensor (B, T) int64; T = the longest feature). */
export interface BatchInputs {
  readonly inputIds: Tensor;
  /** 1 = real token, 0 = padding. */
  readonly attentionMask: Tensor;
  /** Segment ids; absent when every one is 0 (the backbone then takes 0 everywhere, or has no segments). */
  readonly tokenTypeIds?: Tensor;
  /**
   * (B, U) int64 target ids (-100 on padding) of a text-to-text task on an encoder-decoder backbone:
   * the decoder reads them shifted right (teacher forcing), so the backbone's `lastHiddenState` is the
   * decoder's (see src/models/encoder-decoder.ts). Absent for every other task.
   */
  readonly decoderLabels?: Tensor;
  /**
   * (B, T, L) int64 character ids of each word at its first sub-word's position, 0 elsewhere and as
   * padding (./word-chars.ts): present when a task of the batch reads characters (`char_cnn`).
   */
  readonly wordCharIds?: Tensor;
  /**
   * (B, T) int64 of a task whose head reads what its `collate` masked: the original id at each masked
   * position, -100 elsewhere. Replaced-token detection's head corrupts the input with them; masked-LM's
   * computes its logits at those positions only. Absent for every other task.
   */
  readonly maskedLabels?: Tensor;
}

/** What a head that does not read the shared encoder's states gets (`TaskHead.forwardInputs`): the batch's inputs. */
export type HeadInputs = Pick<BatchInputs, 'inputIds' | 'maskedLabels'> & Partial<Pick<BatchInputs, 'attentionMask' | 'tokenTypeIds'>>;

/** A collated batch: inputs, the task's labels as a tensor, and the features it came from (for decoding). */
export interface Batch extends BatchInputs {
  /** Kind-specific labels tensor; absent when any feature has no labels. */
  readonly labels?: Tensor;
  /** (B) the features, in row order. */
  readonly features: readonly Features[];
}

/** Metric values by name (fractions in [0, 1] unless a name says otherwise: see `NON_FRACTION_METRICS`). */
export type Metrics = Record<string, number>;

/**
 * Metric names whose values are not fractions: masked-LM perplexity and masked-token count, link
 * prediction's candidate and query counts, regression's mean squared and mean absolute error, extractive
 * QA's numbers of answerable and unanswerable questions, causal-LM's target-token count.
 */
export const NON_FRACTION_METRICS: ReadonlySet<string> = new Set([
  'perplexity',
  'maskedTokens',
  'candidates',
  'rankedQueries',
  'mse',
  'mae',
  'answerable',
  'unanswerable',
  'targetTokens',
]);

/** The metric that early stopping and model selection watch. */
export interface MainMetric {
  readonly name: string;
  readonly greaterIsBetter: boolean;
}

/**
 * One task of a model, as ONE object: its type, its spec, its head (the model's module for it) and its
 * own mutable state (masked-LM's masking generator; made by the type's `createState`). Loss and
 * decoding read the head and the state from it; nothing is kept beside it.
 * @typeParam O the type's options; `S` its state.
 */
export interface Task<O = unknown, S = unknown> {
  readonly type: TaskType<unknown, { readonly exampleIndex: number }, unknown, unknown>;
  readonly spec: TaskSpec<O>;
  readonly head: TaskHead;
  readonly state: S;
}

/** What `collate` reads of a task: its spec and state (batches are made before the model runs, so no head). */
export type CollatingTask<O = unknown, S = unknown> = Pick<Task<O, S>, 'spec' | 'state'>;

/** What `TaskType.evaluateAll` gets: one split's data and the model, in evaluation mode, under `inferenceMode`. */
export interface EvaluationContext<E, O, S = unknown> {
  /** The task (its head is the model's). */
  readonly task: Task<O, S>;
  /** Runs the model (shared encoder, then the task's head) on padded inputs (n, T) → the head's output. */
  readonly forward: (inputs: BatchInputs) => Tensor;
  /** The split's examples (the array given to `featurize`). */
  readonly examples: readonly E[];
  /** `featurize`'s `evalInputs` for the split; empty when it made none. */
  readonly evalInputs: readonly Features[];
}

/** What `TaskType.generate` gets: a batch of sources and what decoding them needs. */
export interface GenerationContext<E, O, S = unknown> {
  /** The task (its head is the model's). */
  readonly task: Task<O, S>;
  /** The model's shared backbone, in evaluation mode. */
  readonly backbone: Backbone;
  /** The run's tokenizer: generated ids become text with it. */
  readonly tokenizer: Tokenizer;
  /** The collated batch (its inputs are the sources; labels may be absent). */
  readonly batch: Batch;
  /** The array given to `featurize`. */
  readonly examples: readonly E[];
}

/**
 * What a task's labels are: 'classes', ids into `TaskSpec.labels`; 'vocabulary', the tokenizer's
 * vocabulary (a prediction fills [MASK]s with tokens); 'scalar', a number per example; 'none', no labels.
 */
export type LabelSpace = 'classes' | 'vocabulary' | 'scalar' | 'none';

/** Keys of a config's task section, beyond the common ones, that only some task types take. */
export type TaskConfigKey = 'crf' | 'char_cnn' | 'bilstm' | 'states_of' | 'label.multi_label' | 'data.relations' | 'data.train_per_class';

/** A word of a text to predict on and where it is: `text.slice(start, end) === word`. */
export interface InputWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

/** What `present` may read besides the prediction: the input as given, and its words (for 'words' tasks). */
export interface PresentContext {
  readonly text: string;
  readonly textPair?: string;
  /** The words of `text` the task's example was made of (`splitWords`, or the input's own words), with their offsets in `text`. */
  readonly words: readonly InputWord[];
  /** How many of the most probable labels a classification lists under `top_k` (`topLabels`); absent: no list. */
  readonly topK?: number;
  /**
   * True when the input came split into words (Hugging Face's `is_split_into_words`): its words are
   * the data's own, so the prediction is presented as evaluation made it, with no rule for words that
   * predict's own split made.
   */
  readonly splitIntoWords?: boolean;
}

/**
 * One output of a task's head that `mtl predict --explain` attributes to the input tokens
 * (`TaskType.explanationTargets`): a logit of one batch row, and where the head reads it from.
 */
export interface ExplanationTarget {
  /** The label whose logit is explained. */
  readonly label: string;
  /** For a prediction per word (a tag): the word's index in the example's words; absent for one prediction per input. */
  readonly word?: number;
  /** Where the logit is in one row of the head's output (its shape without B): [c] of (C), [t, c] of (T, C). */
  readonly logit: readonly number[];
  /**
   * The token positions whose last hidden states the head reads to make the logit ([0] for a first-token
   * classifier, every token for mean pooling, [t] for the tag of token t): attention rollout averages their rows.
   */
  readonly readsTokens: readonly number[];
}

/** How a task is exported to Hugging Face Transformers with its head (config.json fields; tensors as saved). */
/** Why a task's head is not exported (`TaskType.exportHf`), and the head it would otherwise be, so the family's own limits can be told too. */
export interface HfRefusal {
  readonly refused: string;
  readonly head?: HfExport['head'];
}

export interface HfExport {
  /**
   * The Transformers task model, the class's ending after the family's stem (`architectures` of
   * config.json is `<Family>For<head>`): 'SequenceClassification' (a head of `classifier.*` over the
   * pooled first token: where the family puts it is the family's `HfNaming.sequenceClassification`),
   * 'TokenClassification' (`classifier.*` over each token's state; no pooler) or 'QuestionAnswering'
   * (`qa_outputs.*` over each token's state; no pooler), or 'CausalLM' / 'Seq2SeqLM' (a decoder's or an
   * encoder-decoder's language-model class, `HfNaming.lmClass`: the backbone with its LM head; the task's
   * head has no tensors of its own).
   */
  readonly head: 'SequenceClassification' | 'TokenClassification' | 'QuestionAnswering' | 'CausalLM' | 'Seq2SeqLM';
  /** Extra config.json fields (`problem_type`, …); `id2label`, `label2id` and `classifier_dropout` are added for every head. */
  readonly config: Readonly<Record<string, string | number | boolean>>;
  /** The head's tensors, under the names the class gives them (they must be the head's own names). Default `classifier.weight`, `classifier.bias`. */
  readonly headTensors?: readonly string[];
  /** A generating task's decoding defaults, written to generation_config.json over `generate`'s own. */
  readonly generation?: GenerateOptions;
  /**
   * The text a generating task's outputs end with besides the tokenizer's end of sequence: a chat
   * template's rendered assistant turn (`hello<|im_end|>`), or its end-of-turn token. The longest added
   * token of the exported tokenizer that it ends with joins generation_config.json's `eos_token_id`
   * (a list, the tokenizer's eos first), so Transformers' `generate` stops at the end of the turn; a
   * turn that ends in no added token adds nothing. Absent: the eos alone.
   */
  readonly endsWith?: string;
}

/** The positions a conversation's reply may take (`TaskType.replyPrompt`): the prompt gets `maxLength − maxNewTokens`. */
export interface ReplyBudget {
  /** The model's max_length, tokens. */
  readonly maxLength: number;
  /** Tokens the reply may take at most. */
  readonly maxNewTokens: number;
}

/** A conversation's prompt as a type renders it (`TaskType.replyPrompt`). */
export interface ReplyPrompt {
  /** (T) the prompt's token ids. */
  readonly inputIds: readonly number[];
  /** The token that ends the reply (the template's end-of-turn token); generation stops at it. */
  readonly endTokenId: number;
  /** The oldest turns left out so that the prompt fits. */
  readonly droppedTurns: number;
}

/** What a task type makes of a Hugging Face task-model folder (`TaskType.importHf`). */
export interface HfImport {
  readonly options: Readonly<Record<string, unknown>>;
  readonly labels: readonly string[];
}

/** A task type's part of a semantic frame (intent + slots of an utterance; see src/metrics semanticFrameAccuracy). */
export interface FramePart<E, P> {
  readonly role: 'intent' | 'slots';
  /** The gold part of `example` (an intent, a label set, or the tags of its words). */
  gold(example: E): string | readonly string[];
  /** The predicted part. */
  predicted(prediction: P): string | readonly string[];
}

/**
 * A task type. Its methods are pure apart from the tensors they return, which belong to the caller
 * (or the enclosing `tidy`). Everything that depends on the kind is declared here, so code outside
 * src/tasks/ asks the type and never switches on its name (DESIGN.md, "The task-type contract").
 * @typeParam E the example type it reads (from src/data).
 * @typeParam P one prediction (carries `exampleIndex`).
 * @typeParam O its options (`TaskSpec.options`).
 * @typeParam S the state of one of its tasks (`createState`); undefined for most types.
 */
export interface TaskType<E, P extends { readonly exampleIndex: number }, O, S = undefined> {
  readonly kind: string;
  /**
   * The input kinds it reads (src/data's InputKind). The data format picks one: 'words' for
   * joint-folder and conll data, 'pair' with `input.text_pair`, 'text' otherwise; when the format's kind
   * is not listed, the first listed is the task's (masked-LM: 'masked-text'), and a checkpoint without
   * a recorded input reads the first.
   */
  readonly inputs: readonly InputKind[];
  /**
   * Whether it reads its examples' inputs as they are, so tasks over the same examples share one
   * padded input and one encoder pass with it; false when `collate` makes its own inputs (masking,
   * two texts per row).
   */
  readonly sharesEncoderPass: boolean;
  /**
   * False when training batches that each hold one length hurt its learning: its stream's batches are
   * then drawn at random unless `training.group_by_length` says otherwise (seq2seq, whose target
   * length follows the source's: tiny encoder-decoders stall on one-length batches,
   * docs/results/issue13-length-bucketing.md). Default true: batches of similar length (src/data/batcher.ts).
   */
  readonly groupsByLength?: boolean;
  /** The data formats it reads (src/io/config DATA_FORMATS). */
  readonly formats: readonly string[];
  /** Whether its examples carry a label read from the data (csv/tsv/jsonl: `label.field`); false for self-supervised or graph tasks. */
  readonly readsLabel: boolean;
  /**
   * True when an example may carry several references (`references`: jsonl label fields that list
   * texts, SciTLDR's 1–4 TL;DRs), which its `evaluate` scores against; `label` is the first. Default false.
   */
  readonly readsReferences?: boolean;
  readonly labelSpace: LabelSpace;
  /**
   * Texts of a training example, beyond its input, that a vocabulary learned from the training data
   * (`tokenizer.train`) must cover: the target a seq2seq task writes. Absent: its input only.
   */
  vocabularyTexts?(example: E): readonly string[];
  /** The config keys of a task section, beyond the common ones, that it takes (see `configOptions`). */
  readonly configKeys?: readonly TaskConfigKey[];
  /** Its options as written in a config task section: `options` plus what its `configKeys` say (default: `options`). */
  configOptions?(task: TaskConfig): Record<string, unknown>;
  /**
   * False when, under `options`, its input ids are not tokens (free entity embeddings read entity
   * ids), so word dropout must not replace them. Default true.
   */
  tokenInputs?(options: O): boolean;
  /**
   * The record `mtl predict` and `mtl serve` print for one prediction on a text (plain JSON). Absent:
   * the type makes no prediction for a text (link prediction) or, with labelSpace 'vocabulary', fills
   * the [MASK]s a text holds instead (src/predict/fill-mask.ts).
   */
  present?(prediction: P, spec: TaskSpec<O>, context: PresentContext): JsonObject;
  /**
   * Its Hugging Face Transformers class with a head, or why the task has none (a CRF, mean pooling).
   * Absent: no Transformers class (the encoder is exported alone).
   */
  exportHf?(spec: TaskSpec<O>): HfExport | HfRefusal;
  /**
   * A task of this type made of a Hugging Face `<Family>For<head>` folder (the inverse of `exportHf`):
   * its options and labels, from config.json (`config`: `problem_type`, …) and its `id2label` in id
   * order (`labels`); undefined when such a folder is not this type's (another head or problem type).
   * Absent: no Transformers class is read as this type.
   */
  importHf?(head: HfExport['head'], config: Readonly<Record<string, unknown>>, labels: readonly string[]): HfImport | undefined;
  /**
   * The outputs that explain `prediction` (`mtl predict --explain`, src/explain): the logit of each
   * predicted label, or of `label` when one is chosen, with the tokens the head reads it from.
   * `feature` is the prediction's feature (one per example). Absent: the type's predictions are not explained.
   * @throws ConfigError for a chosen `label` the task's label list does not hold.
   */
  explanationTargets?(prediction: P, feature: Features, spec: TaskSpec<O>, label?: string): ExplanationTarget[];
  /** Its part of a semantic frame, when it is an utterance's intent or slots. */
  framePart?(spec: TaskSpec<O>): FramePart<E, P>;
  /**
   * Tokens the type needs in the vocabulary as whole special tokens (relation classification's entity
   * markers `<e1> </e1> <e2> </e2>`): a run adds those its tokenizer lacks before featurizing
   * (`Tokenizer.addSpecialTokens`), so a new encoder embeds them and the checkpoint's tokenizer keeps
   * them. Absent: none.
   */
  addedTokens?(options: O): readonly string[];
  /** The key of `evaluate`'s result to select models by. */
  readonly mainMetric: MainMetric;
  /** Complete, validated options from user-written ones (defaults filled in; unknown keys rejected with a ConfigError). */
  resolveOptions(options?: Readonly<Record<string, unknown>>): O;
  /**
   * For a type whose main metric depends on its options (link prediction: filtered `mrr` over all
   * entities with free entity embeddings, in-batch MRR otherwise); `mainMetric` when absent.
   */
  mainMetricFor?(options: O): MainMetric;
  /**
   * For a type whose options depend on the data (link prediction's entity list for free embeddings,
   * regression's target mean and deviation): the options completed from `examples`, those of every
   * split, or `train`, the training examples alone; called once when a run starts (a checkpoint's
   * tasks.json keeps the result).
   */
  completeOptions?(options: O, examples: readonly E[], train: readonly E[]): O;
  /**
   * For a type whose options depend on the run's tokenizer (chat: the template of the folder the
   * tokenizer came from): the options completed with it, called once when a run starts, before
   * `addedTokens` (a checkpoint's tasks.json keeps the result, and calls on it change nothing).
   */
  completeWithTokenizer?(options: O, tokenizer: Tokenizer): O;
  /**
   * For a type whose features depend on the backbone's kind (seq2seq: a source and a target for an
   * encoder-decoder, one prompt-then-target sequence for a decoder): the options completed with the
   * kind of the run's model, called once when a run starts, before featurizing (a checkpoint's
   * tasks.json keeps the result, and calls on it change nothing).
   * @throws ConfigError when the kind is one the type cannot learn with, or options written for another kind.
   */
  completeWithBackbone?(options: O, kind: BackboneKind): O;
  /** The sorted label list of training examples (for `TaskSpec.labels`). */
  collectLabels(examples: readonly E[], options: O): string[];
  /**
   * The class an example counts in when `data.train_per_class` samples a fixed number of training
   * examples per class (its label as written; a multi-label example's label set is one class).
   * Present exactly on the types whose `configKeys` list 'data.train_per_class'; undefined for an unlabelled example.
   */
  classOf?(example: E): string | undefined;
  /** A new head for this task on a backbone of this config (its hidden size, dropout and initialiser range; the masked-LM head also its vocabulary, activation and LayerNorm epsilon). */
  createHead(backbone: BackboneConfig, spec: TaskSpec<O>): TaskHead;
  /**
   * For a type whose head can read another task's sequence-layer states (sequence classification with
   * `states_of`): that task's name under `spec`'s options, or undefined when it reads the encoder's. The
   * model then builds the head on states of that head's `sequenceStateSize` and feeds it those states
   * (src/mtl/shared-states.ts). Absent: always the encoder's.
   */
  statesOf?(spec: TaskSpec<O>): string | undefined;
  /**
   * A fresh state for a task of `spec` (masked-LM: its masking generator, seeded from the options).
   * `purpose` 'evaluation' for the state each evaluation of a split makes (src/eval; masked-LM then
   * masks at its `evalMaskProbability`); default 'training'. Absent: the type's tasks have no state (undefined).
   */
  createState?(spec: TaskSpec<O>, purpose?: 'training' | 'evaluation'): S;
  /** Tokenizes and labels `examples` (the tokenizer's batch calls, so asynchronous). */
  featurize(examples: readonly E[], tokenizer: Tokenizer, spec: TaskSpec<O>, options: FeaturizeOptions): Promise<FeaturizeResult>;
  /**
   * Pads `features` into a batch. With `inputs`, the already padded inputs of the same features
   * (shared by tasks that read the same text; see joint-batch.ts), only the labels are built.
   */
  collate(task: CollatingTask<O, S>, features: readonly Features[], inputs?: BatchInputs): Batch;
  /**
   * Scalar mean loss of the task's head's output `logits` against `batch.labels`; ConfigError when the
   * batch has none. Losses with parameters of their own (a CRF's transitions) read them from `task.head`.
   */
  loss(task: Task<O, S>, logits: Tensor, batch: Batch): Tensor;
  /**
   * For a type whose predictions are generated text (seq2seq): one prediction per batch row, in row
   * order, by decoding (greedy or beam search, as the task's options say). Prediction (src/predict) calls
   * it instead of `decode`, evaluation (src/eval) where `labelledScoring` says so; the loss is still
   * teacher-forced. Absent: `decode`.
   */
  generate?(context: GenerationContext<E, O, S>): Promise<P[]>;
  /**
   * For a type that writes a text for a source text (seq2seq): each batch row's generated text, in row
   * order, decoded with `decoding` in place of the task's own decoding options (back-translation samples
   * with its own settings and one seed per row: src/run/back-translation.ts). The texts are as the
   * tokenizer decodes them (no option of the task rewrites them).
   * @throws ConfigError when the model cannot write the task's texts (its head does not fit its backbone).
   */
  generateTexts?(context: GenerationContext<E, O, S>, decoding: GenerateOptions): Promise<string[]>;
  /**
   * For a type with `generate`: what evaluation scores a labelled batch on. 'generated' (seq2seq: BLEU
   * of generated texts) calls `generate`; 'teacher-forced' (chat: next-token accuracy of the gold turns)
   * calls `decode` on the logits the loss was computed from, with no second pass of the model; 'both'
   * (chat with `reply_metrics`) calls both, and each row's prediction is `decode`'s and `generate`'s
   * merged (`{ ...decoded, ...generated }`). Batches without labels are always generated. Absent: 'generated'.
   */
  labelledScoring?(options: O): 'generated' | 'teacher-forced' | 'both';
  /**
   * For a type whose model replies to conversations (chat): `messages` rendered as the task renders a
   * prompt for prediction (its chat template with the generation prompt; the oldest turns left out
   * until the prompt leaves `budget.maxNewTokens` of `budget.maxLength` positions), and the token its
   * reply ends at. `mtl generate --messages` and `POST /generate` with `messages` call it. Absent: the
   * type takes no conversations.
   * @throws ConfigError when max_length leaves no room besides max_new_tokens; DataError when the
   *   template refuses the messages.
   */
  replyPrompt?(spec: TaskSpec<O>, tokenizer: Tokenizer, messages: readonly ChatMessage[], budget: ReplyBudget): Promise<ReplyPrompt>;
  /** For a type with `replyPrompt`: the decoding options of its replies (its own options), which a request's options override. */
  replyOptions?(spec: TaskSpec<O>): GenerateOptions;
  /**
   * SMART's smoothness term between the head's outputs on clean and on perturbed inputs (same shape),
   * for a type whose outputs are not one distribution over their last dimension (extractive QA's start
   * and end distributions are over tokens; a multi-label head's labels are separate Bernoullis).
   * `detachTargets`: as `symmetricKl` in ./divergence.ts; `spec` the task's (its options).
   * Absent: ./divergence.ts's default (symmetric KL over the last dimension; squared difference for 'scalar').
   */
  outputDivergence?(clean: Tensor, perturbed: Tensor, detachTargets: boolean, spec: TaskSpec<O>): Tensor;
  /** One prediction per batch row, in row order; `examples` is the array given to `featurize`. */
  decode(task: Task<O, S>, logits: Tensor, batch: Batch, examples: readonly E[]): P[];
  /**
   * For a type whose `featurize` makes several features per example (extractive QA's windows over a
   * long context): one prediction per example from `decode`'s predictions of its features (all of
   * them given at once). `mtl predict` and `mtl serve` call it before `present`; the type's `evaluate`
   * and `report` take the features' predictions and merge them themselves. Absent: one feature per example.
   */
  mergePredictions?(predictions: readonly P[], spec: TaskSpec<O>): P[];
  /** Scores predictions (in any order, one per gold example) against `gold`, the array given to `featurize`. */
  evaluate(predictions: readonly P[], gold: readonly E[], spec: TaskSpec<O>): Metrics;
  /**
   * The detailed report `mtl eval --report` writes for the task (plain JSON: per-label scores,
   * confusion matrix, curves), from the same predictions as `evaluate`. Absent: its metrics say all.
   */
  report?(predictions: readonly P[], gold: readonly E[], spec: TaskSpec<O>): Readonly<Record<string, unknown>>;
  /**
   * For a type whose evaluation needs more than one batch at a time (link prediction with encoded
   * entities ranks each dev/test triple among every entity, all encoded once per evaluation): called
   * by src/eval/evaluate.ts once per evaluation of a split, after `evaluate`, whose metrics it adds to
   * (or replaces, name by name), in evaluation mode under `inferenceMode` (its tensors can only be
   * read). Tensors it makes are freed by the caller's `tidy`.
   */
  evaluateAll?(context: EvaluationContext<E, O, S>): Metrics;
  /**
   * For a type whose `collate` draws random numbers from its task's state (masked-LM's dynamic masks):
   * the generator's state as plain JSON, saved in trainer_state.json, and its restoration on resume.
   */
  readonly collationState?: {
    save(state: S): unknown;
    restore(state: S, saved: unknown): void;
  };
}
