/**
 * BERT as a backbone family (src/models/backbone.ts): config.json ↔ BertConfig, a new BertModel, and
 * its Hugging Face names. Registered in src/models/registry.ts under `model_type` 'bert'.
 */
import type { BackboneConfig, BackboneFamily } from '../backbone.js';
import { bertConfig, bertConfigFromHf, bertConfigToHf, type BertConfig } from './config.js';
import { BertModel } from './encoder.js';
import { BERT_HF_NAMES } from './hf-names.js';

export const BERT_FAMILY: BackboneFamily = Object.freeze({
  modelType: 'bert',
  kind: 'encoder',
  hfNames: BERT_HF_NAMES,
  loraTargets: 'query|value',
  config: (fields: Readonly<Record<string, unknown>> = {}) => bertConfig(fields as Partial<BertConfig>),
  configFromHf: bertConfigFromHf,
  configToHf: (config: BackboneConfig) => bertConfigToHf(config as BertConfig),
  create: (config: BackboneConfig, options = {}) => new BertModel(config as BertConfig, options),
});
