/**
 * `DistilBertConfig`: DistilBERT's hyper-parameters under the common camelCase names (BERT's; validated
 * by src/models/bert/config.ts), mapped to DistilBERT's own config.json keys (`dim`, `n_layers`,
 * `n_heads`, `hidden_dim`, `activation`, `dropout`, `attention_dropout`). DistilBERT has no token
 * types, LayerNorm eps 1e-12 everywhere, and learned positions (`sinusoidal_pos_embds: true` is refused).
 */
import { ConfigError } from '../../errors.js';
import { bertConfig, type BertConfig } from '../bert/config.js';
import { namedAsHf, readHfFields, writeHfFields } from '../hf-config.js';

export interface DistilBertConfig extends Omit<BertConfig, 'modelType'> {
  readonly modelType: 'distilbert';
}

/** distilbert-base-uncased (Sanh et al., 2019), Hugging Face's DistilBertConfig defaults. */
const DISTILBERT_DEFAULTS: Partial<BertConfig> = {
  vocabSize: 30522,
  hiddenSize: 768,
  numHiddenLayers: 6,
  numAttentionHeads: 12,
  intermediateSize: 3072,
  hiddenAct: 'gelu',
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
  maxPositionEmbeddings: 512,
  typeVocabSize: 1,
  initializerRange: 0.02,
  layerNormEps: 1e-12,
  padTokenId: 0,
};

/** config.json key of each field DistilBERT has (no token types; LayerNorm eps is fixed at 1e-12). */
const HF_NAMES = {
  vocabSize: 'vocab_size',
  hiddenSize: 'dim',
  numHiddenLayers: 'n_layers',
  numAttentionHeads: 'n_heads',
  intermediateSize: 'hidden_dim',
  hiddenAct: 'activation',
  hiddenDropoutProb: 'dropout',
  attentionProbsDropoutProb: 'attention_dropout',
  maxPositionEmbeddings: 'max_position_embeddings',
  initializerRange: 'initializer_range',
  padTokenId: 'pad_token_id',
} as const satisfies Partial<Record<keyof BertConfig, string>>;

/** A BertConfig of the same numbers: what the shared validation and activations read. */
export const asBertConfig = (c: DistilBertConfig): BertConfig => ({ ...c, modelType: 'bert' });

/**
 * A validated DistilBertConfig: `fields` (camelCase) over distilbert-base's defaults.
 * @throws ConfigError for an unknown key, an invalid value, or a token-type count or LayerNorm eps DistilBERT does not have.
 */
export function distilBertConfig(fields: Readonly<Record<string, unknown>> = {}): DistilBertConfig {
  const { modelType: _type, ...rest } = fields;
  const c = bertConfig({ ...DISTILBERT_DEFAULTS, ...(rest as Partial<BertConfig>) });
  if (c.typeVocabSize !== 1) throw new ConfigError(`DistilBERT has no token types: typeVocabSize must be 1, got ${c.typeVocabSize}`);
  if (c.layerNormEps !== 1e-12) throw new ConfigError(`DistilBERT's LayerNorms use eps 1e-12, got layerNormEps ${c.layerNormEps}`);
  return Object.freeze({ ...c, modelType: 'distilbert' });
}

/**
 * The DistilBertConfig of a config.json object (`model_type` 'distilbert'); missing keys take
 * distilbert-base's values, others (qa_dropout, seq_classif_dropout, tie_weights_, …) are ignored.
 * @throws ConfigError for a value of the wrong type or invalid (named by its config.json key), or `sinusoidal_pos_embds: true`.
 */
export function distilBertConfigFromHf(json: Readonly<Record<string, unknown>>): DistilBertConfig {
  if (json.sinusoidal_pos_embds === true)
    throw new ConfigError('config.json has sinusoidal_pos_embds = true; this DistilBERT supports learned positions only (false)');
  const fields = readHfFields(json, {
    names: HF_NAMES,
    typeOf: (f) => (f === 'hiddenAct' ? 'string' : 'number'),
    nullable: new Set(['padTokenId']),
  });
  return namedAsHf(HF_NAMES, () => distilBertConfig(fields));
}

/** The config.json object of `c` (DistilBertModel's keys); `distilBertConfigFromHf` reads it back unchanged. */
export function distilBertConfigToHf(c: DistilBertConfig): Record<string, unknown> {
  return writeHfFields(c, HF_NAMES, { model_type: 'distilbert', sinusoidal_pos_embds: false });
}
