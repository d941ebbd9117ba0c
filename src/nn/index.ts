/**
 * Layers with named parameters, in the manner of torch.nn.
 */
export { Module, ModuleList, type LoadResult } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { Conv1D } from './conv1d.js';
export { CharCnn, type CharCnnShape } from './char-cnn.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { LayerNorm } from './layer-norm.js';
export { RMSNorm } from './rms-norm.js';
export { Dropout } from './dropout.js';
export { normalInit, uniformInit, zerosInit, onesInit, zeroRow_, type ParamOptions } from './init.js';
