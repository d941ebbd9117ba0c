/**
 * `LlamaConfig`: Llama's hyper-parameters (Touvron et al., 2023, "LLaMA: Open and Efficient Foundation
 * Language Models"; Hugging Face's LlamaConfig) under the common camelCase names plus its own:
 * grouped key/value heads, RMSNorm epsilon, rotary base, projection biases, tied or untied LM head.
 * Defaults: Hugging Face's LlamaConfig (Llama-7B's shape).
 */
import { ConfigError } from '../../errors.js';
import type { BackboneConfig } from '../backbone.js';
import { namedAsHf, readHfFields, writeHfFields } from '../hf-config.js';

export interface LlamaConfig extends BackboneConfig {
  readonly modelType: 'llama';
  /** nkv: key/value heads (grouped-query attention, Ainslie et al., EMNLP 2023); numAttentionHeads is a multiple of it. */
  readonly numKeyValueHeads: number;
  /** Base θ of the rotary frequencies θ^(−2i/hs) (Su et al., 2021, "RoFormer", §3.4.2). */
  readonly ropeTheta: number;
  /** Biases on the q, k, v and o projections (`attention_bias`). */
  readonly attentionBias: boolean;
  /** Biases on the MLP's gate, up and down projections (`mlp_bias`). */
  readonly mlpBias: boolean;
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
  mlpBias: false,
  tieWordEmbeddings: false,
});

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
  tieWordEmbeddings: 'tie_word_embeddings',
} as const satisfies Partial<Record<keyof LlamaConfig, string>>;
type Field = keyof typeof HF_NAMES;
const FIELDS = Object.keys(HF_NAMES) as Field[];
const INTS = [
  'vocabSize',
  'hiddenSize',
  'numHiddenLayers',
  'numAttentionHeads',
  'numKeyValueHeads',
  'intermediateSize',
  'maxPositionEmbeddings',
] as const;
const BOOLS: ReadonlySet<string> = new Set(['attentionBias', 'mlpBias', 'tieWordEmbeddings']);
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
}

/**
 * A validated LlamaConfig: `fields` (camelCase) over LlamaConfig's defaults; numKeyValueHeads defaults
 * to numAttentionHeads; BOS/EOS default to Llama's 1 and 2 only with Llama's vocabulary size.
 * @throws ConfigError for an unknown key or an invalid value.
 */
export function llamaConfig(fields: Readonly<Record<string, unknown>> = {}): LlamaConfig {
  const { modelType: _type, ...rest } = fields;
  for (const key of Object.keys(rest))
    if (!(key in HF_NAMES) && key !== 'hiddenDropoutProb')
      throw new ConfigError(`unknown Llama config key '${key}'; the keys are ${FIELDS.join(', ')}`);
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<LlamaConfig>;
  // Llama's <s> (1) and </s> (2) are the defaults of its own vocabulary only; another one (a new tokenizer) has none unless given
  const ownVocabulary = defined.vocabSize === undefined || defined.vocabSize === LLAMA_DEFAULTS.vocabSize;
  const special = ownVocabulary ? {} : { bosTokenId: null, eosTokenId: null };
  const c = Object.freeze({
    ...LLAMA_DEFAULTS,
    ...special,
    numKeyValueHeads: defined.numAttentionHeads ?? LLAMA_DEFAULTS.numAttentionHeads,
    ...defined,
    modelType: 'llama',
  }) as LlamaConfig;
  validate(c);
  return c;
}

/**
 * The LlamaConfig of a config.json object (`model_type` 'llama'); missing keys take LlamaConfig's
 * values, others (architectures, torch_dtype, pretraining_tp, …) are ignored.
 * @throws ConfigError for a wrong value (named by its config.json key), rope_scaling, or a head_dim other than hidden_size / heads.
 */
export function llamaConfigFromHf(json: Readonly<Record<string, unknown>>): LlamaConfig {
  if (json.rope_scaling !== undefined && json.rope_scaling !== null)
    throw new ConfigError(
      `config.json has rope_scaling = ${JSON.stringify(json.rope_scaling)}; this Llama supports plain rotary embeddings only (null)`,
    );
  const fields = readHfFields(json, {
    names: HF_NAMES,
    typeOf: (f) => (f === 'hiddenAct' ? 'string' : BOOLS.has(f) ? 'boolean' : 'number'),
    nullable: new Set<Field>(IDS),
  });
  const heads = (json.num_attention_heads as number | undefined) ?? LLAMA_DEFAULTS.numAttentionHeads;
  const hidden = (json.hidden_size as number | undefined) ?? LLAMA_DEFAULTS.hiddenSize;
  if (json.head_dim !== undefined && json.head_dim !== null && json.head_dim !== hidden / heads)
    throw new ConfigError(
      `config.json has head_dim = ${String(json.head_dim)}; this Llama supports only hidden_size / num_attention_heads = ${hidden / heads}`,
    );
  return namedAsHf(HF_NAMES, () => llamaConfig(fields));
}

/** The config.json object of `c` (LlamaModel's keys); `llamaConfigFromHf` reads it back unchanged. */
export function llamaConfigToHf(c: LlamaConfig): Record<string, unknown> {
  return writeHfFields(c, HF_NAMES, { model_type: 'llama', rope_scaling: null });
}
