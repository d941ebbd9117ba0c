/** Task types: one file per type, each defining its head, features, collation, loss, decoding and metrics. */
export * from './types.js';
export {
  labelIndex,
  truncateEncoding,
  type TruncationSide,
  truncationOf,
  padInputs,
  encodeInputs,
  checkInputsFit,
  exampleOf,
  inGoldOrder,
  type TextInput,
} from './features.js';
export { LinearHead } from './linear-head.js';
export * from './pooling.js';
export * from './sequence-classification.js';
export * from './token-classification.js';
export * from './masked-lm.js';
export * from './link-prediction.js';
export * from './regression.js';
export * from './relation-classification.js';
export { RelationClassificationHead, relationLogits } from './relation-head.js';
export * from './extractive-qa.js';
export { qaWindows, answerTokens, type QaWindow, type WindowOptions } from './qa-windows.js';
export * from './causal-lm.js';
export * from './seq2seq.js';
export { SEQ2SEQ, type Seq2seqOptions } from './seq2seq-options.js';
export type { Seq2seqExample } from './seq2seq-features.js';
export type { Seq2seqPrediction } from './seq2seq-generation.js';
export * from './text-metrics.js';
export * from './seq2seq-decoder.js';
export * from './text-to-text.js';
export * from './span-corruption.js';
export * from './replaced-token-detection.js';
export * from './chat.js';
export { ReplacedTokenDetectionHead } from './rtd/head.js';
export { ElectraGenerator, generatorConfig } from './rtd/generator.js';
export { RTD_CHANNEL, RTD_CHANNELS, corrupt, packOutputs, rtdLosses, sampleTokens } from './rtd/objective.js';
export { maskedPositions } from './masked-positions.js';
export * from './registry.js';
export { OptionError } from './options.js';
export { symmetricKl, symmetricBernoulliKl, outputDivergence } from './divergence.js';
export { splitWords, whitespaceWords, isPunctuation } from './input-words.js';
export * from './joint-batch.js';
