/**
 * `ElectraConfig`: BERT's hyper-parameters (validated and mapped by src/models/bert/config.ts) plus
 * `embeddingSize` (config.json `embedding_size`): ELECTRA's embeddings may be narrower than its hidden
 * states, and are then projected (`embeddings_project`). Defaults: Hugging Face's ElectraConfig.
 */
import { ConfigError } from '../../errors.js';
import { bertConfig, bertConfigFromHf, bertConfigToHf, type BertConfig } from '../bert/config.js';

export interface ElectraConfig extends Omit<BertConfig, 'modelType'> {
  readonly modelType: 'electra';
  /** E: width of the embeddings; projected to hiddenSize when they differ. */
  readonly embeddingSize: number;
}

/** Hugging Face's ElectraConfig defaults where they differ from BERT's (the small discriminator's shape). */
const ELECTRA_DEFAULTS: Partial<BertConfig> = { hiddenSize: 256, numAttentionHeads: 4, intermediateSize: 1024 };
const DEFAULT_EMBEDDING_SIZE = 128;

/** BERT's config of the same numbers (the encoder's layers are BERT's). */
export const asBertConfig = (c: ElectraConfig): BertConfig => {
  const { embeddingSize: _e, ...rest } = c;
  return { ...rest, modelType: 'bert' };
};

function withEmbeddingSize(bert: BertConfig, embeddingSize: unknown): ElectraConfig {
  if (!Number.isInteger(embeddingSize) || (embeddingSize as number) < 1)
    throw new ConfigError(`embeddingSize must be a positive integer, got ${String(embeddingSize)}`);
  return Object.freeze({ ...bert, modelType: 'electra', embeddingSize: embeddingSize as number });
}

/**
 * A validated ElectraConfig: `fields` (BERT's camelCase names and `embeddingSize`) over ElectraConfig's defaults.
 * @throws ConfigError for an unknown key (naming the nearest valid one) or an invalid value.
 */
export function electraConfig(fields: Readonly<Record<string, unknown>> = {}): ElectraConfig {
  const { modelType: _type, embeddingSize = DEFAULT_EMBEDDING_SIZE, ...rest } = fields;
  return withEmbeddingSize(bertConfig({ ...ELECTRA_DEFAULTS, ...(rest as Partial<BertConfig>) }), embeddingSize);
}

/** The ElectraConfig of a config.json object (`model_type` 'electra'); missing keys take ElectraConfig's defaults. */
export function electraConfigFromHf(json: Readonly<Record<string, unknown>>): ElectraConfig {
  const { embedding_size: embeddingSize = DEFAULT_EMBEDDING_SIZE, ...rest } = json;
  const defaults = Object.fromEntries(Object.entries(bertConfigToHf(bertConfig(ELECTRA_DEFAULTS))).filter(([k]) => !(k in json)));
  try {
    return withEmbeddingSize(bertConfigFromHf({ ...defaults, ...rest, model_type: 'bert' }), embeddingSize);
  } catch (e) {
    if (e instanceof ConfigError && e.message.startsWith('embeddingSize'))
      throw new ConfigError(`config.json: ${e.message.replace('embeddingSize', 'embedding_size')}`);
    throw e;
  }
}

/** The config.json object of `c`; `electraConfigFromHf` reads it back unchanged. */
export function electraConfigToHf(c: ElectraConfig): Record<string, unknown> {
  return { ...bertConfigToHf(asBertConfig(c)), model_type: 'electra', embedding_size: c.embeddingSize };
}
