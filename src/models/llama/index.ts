export { LlamaAttention, LlamaDecoderLayer, LlamaMlp } from './block.js';
export { RMSNorm as RmsNorm } from '../../nn/rms-norm.js';
export { llamaConfig, llamaConfigFromHf, llamaConfigToHf, type LlamaConfig, type LlamaModelType } from './config.js';
export { LLAMA_FAMILY, MISTRAL_FAMILY, QWEN2_FAMILY } from './family.js';
export { LlamaModel } from './model.js';
