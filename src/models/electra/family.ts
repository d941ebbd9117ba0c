/**
 * ELECTRA (the discriminator) as a backbone family: config.json ↔ ElectraConfig, a new ElectraModel,
 * and Hugging Face's names (`electra.` in `ElectraFor…` task models, e.g. ElectraForPreTraining beside
 * `discriminator_predictions.*`). Registered in src/models/registry.ts under `model_type` 'electra'.
 */
import type { BackboneConfig, BackboneFamily } from '../backbone.js';
import { prefixedHfNaming } from '../prefixed-naming.js';
import { electraConfig, electraConfigFromHf, electraConfigToHf, type ElectraConfig } from './config.js';
import { ElectraModel } from './model.js';

const hfNames = prefixedHfNaming({
  basePrefix: 'electra.',
  classPrefix: 'Electra',
  roots: ['embeddings.', 'embeddings_project.', 'encoder.'],
  buffers: ['embeddings.position_ids', 'embeddings.token_type_ids'],
  tiedKeys: ['generator_lm_head.weight'],
  sequenceClassification: {
    refused:
      "ElectraForSequenceClassification puts a dense layer and a GELU (ElectraClassificationHead) between the first token's state and its out_proj, which this head has not",
  },
});

export const ELECTRA_FAMILY: BackboneFamily = Object.freeze({
  modelType: 'electra',
  kind: 'encoder',
  hfNames,
  loraTargets: 'query|value',
  config: electraConfig,
  configFromHf: electraConfigFromHf,
  configToHf: (config: BackboneConfig) => electraConfigToHf(config as ElectraConfig),
  create: (config: BackboneConfig, options = {}) => new ElectraModel(config as ElectraConfig, hfNames, options),
});
