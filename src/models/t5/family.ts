/**
 * T5 as a backbone family: config.json ↔ T5Config, a new T5Model, and Hugging Face's names (T5's task
 * models hold the base model's tensors at the top level, `shared.`, `encoder.`, `decoder.`, with
 * `lm_head.` when untied; `encoder.embed_tokens.weight` and `decoder.embed_tokens.weight` are copies
 * of `shared.weight`). Registered in src/models/registry.ts under `model_type` 't5'.
 */
import type { BackboneConfig, BackboneFamily } from '../backbone.js';
import { prefixedHfNaming } from '../prefixed-naming.js';
import { t5Config, t5ConfigFromHf, t5ConfigToHf, type T5Config } from './config.js';
import { T5Model } from './model.js';

const hfNames = prefixedHfNaming({
  basePrefix: '',
  classPrefix: 'T5',
  lmClass: 'T5ForConditionalGeneration',
  roots: ['shared.', 'encoder.', 'decoder.', 'lm_head.'],
  tiedKeys: ['encoder.embed_tokens.weight', 'decoder.embed_tokens.weight'],
  sequenceClassification: {
    refused:
      "T5ForSequenceClassification reads the decoder's state at the last EOS through a dense + tanh head, which this pooled-first-token head has not",
  },
});

export const T5_FAMILY: BackboneFamily = Object.freeze({
  modelType: 't5',
  kind: 'encoder-decoder',
  hfNames,
  loraTargets: 'q|v', // PEFT's default for T5: every attention's q and v
  config: t5Config,
  configFromHf: t5ConfigFromHf,
  configToHf: (config: BackboneConfig) => t5ConfigToHf(config as T5Config),
  create: (config: BackboneConfig, options = {}) => new T5Model(config as T5Config, hfNames, options),
});
