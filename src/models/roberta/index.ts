/**
 * RoBERTa (Liu et al., 2019): BERT's layers with byte-level BPE inputs, positions counted from the
 * padding id and one token type; also the architecture of XLM-R (src/models/xlm-roberta/).
 */
export { robertaConfig, robertaConfigFromHf, robertaConfigToHf, type RobertaConfig, type RobertaModelType } from './config.js';
export { RobertaEmbeddings, positionIdsFromInputIds } from './embeddings.js';
export { RobertaModel } from './model.js';
export { ROBERTA_FAMILY, robertaFamily } from './family.js';
