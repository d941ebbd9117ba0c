/**
 * GPT-2 as a backbone family: config.json ↔ Gpt2Config, a new Gpt2Model, and Hugging Face's names
 * (`transformer.` in `GPT2LMHeadModel` and the other task models; `lm_head.weight` tied to `wte`;
 * the causal-mask buffers `h.{i}.attn.bias` / `masked_bias` that older checkpoints saved are skipped).
 * Registered in src/models/registry.ts under `model_type` 'gpt2'.
 */
import type { BackboneConfig, BackboneFamily } from '../backbone.js';
import { prefixedHfNaming } from '../prefixed-naming.js';
import { gpt2Config, gpt2ConfigFromHf, gpt2ConfigToHf, type Gpt2Config } from './config.js';
import { Gpt2Model } from './model.js';

const hfNames = prefixedHfNaming({
  basePrefix: 'transformer.',
  classPrefix: 'GPT2',
  lmClass: 'GPT2LMHeadModel',
  roots: ['wte.', 'wpe.', 'h.', 'ln_f.'],
  bufferPattern: /^h\.\d+\.attn\.(bias|masked_bias)$/, // the causal mask older checkpoints saved, which the model computes
  tiedKeys: ['lm_head.weight'],
  sequenceClassification: {
    refused: 'GPT2ForSequenceClassification scores the last real token (its `score` layer), not a pooled first token as this head does',
  },
});

export const GPT2_FAMILY: BackboneFamily = Object.freeze({
  modelType: 'gpt2',
  kind: 'decoder',
  hfNames,
  loraTargets: 'c_attn',
  config: gpt2Config,
  configFromHf: gpt2ConfigFromHf,
  configToHf: (config: BackboneConfig) => gpt2ConfigToHf(config as Gpt2Config),
  create: (config: BackboneConfig, options = {}) => new Gpt2Model(config as Gpt2Config, hfNames, options),
});
