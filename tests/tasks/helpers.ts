/**
 * Shared set-up of the task and multi-task tests: SNIPS examples, a small WordPiece tokenizer trained
 * on SNIPS utterances, and a tiny BERT config over its vocabulary (hidden 32, 2 layers, 4 heads).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJointFolder, type JointExample } from '../../src/data/index.js';
import { bertConfig, type BertConfig } from '../../src/models/bert/index.js';
import { trainWordPiece, type Tokenizer } from '../../src/tokenization/index.js';
import type { TensorFixture } from '../helpers/fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DATASETS = path.resolve(ROOT, '..', 'shared', 'datasets');

const cache = new Map<string, JointExample[]>();

/** The examples of a joint-NLU split, e.g. `snips/train` (read once per process). */
export function jointSplit(name: string): JointExample[] {
  let examples = cache.get(name);
  if (examples === undefined) {
    examples = readJointFolder(path.join(DATASETS, name)).examples;
    cache.set(name, examples);
  }
  return examples;
}

let tokenizer: Tokenizer | undefined;

/** A WordPiece tokenizer (about 600 tokens) learned from the first 3,000 SNIPS training utterances. */
export function snipsTokenizer(): Tokenizer {
  tokenizer ??= trainWordPiece(
    jointSplit('snips/train')
      .slice(0, 3000)
      .map((e) => e.tokens.join(' ')),
    { vocabSize: 600, minFrequency: 2 },
  );
  return tokenizer;
}

/** A tiny BERT over `vocabSize` tokens, dropout off unless asked (shape tests must be deterministic). */
export function tinyConfig(vocabSize: number, fields: Partial<BertConfig> = {}): BertConfig {
  return bertConfig({
    vocabSize,
    hiddenSize: 32,
    numHiddenLayers: 2,
    numAttentionHeads: 4,
    intermediateSize: 37,
    maxPositionEmbeddings: 64,
    hiddenDropoutProb: 0,
    attentionProbsDropoutProb: 0,
    ...fields,
  });
}

/** A loss fixture of scripts/fixtures/tasks.py: logits and labels in, torch's loss and its gradient out. */
export interface LossCase {
  logits: TensorFixture;
  labels: TensorFixture;
  loss: TensorFixture;
  grad: TensorFixture;
}
