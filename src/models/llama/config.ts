/**
 * `LlamaConfig`: Llama's hyper-parameters (Touvron et al., 2023, "LLaMA: Open and Efficient Foundation
 * Language Models"; Hugging Face's LlamaConfig) under the common camelCase names plus its own:
 * grouped key/value heads, RMSNorm epsilon, rotary base, projection biases, tied or untied LM head.
 * The same layer serves two more `model_type`s, each with its config.json keys and defaults:
 * - 'qwen2' (Qwen2Config; Yang et al., 2024, "Qwen2 Technical Report"): biases on q, k and v only;
 *   its sliding window (`use_sliding_window`) is refused when on;
 * - 'mistral' (MistralConfig; Jiang et al., 2023, "Mistral 7B"): no biases, sliding-window attention (`sliding_window`).
 * Defaults: Hugging Face's config class of the type (Llama-7B's, Qwen2-7B's, Mistral-7B's shapes).
 */
import { ConfigError } from '../../errors.js';
import type { BackboneConfig } from '../backbone.js';
import { namedAsHf, readHfFields, writeHfFields } from '../hf-config.js';

/** The `model_type`s of the Llama layout. */
export type LlamaModelType = 'llama' | 'qwen2' | 'mistral';

export interface LlamaConfig extends BackboneConfig {
  readonly modelType: LlamaModelType;
  /** nkv: key/value heads (grouped-query attention, Ainslie et al., EMNLP 2023); numAttentionHeads is a multiple of it. */
  readonly numKeyValueHeads: number;
  /** Base θ of the rotary frequencies θ^(−2i/hs) (Su et al., 2021, "RoFormer", §3.4.2). */
  readonly ropeTheta: number;
  /** Biases on the q, k, v and o projections (`attention_bias`). */
  readonly attentionBias: boolean;
  /** Biases on the q, k and v projections, none on o (Qwen2's attention; `attentionBias` puts one on o too). */
  readonly qkvBias: boolean;
  /** Biases on the MLP's gate, up and down projections (`mlp_bias`). */
  readonly mlpBias: boolean;
  /** Sliding-window attention (Mistral's `sliding_window`): query i attends to key j only when i − j < slidingWindow; null: every earlier key. */
  readonly slidingWindow: number | null;
  /** Whether the LM head is the input embeddings (`tie_word_embeddings`); otherwise `lm_head.weight`. */
  readonly tieWordEmbeddings: boolean;
  /** Dropout on the attention probabilities (`attention_dropout`). */
  readonly attentionProbsDropoutProb: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
}

const LLAMA_DEFAULTS: LlamaConfig = Object.freeze({
  modelType: 'llama',
  vocabSize: 32000,
  hiddenSize: 4096,
  numHiddenLayers: 32,
  numAttentionHeads: 32,
  numKeyValueHeads: 32,
  intermediateSize: 11008,
  hiddenAct: 'silu',
  hiddenDropoutProb: 0,
  attentionProbsDropoutProb: 0,
  initializerRange: 0.02,
  layerNormEps: 1e-6,
  maxPositionEmbeddings: 2048,
  padTokenId: null,
  bosTokenId: 1,
  eosTokenId: 2,
  ropeTheta: 10000,
  attentionBias: false,
  qkvBias: false,
  mlpBias: false,
  slidingWindow: null,
  tieWordEmbeddings: false,
});

/** Each model type's defaults (its Hugging Face config class's) and what a config.json of that type fixes. */
const TYPE_DEFAULTS: Readonly<Record<LlamaModelType, LlamaConfig>> = {
  llama: LLAMA_DEFAULTS,
  qwen2: Object.freeze({
    ...LLAMA_DEFAULTS,
    modelType: 'qwen2',
    vocabSize: 151936,
    intermediateSize: 22016,
    maxPositionEmbeddings: 32768,
    bosTokenId: null,
    eosTokenId: null,
    qkvBias: true,
  }),
  mistral: Object.freeze({
    ...LLAMA_DEFAULTS,
    modelType: 'mistral',
    numKeyValueHeads: 8,
    intermediateSize: 14336,
    maxPositionEmbeddings: 4096 * 32,
    slidingWindow: 4096,
  }),
};

/** config.json key of each field (`hiddenDropoutProb` has none: Llama has no residual dropout). */
const HF_NAMES = {
  vocabSize: 'vocab_size',
  hiddenSize: 'hidden_size',
  numHiddenLayers: 'num_hidden_layers',
  numAttentionHeads: 'num_attention_heads',
  numKeyValueHeads: 'num_key_value_heads',
  intermediateSize: 'intermediate_size',
  hiddenAct: 'hidden_act',
  attentionProbsDropoutProb: 'attention_dropout',
  initializerRange: 'initializer_range',
  layerNormEps: 'rms_norm_eps',
  maxPositionEmbeddings: 'max_position_embeddings',
  padTokenId: 'pad_token_id',
  bosTokenId: 'bos_token_id',
  eosTokenId: 'eos_token_id',
  ropeTheta: 'rope_theta',
  attentionBias: 'attention_bias',
  mlpBias: 'mlp_bias',
  slidingWindow: 'sliding_window',
  tieWordEmbeddings: 'tie_word_embeddings',
} as const satisfies Partial<Record<keyof LlamaConfig, string>>;
type Field = keyof typeof HF_NAMES;
const FIELDS = Object.keys(HF_NAMES) as Field[];

/** The fields each model type reads from and writes to config.json (the others are fixed by the type). */
const TYPE_FIELDS: Readonly<Record<LlamaModelType, readonly Field[]>> = {
  llama: FIELDS.filter((f) => f !== 'slidingWindow'),
  qwen2: FIELDS.filter((f) => !['attentionBias', 'mlpBias', 'slidingWindow'].includes(f)),
  mistral: FIELDS.filter((f) => !['attentionBias', 'mlpBias'].includes(f)),
};
const INTS = [
  'vocabSize',
  'hiddenSize',
  'numHiddenLayers',
  'numAttentionHeads',
  'numKeyValueHeads',
  'intermediateSize',
  'maxPositionEmbeddings',
] as const;
/** Fields without a config.json key: Llama has no residual dropout, and Qwen2's q/k/v biases come with its model type. */
const FIXED_BY_TYPE: ReadonlySet<string> = new Set(['hiddenDropoutProb', 'qkvBias']);
const BOOLS: ReadonlySet<string> = new Set(['attentionBias', 'qkvBias', 'mlpBias', 'tieWordEmbeddings']);
const IDS = ['padTokenId', 'bosTokenId', 'eosTokenId'] as const;

function validate(c: LlamaConfig): void {
  for (const f of INTS)
    if (!Number.isInteger(c[f]) || c[f] < 1) throw new ConfigError(`${f} must be a positive integer, got ${String(c[f])}`);
  if (c.hiddenSize % c.numAttentionHeads !== 0)
    throw new ConfigError(`hidden size (${c.hiddenSize}) is not a multiple of the number of attention heads (${c.numAttentionHeads})`);
  if ((c.hiddenSize / c.numAttentionHeads) % 2 !== 0)
    throw new ConfigError(`the head size (${c.hiddenSize / c.numAttentionHeads}) must be even for rotary position embeddings`);
  if (c.numAttentionHeads % c.numKeyValueHeads !== 0)
    throw new ConfigError(`numAttentionHeads (${c.numAttentionHeads}) is not a multiple of numKeyValueHeads (${c.numKeyValueHeads})`);
  if (c.hiddenAct !== 'silu') throw new ConfigError(`hiddenAct must be 'silu' (SwiGLU), got '${String(c.hiddenAct)}'`);
  for (const f of ['layerNormEps', 'initializerRange', 'ropeTheta'] as const)
    if (!(c[f] > 0) || !Number.isFinite(c[f])) throw new ConfigError(`${f} must be a finite number > 0, got ${String(c[f])}`);
  for (const f of ['hiddenDropoutProb', 'attentionProbsDropoutProb'] as const)
    if (!(c[f] >= 0 && c[f] < 1)) throw new ConfigError(`${f} must be a probability in [0, 1), got ${String(c[f])}`);
  for (const f of BOOLS) if (typeof c[f as keyof LlamaConfig] !== 'boolean') throw new ConfigError(`${f} must be true or false`);
  for (const f of IDS) {
    const id = c[f];
    if (id !== null && (!Number.isInteger(id) || id < 0 || id >= c.vocabSize))
      throw new ConfigError(`${f} must be null or an integer in [0, vocabSize = ${c.vocabSize}), got ${String(id)}`);
  }
  const w = c.slidingWindow;
  if (w !== null && (!Number.isInteger(w) || w < 1))
    throw new ConfigError(`slidingWindow must be null or a positive integer, got ${String(w)}`);
}

function modelTypeOf(value: unknown): LlamaModelType {
  if (value === undefined) return 'llama';
  if (typeof value === 'string' && value in TYPE_DEFAULTS) return value as LlamaModelType;
  throw new ConfigError(`modelType must be one of ${Object.keys(TYPE_DEFAULTS).join(', ')}, got ${JSON.stringify(value)}`);
}

/**
 * A validated LlamaConfig: `fields` (camelCase; `modelType` 'llama' by default, or 'qwen2', 'mistral') over
 * the type's defaults; numKeyValueHeads defaults to numAttentionHeads (Mistral's: 8); BOS/EOS default to
 * Llama's 1 and 2 only with Llama's vocabulary size.
 * @throws ConfigError for an unknown key or model type, or an invalid value.
 */
export function llamaConfig(fields: Readonly<Record<string, unknown>> = {}): LlamaConfig {
  const { modelType: type, ...rest } = fields;
  const modelType = modelTypeOf(type);
  for (const key of Object.keys(rest))
    if (!(key in HF_NAMES) && !FIXED_BY_TYPE.has(key))
      throw new ConfigError(`unknown Llama config key '${key}'; the keys are ${FIELDS.join(', ')}`);
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<LlamaConfig>;
  const defaults = TYPE_DEFAULTS[modelType];
  // the type's BOS/EOS defaults belong to its own vocabulary only; another one (a new tokenizer) has none unless given
  const ownVocabulary = defined.vocabSize === undefined || defined.vocabSize === defaults.vocabSize;
  const special = ownVocabulary ? {} : { bosTokenId: null, eosTokenId: null };
  const c = Object.freeze({
    ...defaults,
    ...special,
    ...(modelType === 'mistral' ? {} : { numKeyValueHeads: defined.numAttentionHeads ?? defaults.numAttentionHeads }),
    ...defined,
    modelType,
  }) as LlamaConfig;
  validate(c);
  return c;
}

/** The config.json names of a model type's own fields. */
function typeNames(modelType: LlamaModelType): Partial<Record<Field, string>> {
  return Object.fromEntries(TYPE_FIELDS[modelType].map((f) => [f, HF_NAMES[f]]));
}

/**
 * The LlamaConfig of a config.json object (`model_type` 'llama', 'qwen2' or 'mistral'); missing keys take
 * the type's defaults, others (architectures, torch_dtype, pretraining_tp, max_window_layers, …) are ignored.
 * @throws ConfigError for a wrong value (named by its config.json key), rope_scaling, a head_dim other than
 *   hidden_size / heads, or Qwen2's use_sliding_window.
 */
export function llamaConfigFromHf(json: Readonly<Record<string, unknown>>): LlamaConfig {
  const modelType = modelTypeOf(json.model_type ?? 'llama');
  if (json.rope_scaling !== undefined && json.rope_scaling !== null)
    throw new ConfigError(
      `config.json has rope_scaling = ${JSON.stringify(json.rope_scaling)}; this ${modelType} supports plain rotary embeddings only (null)`,
    );
  if (json.use_sliding_window === true)
    throw new ConfigError(`config.json has use_sliding_window = true; this ${modelType} supports full attention only (false)`);
  const names = typeNames(modelType) as Record<Field, string>;
  const fields = readHfFields(json, {
    names,
    typeOf: (f) => (f === 'hiddenAct' ? 'string' : BOOLS.has(f) ? 'boolean' : 'number'),
    nullable: new Set<Field>([...IDS, 'slidingWindow']),
  });
  const defaults = TYPE_DEFAULTS[modelType];
  const heads = (json.num_attention_heads as number | undefined) ?? defaults.numAttentionHeads;
  const hidden = (json.hidden_size as number | undefined) ?? defaults.hiddenSize;
  if (json.head_dim !== undefined && json.head_dim !== null && json.head_dim !== hidden / heads)
    throw new ConfigError(
      `config.json has head_dim = ${String(json.head_dim)}; this ${modelType} supports only hidden_size / num_attention_heads = ${hidden / heads}`,
    );
  return namedAsHf(names, () => llamaConfig({ ...fields, modelType }));
}

/** The config.json object of `c` (its model type's keys); `llamaConfigFromHf` reads it back unchanged. */
export function llamaConfigToHf(c: LlamaConfig): Record<string, unknown> {
  const head = { model_type: c.modelType, rope_scaling: null, ...(c.modelType === 'qwen2' ? { use_sliding_window: false } : {}) };
  return writeHfFields(c, typeNames(c.modelType) as Record<Field, string>, head);
}
