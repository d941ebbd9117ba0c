/**
 * The BERT encoder (Devlin et al., "BERT: Pre-training of Deep Bidirectional Transformers for
 * Language Understanding", NAACL 2019), parameter-compatible with Hugging Face's BertModel.
 */
export {
  BERT_BASE,
  HIDDEN_ACTS,
  bertConfig,
  bertConfigFromHf,
  bertConfigToHf,
  validateBertConfig,
  type BertConfig,
  type HiddenAct,
} from './config.js';
export { BertEmbeddings } from './embeddings.js';
export { BertAttention, BertSelfAttention, BertSelfOutput, attentionBias } from './attention.js';
export { BertIntermediate, BertLayer, BertOutput } from './layer.js';
export { BertEncoder, BertModel, BertPooler, type BertInputs, type BertModelOptions, type BertOutputs } from './encoder.js';
export {
  BERT_HF_NAMES,
  HF_BERT_PREFIX,
  HF_MLM_PREFIX,
  HF_TIED_KEYS,
  encoderKeyFromHf,
  splitHfStateDict,
  toHfStateDict,
} from './hf-names.js';
export { BERT_FAMILY } from './family.js';
