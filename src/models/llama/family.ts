/**
 * Llama and the families that share its layout as backbone families: config.json ↔ LlamaConfig, a new
 * LlamaModel, and Hugging Face's names (`model.` in `<Family>ForCausalLM`; `lm_head.weight` beside it,
 * a head of its own unless tie_word_embeddings). Registered in src/models/registry.ts under `model_type`
 * 'llama', 'qwen2' and 'mistral'.
 */
import type { BackboneConfig, BackboneFamily } from '../backbone.js';
import { prefixedHfNaming } from '../prefixed-naming.js';
import { llamaConfig, llamaConfigFromHf, llamaConfigToHf, type LlamaConfig, type LlamaModelType } from './config.js';
import { LlamaModel } from './model.js';

/** Each type's Transformers class stem and tokenizer class (Mistral's tokenizer.json is read by LlamaTokenizerFast). */
const CLASSES: Readonly<Record<LlamaModelType, { classPrefix: string; tokenizerClass: string }>> = {
  llama: { classPrefix: 'Llama', tokenizerClass: 'LlamaTokenizerFast' },
  qwen2: { classPrefix: 'Qwen2', tokenizerClass: 'Qwen2TokenizerFast' },
  mistral: { classPrefix: 'Mistral', tokenizerClass: 'LlamaTokenizerFast' },
};

function family(modelType: LlamaModelType): BackboneFamily {
  const { classPrefix, tokenizerClass } = CLASSES[modelType];
  const hfNames = prefixedHfNaming({
    basePrefix: 'model.',
    classPrefix,
    lmClass: `${classPrefix}ForCausalLM`,
    tokenizerClass,
    roots: ['embed_tokens.', 'layers.', 'norm.'],
    lmRoots: ['lm_head.'], // an untied LM head: the backbone's, `lm_head.weight` beside `model.` in <Family>ForCausalLM
    bufferPattern: /^layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/, // rotary frequencies older checkpoints saved
    sequenceClassification: {
      refused: `${classPrefix}ForSequenceClassification scores the last real token (its \`score\` layer), not a pooled first token as this head does`,
    },
  });
  return Object.freeze({
    modelType,
    kind: 'decoder',
    hfNames,
    loraTargets: 'q_proj|v_proj',
    config: (fields: Readonly<Record<string, unknown>> = {}) => llamaConfig({ ...fields, modelType }),
    configFromHf: (json: Readonly<Record<string, unknown>>) => llamaConfigFromHf({ ...json, model_type: modelType }),
    configToHf: (config: BackboneConfig) => llamaConfigToHf(config as LlamaConfig),
    create: (config: BackboneConfig, options = {}) => new LlamaModel(config as LlamaConfig, hfNames, options),
  });
}

export const LLAMA_FAMILY: BackboneFamily = family('llama');
export const QWEN2_FAMILY: BackboneFamily = family('qwen2');
export const MISTRAL_FAMILY: BackboneFamily = family('mistral');
