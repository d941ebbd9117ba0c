export { LlamaAttention, LlamaDecoderLayer, LlamaMlp } from './block.js';
export { RMSNorm as RmsNorm } from '../../nn/rms-norm.js';
export { llamaConfig, llamaConfigFromHf, llamaConfigToHf, type LlamaConfig } from './config.js';
export { LLAMA_FAMILY } from './family.js';
export { LlamaModel } from './model.js';
