/**
 * DistilBERT as a backbone family: config.json ↔ DistilBertConfig, a new DistilBertModel, and Hugging
 * Face's names (`distilbert.` in `DistilBertFor…` task models; `vocab_projector.weight` tied to the
 * word embeddings). Registered in src/models/registry.ts under `model_type` 'distilbert'.
 */
import type { BackboneConfig, BackboneFamily } from '../backbone.js';
import { prefixedHfNaming } from '../prefixed-naming.js';
import { distilBertConfig, distilBertConfigFromHf, distilBertConfigToHf, type DistilBertConfig } from './config.js';
import { DistilBertModel } from './model.js';

const hfNames = prefixedHfNaming({
  basePrefix: 'distilbert.',
  classPrefix: 'DistilBert',
  roots: ['embeddings.', 'transformer.'],
  buffers: ['embeddings.position_ids'],
  tiedKeys: ['vocab_projector.weight'],
  sequenceClassification: {
    refused:
      "DistilBertForSequenceClassification puts a dense layer (pre_classifier) and a ReLU between the first token's state and its classifier, which this head has not",
  },
});

export const DISTILBERT_FAMILY: BackboneFamily = Object.freeze({
  modelType: 'distilbert',
  kind: 'encoder',
  hfNames,
  loraTargets: 'q_lin|v_lin',
  config: distilBertConfig,
  configFromHf: distilBertConfigFromHf,
  configToHf: (config: BackboneConfig) => distilBertConfigToHf(config as DistilBertConfig),
  create: (config: BackboneConfig, options = {}) => new DistilBertModel(config as DistilBertConfig, hfNames, options),
});
