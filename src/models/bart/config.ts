/**
 * `BartConfig`: the hyper-parameters of BART (Lewis et al., ACL 2020) and Marian (Junczys-Dowmunt et al.,
 * ACL 2018; Hugging Face's MarianMTModel, the OPUS-MT translation checkpoints), which share one layout,
 * under the common camelCase names, mapped to their config.json keys (`d_model`, `encoder_layers`,
 * `decoder_layers`, `encoder_attention_heads`, `encoder_ffn_dim`, `decoder_ffn_dim`,
 * `activation_function`, `dropout`, `attention_dropout`, `activation_dropout`, `init_std`,
 * `scale_embedding`, …). The family (`model_type`) decides positions: BART learns a table read at
 * position + 2 and normalises the embeddings (`layernorm_embedding`); Marian adds fixed sinusoids and
 * does not. Post-LN only: mBART's pre-LN (`normalize_before`) is refused.
 */
import { ConfigError } from '../../errors.js';
import { suggestion } from '../../io/config/issues.js';
import type { BackboneConfig } from '../backbone.js';
import { namedAsHf, readHfFields, writeHfFields } from '../hf-config.js';

export const BART_ACTIVATIONS = ['gelu', 'gelu_new', 'relu', 'swish', 'silu'] as const;

export interface BartConfig extends BackboneConfig {
  readonly modelType: 'bart' | 'marian';
  readonly numDecoderLayers: number;
  readonly numDecoderAttentionHeads: number;
  /** Width of the decoder's feed-forward block (intermediateSize is the encoder's). */
  readonly decoderFfnDim: number;
  readonly attentionDropout: number;
  /** Dropout after the feed-forward activation. */
  readonly activationDropout: number;
  /** Embeddings times √d_model (Marian; BART-large: false). */
  readonly scaleEmbedding: boolean;
  readonly eosTokenId: number;
  /** The first decoder input (BART: eos 2; Marian: the pad token). */
  readonly decoderStartTokenId: number;
}

/** facebook/bart-base's values (Hugging Face's BartConfig defaults are bart-large's widths). */
const BART_DEFAULTS: Omit<BartConfig, 'modelType'> = {
  vocabSize: 50265,
  hiddenSize: 768,
  numHiddenLayers: 6,
  numDecoderLayers: 6,
  numAttentionHeads: 12,
  numDecoderAttentionHeads: 12,
  intermediateSize: 3072,
  decoderFfnDim: 3072,
  hiddenAct: 'gelu',
  hiddenDropoutProb: 0.1,
  attentionDropout: 0.1,
  activationDropout: 0.1,
  maxPositionEmbeddings: 1024,
  initializerRange: 0.02,
  layerNormEps: 1e-5,
  scaleEmbedding: false,
  padTokenId: 1,
  eosTokenId: 2,
  decoderStartTokenId: 2,
};

/** Helsinki-NLP/opus-mt-en-de's widths (Hugging Face's MarianConfig defaults). */
const MARIAN_DEFAULTS: Omit<BartConfig, 'modelType'> = {
  ...BART_DEFAULTS,
  vocabSize: 58101,
  hiddenSize: 512,
  numAttentionHeads: 8,
  numDecoderAttentionHeads: 8,
  intermediateSize: 2048,
  decoderFfnDim: 2048,
  hiddenAct: 'swish',
  attentionDropout: 0,
  activationDropout: 0,
  maxPositionEmbeddings: 512,
  scaleEmbedding: true,
  padTokenId: 58100,
  eosTokenId: 0,
  decoderStartTokenId: 58100,
};

const HF_NAMES = {
  vocabSize: 'vocab_size',
  hiddenSize: 'd_model',
  numHiddenLayers: 'encoder_layers',
  numDecoderLayers: 'decoder_layers',
  numAttentionHeads: 'encoder_attention_heads',
  numDecoderAttentionHeads: 'decoder_attention_heads',
  intermediateSize: 'encoder_ffn_dim',
  decoderFfnDim: 'decoder_ffn_dim',
  hiddenAct: 'activation_function',
  hiddenDropoutProb: 'dropout',
  attentionDropout: 'attention_dropout',
  activationDropout: 'activation_dropout',
  maxPositionEmbeddings: 'max_position_embeddings',
  initializerRange: 'init_std',
  scaleEmbedding: 'scale_embedding',
  padTokenId: 'pad_token_id',
  eosTokenId: 'eos_token_id',
  decoderStartTokenId: 'decoder_start_token_id',
} as const satisfies Partial<Record<keyof BartConfig, string>>;
type Field = keyof typeof HF_NAMES;
const FIELDS = Object.keys(HF_NAMES) as Field[];

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function validate(c: BartConfig): void {
  for (const f of [
    'vocabSize',
    'hiddenSize',
    'numHiddenLayers',
    'numDecoderLayers',
    'numAttentionHeads',
    'numDecoderAttentionHeads',
    'intermediateSize',
    'decoderFfnDim',
    'maxPositionEmbeddings',
  ] as const) {
    if (!isInt(c[f]) || c[f] < 1) throw new ConfigError(`${c.modelType} config: ${f} must be a positive integer, got ${String(c[f])}`);
  }
  for (const f of ['numAttentionHeads', 'numDecoderAttentionHeads'] as const) {
    if (c.hiddenSize % c[f] !== 0)
      throw new ConfigError(`${c.modelType} config: hidden size (${c.hiddenSize}) is not a multiple of ${f} (${c[f]})`);
  }
  if (!(BART_ACTIVATIONS as readonly string[]).includes(c.hiddenAct))
    throw new ConfigError(`${c.modelType} config: hiddenAct must be one of ${BART_ACTIVATIONS.join(', ')}, got '${String(c.hiddenAct)}'`);
  for (const f of ['hiddenDropoutProb', 'attentionDropout', 'activationDropout'] as const) {
    if (typeof c[f] !== 'number' || !(c[f] >= 0 && c[f] < 1))
      throw new ConfigError(`${c.modelType} config: ${f} must be a probability in [0, 1), got ${String(c[f])}`);
  }
  if (typeof c.initializerRange !== 'number' || !(c.initializerRange > 0))
    throw new ConfigError(`${c.modelType} config: initializerRange must be > 0, got ${String(c.initializerRange)}`);
  if (typeof c.scaleEmbedding !== 'boolean') throw new ConfigError(`${c.modelType} config: scaleEmbedding must be true or false`);
  for (const f of ['padTokenId', 'eosTokenId', 'decoderStartTokenId'] as const) {
    const v = c[f];
    if (!isInt(v) || v < 0 || v >= c.vocabSize)
      throw new ConfigError(`${c.modelType} config: ${f} must be an integer in [0, vocabSize = ${c.vocabSize}), got ${String(v)}`);
  }
}

/**
 * A validated BartConfig for `modelType` ('bart' or 'marian'): `fields` (camelCase) over that family's
 * defaults; the decoder's layers, heads and feed-forward width default to the encoder's when those are given.
 * @throws ConfigError for an unknown key (naming the nearest valid one) or an invalid value.
 */
export function bartConfig(modelType: 'bart' | 'marian', fields: Readonly<Record<string, unknown>> = {}): BartConfig {
  const { modelType: _type, layerNormEps: _eps, ...rest } = fields;
  for (const key of Object.keys(rest)) {
    if (!(key in HF_NAMES)) throw new ConfigError(`unknown ${modelType} config key '${key}'${suggestion(key, FIELDS)}`);
  }
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  // the decoder's sizes follow the encoder's when only those are given (a config's `encoder` section), as T5's numDecoderLayers
  const follow = (to: keyof BartConfig, from: string) => (defined[from] === undefined ? {} : { [to]: defined[from] });
  const decoder = {
    ...follow('numDecoderLayers', 'numHiddenLayers'),
    ...follow('numDecoderAttentionHeads', 'numAttentionHeads'),
    ...follow('decoderFfnDim', 'intermediateSize'),
  };
  const c = { ...(modelType === 'bart' ? BART_DEFAULTS : MARIAN_DEFAULTS), ...decoder, ...defined, modelType } as BartConfig;
  validate(c);
  return Object.freeze(c);
}

/**
 * The BartConfig of a config.json object of `modelType`; missing keys take the family's defaults,
 * others (forced_bos_token_id, task_specific_params, …) are ignored.
 * @throws ConfigError for a wrong value (named by its config.json key) or a variant not implemented
 *   (normalize_before / add_final_layer_norm: mBART's pre-LN; Marian without static sinusoids; tie_word_embeddings
 *   false: an untied lm_head, refused rather than silently tied).
 */
export function bartConfigFromHf(modelType: 'bart' | 'marian', json: Readonly<Record<string, unknown>>): BartConfig {
  for (const key of ['normalize_before', 'add_final_layer_norm']) {
    if (json[key] === true) throw new ConfigError(`config.json has ${key} = true (mBART's pre-LN); this ${modelType} is post-LN only`);
  }
  if (json.tie_word_embeddings === false)
    // the LM head would be an lm_head.weight of its own; tying it would change the logits
    throw new ConfigError(
      `config.json has tie_word_embeddings = false; this ${modelType} ties its LM head to the shared embeddings (an untied lm_head is not supported)`,
    );
  if (modelType === 'marian' && json.static_position_embeddings === false)
    throw new ConfigError('config.json has static_position_embeddings = false; this Marian supports the fixed sinusoids only');
  const fields = readHfFields(json, {
    names: HF_NAMES,
    typeOf: (f) => (f === 'hiddenAct' ? 'string' : f === 'scaleEmbedding' ? 'boolean' : 'number'),
    nullIsDefault: true,
  });
  return namedAsHf(HF_NAMES, () => bartConfig(modelType, fields));
}

/** The config.json object of `c`; `bartConfigFromHf` reads it back unchanged. */
export function bartConfigToHf(c: BartConfig): Record<string, unknown> {
  return writeHfFields(c, HF_NAMES, {
    model_type: c.modelType,
    is_encoder_decoder: true,
    architectures: [c.modelType === 'bart' ? 'BartForConditionalGeneration' : 'MarianMTModel'],
    tie_word_embeddings: true,
    ...(c.modelType === 'marian' ? { static_position_embeddings: true } : {}),
  });
}
