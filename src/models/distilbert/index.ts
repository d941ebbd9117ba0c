/** DistilBERT (Sanh et al., 2019): a 6-layer student of BERT without token types or pooler, under its own Hugging Face names. */
export { distilBertConfig, distilBertConfigFromHf, distilBertConfigToHf, type DistilBertConfig } from './config.js';
export { FFN, MultiHeadSelfAttention, TransformerBlock } from './block.js';
export { DistilBertEmbeddings, DistilBertModel, Transformer } from './model.js';
export { DISTILBERT_FAMILY } from './family.js';
