/**
 * `RobertaConfig`: BERT's hyper-parameters (src/models/bert/config.ts, which validates and maps them to
 * config.json) under `model_type` 'roberta' or 'xlm-roberta', with RoBERTa's defaults (roberta-base:
 * 50,265 tokens, padding id 1, 514 positions, one token type, LayerNorm eps 1e-5).
 */
import { ConfigError } from '../../errors.js';
import { bertConfig, bertConfigFromHf, bertConfigToHf, type BertConfig } from '../bert/config.js';

/** The model types of RoBERTa's architecture: RoBERTa (Liu et al., 2019) and XLM-R (Conneau et al., ACL 2020). */
export type RobertaModelType = 'roberta' | 'xlm-roberta';

export interface RobertaConfig extends Omit<BertConfig, 'modelType'> {
  readonly modelType: RobertaModelType;
}

/** roberta-base's values where they differ from BERT's defaults (its config.json). */
const ROBERTA_DEFAULTS: Partial<BertConfig> = {
  vocabSize: 50265,
  maxPositionEmbeddings: 514,
  typeVocabSize: 1,
  layerNormEps: 1e-5,
  padTokenId: 1,
};

/** BERT's config of the same numbers: what the shared BERT layers are built from. */
export const asBertConfig = (c: Omit<BertConfig, 'modelType'>): BertConfig => ({ ...c, modelType: 'bert' });

/** Checks what RoBERTa adds to BERT's rules: a padding id (positions count from it), with room for it in the position table. */
function checkRoberta(c: RobertaConfig): RobertaConfig {
  if (c.padTokenId === null) throw new ConfigError(`${c.modelType} needs padTokenId: its position ids count from the padding id`);
  if (c.padTokenId + 2 > c.maxPositionEmbeddings)
    throw new ConfigError(
      `maxPositionEmbeddings (${c.maxPositionEmbeddings}) leaves no position after the padding id (${c.padTokenId}): ${c.modelType} numbers tokens from padTokenId + 1`,
    );
  return c;
}

/**
 * A validated RobertaConfig: `fields` (BERT's camelCase names) over roberta-base's defaults.
 * @throws ConfigError for an unknown key (naming the nearest valid one) or an invalid value.
 */
export function robertaConfig(fields: Readonly<Record<string, unknown>> = {}, modelType: RobertaModelType = 'roberta'): RobertaConfig {
  const { modelType: given, ...rest } = fields;
  const type = (given as RobertaModelType | undefined) ?? modelType;
  return checkRoberta(Object.freeze({ ...bertConfig({ ...ROBERTA_DEFAULTS, ...(rest as Partial<BertConfig>) }), modelType: type }));
}

/** The RobertaConfig of a config.json object (`model_type` 'roberta' or 'xlm-roberta'); missing keys take roberta-base's values. */
export function robertaConfigFromHf(json: Readonly<Record<string, unknown>>): RobertaConfig {
  const modelType = json.model_type as RobertaModelType;
  const defaults = Object.fromEntries(Object.entries(bertConfigToHf(bertConfig(ROBERTA_DEFAULTS))).filter(([k]) => !(k in json)));
  return checkRoberta(Object.freeze({ ...bertConfigFromHf({ ...defaults, ...json, model_type: 'bert' }), modelType }));
}

/** The config.json object of `c`; `robertaConfigFromHf` reads it back unchanged. */
export function robertaConfigToHf(c: RobertaConfig): Record<string, unknown> {
  return { ...bertConfigToHf(asBertConfig(c)), model_type: c.modelType };
}
