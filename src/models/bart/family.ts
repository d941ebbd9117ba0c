/**
 * BART and Marian as backbone families (one layout, two `model_type`s): config.json ↔ BartConfig, a
 * new BartModel, and Hugging Face's names. The task models (`BartForConditionalGeneration`,
 * `MarianMTModel`) hold the base model under `model.` and the LM head's bias `final_logits_bias` at
 * the top; `lm_head.weight` and `{encoder,decoder}.embed_tokens.weight` are copies of `shared.weight`,
 * and Marian's `embed_positions.weight` tables are fixed sinusoids the backbone computes. Registered in
 * src/models/registry.ts under 'bart' and 'marian'.
 */
import type { Tensor } from '../../tensor/index.js';
import type { BackboneConfig, BackboneFamily, HfNaming } from '../backbone.js';
import { prefixedHfNaming } from '../prefixed-naming.js';
import { bartConfig, bartConfigFromHf, bartConfigToHf, type BartConfig } from './config.js';
import { BartModel } from './model.js';

const LM_BIAS = 'final_logits_bias';

function naming(modelType: 'bart' | 'marian'): HfNaming {
  const base = prefixedHfNaming({
    basePrefix: 'model.',
    classPrefix: modelType === 'bart' ? 'Bart' : 'Marian',
    lmClass: modelType === 'bart' ? 'BartForConditionalGeneration' : 'MarianMTModel',
    tokenizerClass: modelType === 'bart' ? 'BartTokenizerFast' : 'PreTrainedTokenizerFast', // MarianTokenizer reads SentencePiece files only
    roots: ['shared.', 'encoder.', 'decoder.', LM_BIAS],
    buffers: modelType === 'marian' ? ['encoder.embed_positions.weight', 'decoder.embed_positions.weight'] : [],
    tiedKeys: [
      'lm_head.weight',
      'model.encoder.embed_tokens.weight',
      'model.decoder.embed_tokens.weight',
      'encoder.embed_tokens.weight',
      'decoder.embed_tokens.weight',
    ],
    sequenceClassification: {
      refused: `${modelType === 'bart' ? 'BartForSequenceClassification' : 'Marian'} classifies the decoder's state at the last EOS through a dense + tanh head, which this pooled-first-token head has not`,
    },
  });
  return Object.freeze({
    ...base,
    /** `final_logits_bias` stays at the top level of the task model; the rest goes under `prefix`. */
    toHf(state: ReadonlyMap<string, Tensor>, prefix = ''): Map<string, Tensor> {
      return new Map([...state].map(([k, t]) => [k === LM_BIAS ? k : prefix + k, t]));
    },
  });
}

function family(modelType: 'bart' | 'marian'): BackboneFamily {
  const hfNames = naming(modelType);
  return Object.freeze({
    modelType,
    kind: 'encoder-decoder',
    hfNames,
    loraTargets: 'q_proj|v_proj', // PEFT's default for BART and Marian
    config: (fields: Readonly<Record<string, unknown>> = {}) => bartConfig(modelType, fields),
    configFromHf: (json: Readonly<Record<string, unknown>>) => bartConfigFromHf(modelType, json),
    configToHf: (config: BackboneConfig) => bartConfigToHf(config as BartConfig),
    create: (config: BackboneConfig, options = {}) => new BartModel(config as BartConfig, hfNames, options),
  });
}

export const BART_FAMILY: BackboneFamily = family('bart');
export const MARIAN_FAMILY: BackboneFamily = family('marian');
