/**
 * Which training streams group examples of similar length (`training.group_by_length`, the task
 * types' `groupsByLength`): a seq2seq stream's batches are random draws by default, so a batch holds
 * several lengths (one length per batch stalled tiny encoder-decoders on a copy task:
 * docs/results/issue13-length-bucketing.md); a classification stream keeps its length-sorted pools,
 * whose batches' length ranges do not overlap; `group_by_length` true or false decides for every stream.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadTrainingConfig, type TrainingConfig } from '../../src/io/config/index.js';
import { prepareRun, type PreparedRun } from '../../src/run/prepare.js';
import { trainStreams, type TrainStream } from '../../src/run/streams.js';
import { taskTypes } from '../../src/tasks/index.js';
import { loopParts } from '../../src/train/components.js';
import { setUpRun } from '../../src/train/setup.js';
import { silentLogger } from '../../src/logger.js';

const WORDS = 'a b c d e f g h'.split(' ');
/** 64 rows of 2 to 9 letters (8 rows of each length), in an order that does not sort them. */
const ROWS = Array.from({ length: 64 }, (_, k) => {
  const n = 2 + ((k * 5) % 8);
  return Array.from({ length: n }, (_, i) => WORDS[(k + 3 * i) % 8]).join(' ');
});

const yaml = (training: string) => `seed: 5
output_dir: out
encoder: { model_type: bart, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 32 }
tokenizer: { train: { vocab_size: 40, min_frequency: 1 } }
max_length: 16
tasks:
  - { name: copy, type: seq2seq, data: { format: tsv, train: copy.tsv }, input: { text: source }, label: { field: target } }
  - { name: size, type: sequence-classification, data: { format: tsv, train: size.tsv }, input: { text: source }, label: { field: label } }
training: { max_steps: 4, batch_size: 8${training} }
`;

let dir = '';
const at = (...parts: string[]) => path.join(dir, ...parts);
const configOf = (training: string): TrainingConfig => {
  writeFileSync(at('config.yaml'), yaml(training));
  return loadTrainingConfig(at('config.yaml'), { taskTypes });
};

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mtl-group-by-length-'));
  writeFileSync(at('copy.tsv'), `source\ttarget\n${ROWS.map((r) => `${r}\t${r}`).join('\n')}\n`);
  writeFileSync(at('size.tsv'), `source\tlabel\n${ROWS.map((r) => `${r}\t${r.length > 8 ? 'long' : 'short'}`).join('\n')}\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The input lengths (tokens) of each batch of the stream's first epoch. */
async function epochLengths(stream: TrainStream): Promise<number[][]> {
  const lengths = stream.stream.splits.train!.lengths;
  const out: number[][] = [];
  for (let b = 0; b < stream.batchesPerEpoch; b++) out.push((await stream.next()).indices.map((i) => lengths[i]!));
  return out;
}

/** Whether some two batches' length ranges overlap (never so when one sorted pool is cut into batches). */
function rangesOverlap(batches: readonly number[][]): boolean {
  const ranges = batches.map((b) => [Math.min(...b), Math.max(...b)] as const);
  return ranges.some(([lo, hi], i) => ranges.some(([lo2, hi2], j) => i !== j && lo < hi2 && lo2 < hi));
}

describe('training.group_by_length', () => {
  let prepared: PreparedRun;
  const streams = (config: TrainingConfig, groupByLength: boolean | undefined) =>
    trainStreams(prepared.streams, { batchSize: 8 }, config.seed, { tokenizer: prepared.tokenizer, maxLength: 16 }, groupByLength);

  before(async () => {
    prepared = await prepareRun(configOf(''), { splits: ['train'] });
  });

  it('by default a seq2seq stream draws random batches and a classification stream sorts its pools', async () => {
    const [copy, size] = streams(configOf(''), undefined);
    assert.equal(copy!.stream.name, 'copy');
    const copyBatches = await epochLengths(copy!);
    assert.deepEqual(copyBatches.flat().sort(), prepared.streams[0]!.splits.train!.lengths.slice().sort(), 'every example once');
    assert.ok(
      copyBatches.some((b) => new Set(b).size > 1),
      'a seq2seq batch holds several lengths',
    );
    assert.ok(rangesOverlap(copyBatches), 'seq2seq batches are not cut from one sorted pool');
    assert.ok(!rangesOverlap(await epochLengths(size!)), 'classification batches are cut from one sorted pool');
  });

  it('true groups every stream by length; false draws every stream at random', async () => {
    const config = configOf('');
    for (const s of streams(config, true)) assert.ok(!rangesOverlap(await epochLengths(s)), `${s.stream.name}: grouped`);
    for (const s of streams(config, false)) assert.ok(rangesOverlap(await epochLengths(s)), `${s.stream.name}: random`);
  });

  it('the config key reaches the trainer’s streams', async () => {
    const config = configOf(', group_by_length: true');
    assert.equal(config.training.groupByLength, true);
    const { prepared: run, model } = await setUpRun(config, {}, silentLogger);
    try {
      const parts = loopParts(config, run, model);
      try {
        assert.ok(!rangesOverlap(await epochLengths(parts.streams[0]!)), 'the seq2seq stream is grouped as the config says');
      } finally {
        parts.optimizer.dispose?.();
        parts.strategy.dispose?.();
      }
    } finally {
      model.dispose();
    }
  });
});
