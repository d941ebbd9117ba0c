/**
 * What the generation benchmark runs, shared by the suite (./suite.ts) and our side (./ours.ts); the
 * peer (bench/peer/generate.py) reads the same prompts.json and runs the same configurations.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { seededUniform } from '../../src/generate/processors.js';

/** One decoding configuration: `batch` prompts, greedy (beams 1) or beam search. */
export interface GenerateConfig {
  /** `greedy/B` or `beamN/B`: the key of its results on both sides. */
  readonly key: string;
  readonly batch: number;
  readonly beams: number;
}

/** Greedy at batch 1, 8 and 16; 4 beams (length penalty 1, early stopping false: Hugging Face's defaults) at batch 1. */
export const GENERATE_CONFIGS: readonly GenerateConfig[] = [
  { key: 'greedy/1', batch: 1, beams: 1 },
  { key: 'greedy/8', batch: 8, beams: 1 },
  { key: 'greedy/16', batch: 16, beams: 1 },
  { key: 'beam4/1', batch: 1, beams: 4 },
];

/** Training batches: B rows; gpt2 T tokens per row, t5 S source and L label tokens per row. */
export const TRAIN_SHAPE = { batch: 4, gpt2Tokens: 64, t5Source: 64, t5Labels: 32, batches: 2 };

/** A training batch: (B, T) ids; for t5 also (B, L) labels (the decoder's targets). */
export interface TrainBatch {
  inputIds: number[][];
  labels: number[][];
}

/** prompts.json: per model the prompt rows (gpt2: 16 tokens; t5: 32-token sources) and training batches. */
export interface BenchPrompts {
  gpt2: number[][];
  t5: number[][];
  train: { gpt2: TrainBatch[]; t5: TrainBatch[] };
}

export const VOCAB = { gpt2: 50257, t5: 32128 };

/** Writes DIR/prompts.json: seeded token ids (none special: 2 … V − 2), 16 rows per model. */
export function writePrompts(dir: string): void {
  const uniform = seededUniform(20261206);
  const rows = (n: number, length: number, vocab: number) =>
    Array.from({ length: n }, () => Array.from({ length }, () => 2 + Math.floor(uniform() * (vocab - 3))));
  const rowsMax = Math.max(...GENERATE_CONFIGS.map((c) => c.batch));
  const gpt2 = rows(rowsMax, 16, VOCAB.gpt2);
  const t5 = rows(rowsMax, 32, VOCAB.t5);
  const s = TRAIN_SHAPE;
  const train = {
    gpt2: Array.from({ length: s.batches }, () => ({ inputIds: rows(s.batch, s.gpt2Tokens, VOCAB.gpt2), labels: [] })),
    t5: Array.from({ length: s.batches }, () => ({
      inputIds: rows(s.batch, s.t5Source, VOCAB.t5),
      labels: rows(s.batch, s.t5Labels, VOCAB.t5),
    })),
  };
  const prompts: BenchPrompts = { gpt2, t5, train };
  writeFileSync(path.join(dir, 'prompts.json'), `${JSON.stringify(prompts)}\n`);
}
