/**
 * Llama as a backbone family: config.json ↔ LlamaConfig, a new LlamaModel, and Hugging Face's names
 * (`model.` in `LlamaForCausalLM`; `lm_head.weight` beside it, a head of its own unless
 * tie_word_embeddings). Registered in src/models/registry.ts under `model_type` 'llama'.
 */
import type { BackboneConfig, BackboneFamily } from '../backbone.js';
import { prefixedHfNaming } from '../prefixed-naming.js';
import { llamaConfig, llamaConfigFromHf, llamaConfigToHf, type LlamaConfig } from './config.js';
import { LlamaModel } from './model.js';

const hfNames = prefixedHfNaming({
  basePrefix: 'model.',
  classPrefix: 'Llama',
  lmClass: 'LlamaForCausalLM',
  roots: ['embed_tokens.', 'layers.', 'norm.'],
  bufferPattern: /^layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/, // rotary frequencies older checkpoints saved
  sequenceClassification: {
    refused: 'LlamaForSequenceClassification scores the last real token (its `score` layer), not a pooled first token as this head does',
  },
});

export const LLAMA_FAMILY: BackboneFamily = Object.freeze({
  modelType: 'llama',
  kind: 'decoder',
  hfNames,
  loraTargets: 'q_proj|v_proj',
  config: llamaConfig,
  configFromHf: llamaConfigFromHf,
  configToHf: (config: BackboneConfig) => llamaConfigToHf(config as LlamaConfig),
  create: (config: BackboneConfig, options = {}) => new LlamaModel(config as LlamaConfig, hfNames, options),
});
