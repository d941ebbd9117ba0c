/**
 * What the model benchmark's scripts share: the encoder sizes, the batch file's layout, and the
 * model-FLOP count behind MFU.
 */
import { bertConfig, type BertConfig } from '../../src/models/bert/index.js';
import type { TaskSpec } from '../../src/tasks/index.js';

/** The encoder sizes measured: layers × hidden (heads of 64, feed-forward 4 × hidden, as BERT). */
export const ENCODER_SIZES = {
  '2x256': { numHiddenLayers: 2, hiddenSize: 256, numAttentionHeads: 4, intermediateSize: 1024 },
  '4x512': { numHiddenLayers: 4, hiddenSize: 512, numAttentionHeads: 8, intermediateSize: 2048 },
} as const;
export type EncoderSize = keyof typeof ENCODER_SIZES;

/** The BERT config of `size` (examples/snips.yaml's other settings: 128 positions, dropout 0.1). */
export function encoderConfig(size: EncoderSize, vocabSize: number): BertConfig {
  return bertConfig({ ...ENCODER_SIZES[size], vocabSize, maxPositionEmbeddings: 128, padTokenId: 0 });
}

/** One padded batch, plain arrays: (B, T) ids and mask, (B) intent ids, (B, T) slot ids (-100 ignored). */
export interface BenchBatch {
  inputIds: number[][];
  attentionMask: number[][];
  intent: number[];
  slots: number[][];
}

/** bench/out/snips-batches.json. */
export interface BenchData {
  source: string;
  vocabSize: number;
  padTokenId: number;
  /** Number of labels of each task. */
  labels: { intent: number; slots: number };
  /** The intent and slot task specs (label lists, options), as multitask-lm builds the heads from them. */
  specs: TaskSpec[];
  /** Training examples in data order, batches padded to their longest (both sides, side by side). */
  random: BenchBatch[];
  /** The same examples in length-bucketed batches (multitask-lm's end-to-end figure). */
  bucketed: BenchBatch[];
  /** The dev split in batches of 32 (inference throughput). */
  devBatches: BenchBatch[];
  /** Dev examples one at a time, unpadded (inference latency). */
  singles: BenchBatch[];
}

/** Counts for the FLOP formula, from the config and the saved parameters. */
export interface FlopModel {
  /** Parameters that multiply activations: everything but the embedding tables. */
  nonEmbeddingParams: number;
  numLayers: number;
  hiddenSize: number;
}

/**
 * Model FLOPs of one batch (PaLM, Chowdhery et al. 2022, Appendix B): 2·N per token forward, 6·N
 * training (forward + backward), N the non-embedding parameters, plus attention's two T × T
 * products, 4·L·T·H per token forward (12·L·T·H training). Counted over the padded positions B·T,
 * which the hardware computes.
 * @param batch B × T of the batch.
 * @returns FLOPs (floating-point operations, not per second).
 */
export function modelFlops(m: FlopModel, batch: { B: number; T: number }, training: boolean): number {
  const positions = batch.B * batch.T;
  const perToken = (training ? 6 : 2) * m.nonEmbeddingParams + (training ? 12 : 4) * m.numLayers * batch.T * m.hiddenSize;
  return perToken * positions;
}
