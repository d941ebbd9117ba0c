export { T5_FAMILY } from './family.js';
export { T5Model, T5Stack } from './model.js';
export { T5Attention, relativePositionBucket } from './attention.js';
export { T5Block, T5DenseReluDense, T5LayerCrossAttention, T5LayerFF, T5LayerSelfAttention } from './block.js';
export { t5Config, t5ConfigFromHf, t5ConfigToHf, T5_SMALL, FEED_FORWARD_PROJS, type FeedForwardProj, type T5Config } from './config.js';
