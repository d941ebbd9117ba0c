/**
 * `T5Config`: T5's hyper-parameters (Raffel et al., JMLR 2020; Hugging Face `T5Config`) under the
 * common camelCase names, mapped to T5's config.json keys (`d_model`, `d_kv`, `d_ff`, `num_layers`,
 * `num_decoder_layers`, `num_heads`, `relative_attention_num_buckets`, `relative_attention_max_distance`,
 * `dropout_rate`, `layer_norm_epsilon`, `initializer_factor`, `feed_forward_proj`, `tie_word_embeddings`).
 * `feed_forward_proj` picks the feed-forward block: 'relu' (T5 1.0), 'gated-gelu' (T5 v1.1, FLAN-T5:
 * gelu_new gate), 'gelu', 'gated-relu', 'gated-silu'. T5 has no absolute positions: `maxPositionEmbeddings`
 * (config.json `n_positions`, 512 when absent) only bounds the inputs.
 */
import { ConfigError } from '../../errors.js';
import { suggestion } from '../../io/config/issues.js';
import type { BackboneConfig } from '../backbone.js';
import { namedAsHf, readHfFields, writeHfFields } from '../hf-config.js';

export const FEED_FORWARD_PROJS = ['relu', 'gelu', 'gated-gelu', 'gated-relu', 'gated-silu'] as const;
export type FeedForwardProj = (typeof FEED_FORWARD_PROJS)[number];

export interface T5Config extends BackboneConfig {
  readonly modelType: 't5';
  /** d_kv: width of one attention head (the heads' total, nh·d_kv, may differ from hiddenSize). */
  readonly dKv: number;
  /** Decoder layers (numHiddenLayers counts the encoder's). */
  readonly numDecoderLayers: number;
  /** Buckets of the relative position bias (32 in every released T5). */
  readonly relativeAttentionNumBuckets: number;
  /** Relative distance (tokens) past which all positions share the last bucket (128). */
  readonly relativeAttentionMaxDistance: number;
  readonly feedForwardProj: FeedForwardProj;
  /** LM head tied to the shared embeddings, decoder output scaled by d_model^-0.5 (T5 1.0), or its own lm_head (v1.1). */
  readonly tieWordEmbeddings: boolean;
  readonly eosTokenId: number;
  /** The first decoder input of every target (T5: the pad token, 0). */
  readonly decoderStartTokenId: number;
}

/** t5-small (Hugging Face's T5Config defaults). */
export const T5_SMALL: T5Config = Object.freeze({
  modelType: 't5',
  vocabSize: 32128,
  hiddenSize: 512,
  dKv: 64,
  intermediateSize: 2048,
  numHiddenLayers: 6,
  numDecoderLayers: 6,
  numAttentionHeads: 8,
  relativeAttentionNumBuckets: 32,
  relativeAttentionMaxDistance: 128,
  hiddenDropoutProb: 0.1,
  layerNormEps: 1e-6,
  initializerRange: 1.0,
  feedForwardProj: 'relu',
  hiddenAct: 'relu',
  tieWordEmbeddings: true,
  maxPositionEmbeddings: 512,
  padTokenId: 0,
  eosTokenId: 1,
  decoderStartTokenId: 0,
});

/** config.json key of each field (hiddenAct follows from feed_forward_proj and is not saved). */
const HF_NAMES = {
  vocabSize: 'vocab_size',
  hiddenSize: 'd_model',
  dKv: 'd_kv',
  intermediateSize: 'd_ff',
  numHiddenLayers: 'num_layers',
  numDecoderLayers: 'num_decoder_layers',
  numAttentionHeads: 'num_heads',
  relativeAttentionNumBuckets: 'relative_attention_num_buckets',
  relativeAttentionMaxDistance: 'relative_attention_max_distance',
  hiddenDropoutProb: 'dropout_rate',
  layerNormEps: 'layer_norm_epsilon',
  initializerRange: 'initializer_factor',
  feedForwardProj: 'feed_forward_proj',
  tieWordEmbeddings: 'tie_word_embeddings',
  maxPositionEmbeddings: 'n_positions',
  padTokenId: 'pad_token_id',
  eosTokenId: 'eos_token_id',
  decoderStartTokenId: 'decoder_start_token_id',
} as const satisfies Partial<Record<keyof T5Config, string>>;
type Field = keyof typeof HF_NAMES;
const FIELDS = Object.keys(HF_NAMES) as Field[];

/** The activation of the feed-forward block, by Hugging Face's name (`dense_act_fn`). */
export function t5Activation(proj: FeedForwardProj): string {
  const act = proj.replace(/^gated-/, '');
  return act === 'gelu' && proj.startsWith('gated-') ? 'gelu_new' : act; // HF: "gated-gelu" means gelu_new
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function validate(c: T5Config): void {
  for (const f of [
    'vocabSize',
    'hiddenSize',
    'dKv',
    'intermediateSize',
    'numHiddenLayers',
    'numDecoderLayers',
    'numAttentionHeads',
    'relativeAttentionNumBuckets',
    'relativeAttentionMaxDistance',
    'maxPositionEmbeddings',
  ] as const) {
    if (!isInt(c[f]) || c[f] < 1) throw new ConfigError(`T5 config: ${f} must be a positive integer, got ${String(c[f])}`);
  }
  if (c.relativeAttentionNumBuckets < 4)
    throw new ConfigError(
      `T5 config: relativeAttentionNumBuckets must be at least 4 (half exact, half logarithmic, both directions), got ${c.relativeAttentionNumBuckets}`,
    );
  if (!FEED_FORWARD_PROJS.includes(c.feedForwardProj))
    throw new ConfigError(`T5 config: feedForwardProj must be one of ${FEED_FORWARD_PROJS.join(', ')}, got '${String(c.feedForwardProj)}'`);
  if (typeof c.hiddenDropoutProb !== 'number' || !(c.hiddenDropoutProb >= 0 && c.hiddenDropoutProb < 1))
    throw new ConfigError(`T5 config: hiddenDropoutProb must be a probability in [0, 1), got ${String(c.hiddenDropoutProb)}`);
  for (const f of ['layerNormEps', 'initializerRange'] as const) {
    if (typeof c[f] !== 'number' || !(c[f] > 0) || !Number.isFinite(c[f]))
      throw new ConfigError(`T5 config: ${f} must be a finite number > 0, got ${String(c[f])}`);
  }
  if (typeof c.tieWordEmbeddings !== 'boolean')
    throw new ConfigError(`T5 config: tieWordEmbeddings must be true or false, got ${String(c.tieWordEmbeddings)}`);
  for (const f of ['padTokenId', 'eosTokenId', 'decoderStartTokenId'] as const) {
    const v = c[f];
    if (!isInt(v) || v < 0 || v >= c.vocabSize)
      throw new ConfigError(`T5 config: ${f} must be an integer in [0, vocabSize = ${c.vocabSize}), got ${String(v)}`);
  }
}

/**
 * A validated T5Config: `fields` (camelCase) over t5-small's values; numDecoderLayers defaults to
 * numHiddenLayers, hiddenAct follows from feedForwardProj.
 * @throws ConfigError for an unknown key (naming the nearest valid one) or an invalid value.
 */
export function t5Config(fields: Readonly<Record<string, unknown>> = {}): T5Config {
  const { modelType: _type, hiddenAct: _act, ...rest } = fields;
  for (const key of Object.keys(rest)) {
    if (!(key in HF_NAMES)) throw new ConfigError(`unknown T5 config key '${key}'${suggestion(key, FIELDS)}`);
  }
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const merged = { ...T5_SMALL, numDecoderLayers: rest.numHiddenLayers ?? T5_SMALL.numDecoderLayers, ...defined } as T5Config;
  validate(merged);
  return Object.freeze({ ...merged, hiddenAct: t5Activation(merged.feedForwardProj) });
}

/**
 * The T5Config of a config.json object; missing keys take t5-small's values, others (architectures,
 * task_specific_params, …) are ignored.
 * @throws ConfigError for a value of the wrong type or invalid, named by its config.json key.
 */
export function t5ConfigFromHf(json: Readonly<Record<string, unknown>>): T5Config {
  const fields = readHfFields(json, {
    names: HF_NAMES,
    typeOf: (f) => (f === 'feedForwardProj' ? 'string' : f === 'tieWordEmbeddings' ? 'boolean' : 'number'),
    nullIsDefault: true,
  });
  return namedAsHf(HF_NAMES, () => t5Config(fields));
}

/** The config.json object of `c` (T5ForConditionalGeneration's keys); `t5ConfigFromHf` reads it back unchanged. */
export function t5ConfigToHf(c: T5Config): Record<string, unknown> {
  return writeHfFields(c, HF_NAMES, { model_type: 't5', is_encoder_decoder: true, architectures: ['T5ForConditionalGeneration'] });
}
