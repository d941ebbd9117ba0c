/** ELECTRA (Clark et al., ICLR 2020): the discriminator as an encoder, BERT's layers behind embeddings of their own width. */
export { electraConfig, electraConfigFromHf, electraConfigToHf, type ElectraConfig } from './config.js';
export { ElectraModel } from './model.js';
export { ELECTRA_FAMILY } from './family.js';
