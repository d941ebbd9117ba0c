/**
 * RoBERTa as a backbone family: config.json ↔ RobertaConfig, a new RobertaModel, and Hugging Face's
 * names (`roberta.` in `RobertaFor…` task models; `lm_head.decoder.*` tied to the word embeddings).
 * Registered in src/models/registry.ts under `model_type` 'roberta'; XLM-R reuses it (src/models/xlm-roberta/).
 */
import type { BackboneConfig, BackboneFamily } from '../backbone.js';
import { prefixedHfNaming } from '../prefixed-naming.js';
import { robertaConfig, robertaConfigFromHf, robertaConfigToHf, type RobertaConfig, type RobertaModelType } from './config.js';
import { RobertaModel } from './model.js';

/** The family of RoBERTa's architecture under `modelType`, whose Transformers classes are `<classPrefix>Model`, `<classPrefix>ForSequenceClassification`, …. */
export function robertaFamily(modelType: RobertaModelType, classPrefix: string): BackboneFamily {
  const hfNames = prefixedHfNaming({
    basePrefix: 'roberta.', // XLMRobertaFor… hold their base model under `roberta.` too
    classPrefix,
    roots: ['embeddings.', 'encoder.', 'pooler.'],
    buffers: ['embeddings.position_ids', 'embeddings.token_type_ids'],
    tiedKeys: ['lm_head.decoder.weight', 'lm_head.decoder.bias'],
    sequenceClassification: 'classification-head', // RobertaClassificationHead: the pooler's dense + tanh, then out_proj
  });
  return Object.freeze({
    modelType,
    kind: 'encoder',
    hfNames,
    loraTargets: 'query|value',
    config: (fields: Readonly<Record<string, unknown>> = {}) => robertaConfig(fields, modelType),
    configFromHf: (json: Readonly<Record<string, unknown>>) => robertaConfigFromHf({ ...json, model_type: modelType }),
    configToHf: (config: BackboneConfig) => robertaConfigToHf(config as RobertaConfig),
    create: (config: BackboneConfig, options = {}) => new RobertaModel(config as RobertaConfig, hfNames, options),
  });
}

export const ROBERTA_FAMILY: BackboneFamily = robertaFamily('roberta', 'Roberta');
