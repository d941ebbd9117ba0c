export { BART_FAMILY, MARIAN_FAMILY } from './family.js';
export { BartModel, BartStack, marianSinusoids } from './model.js';
export { BartAttention, BartLayer } from './layer.js';
export { BART_ACTIVATIONS, bartConfig, bartConfigFromHf, bartConfigToHf, type BartConfig } from './config.js';
