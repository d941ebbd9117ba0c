export { LlamaAttention, LlamaDecoderLayer, LlamaMlp, RmsNorm } from './block.js';
export { llamaConfig, llamaConfigFromHf, llamaConfigToHf, type LlamaConfig } from './config.js';
export { LLAMA_FAMILY } from './family.js';
export { LlamaModel } from './model.js';
