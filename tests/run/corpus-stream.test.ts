/**
 * Masked LM on a plain-text corpus larger than its window: every line once per epoch, at most
 * window_lines examples featurized at a time, the vocabulary learned from the first sample_lines
 * lines, and a run interrupted mid-epoch that resumes to the weights of the uninterrupted run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadTrainingConfig, type TrainingConfig } from '../../src/io/config/index.js';
import { CorpusTrainStream } from '../../src/run/corpus-stream.js';
import { prepareRun, type PreparedRun } from '../../src/run/prepare.js';
import { trainStreams } from '../../src/run/streams.js';
import { train } from '../../src/train/trainer.js';
import { taskTypes } from '../../src/tasks/index.js';
import { assertSameFiles, interruptAndResume } from '../helpers/resume.js';

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
const DEV = 8;
const WINDOW = 16;
/** 60 distinct lines of 3 to 6 words; 'omega' only in line 41 and later (after sample_lines). */
const LINES = Array.from({ length: 60 }, (_, k) => {
  const words = [WORDS[k % 8], WORDS[(k >> 3) % 8], WORDS[(k * 5 + 3) % 8]];
  for (let i = 0; i < k % 4; i++) words.push(WORDS[(k + i * 3) % 8]);
  if (k >= 40) words.push('omega');
  return words.join(' ');
});
const TRAIN_LINES = LINES.length - DEV; // 52: windows of 16, 16, 16 and 4 lines; batches 4 + 4 + 4 + 1

const YAML = `seed: 7
output_dir: out/corpus
encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 32 }
tokenizer: { train: { vocab_size: 120, min_frequency: 1, sample_lines: 20 } }
max_length: 16
tasks:
  - { name: mlm, type: masked-lm, data: { format: text, train: corpus.txt, dev_lines: ${DEV}, window_lines: ${WINDOW} }, options: { seed: 3 } }
training: { max_steps: 16, batch_size: 4, eval_every: 8, log_every: 4, schedule: constant }
`;

let dir = '';
const at = (...parts: string[]) => path.join(dir, ...parts);
let config: TrainingConfig;
let prepared: PreparedRun;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mtl-corpus-'));
  writeFileSync(at('corpus.txt'), LINES.join('\n') + '\n');
  writeFileSync(at('corpus.yaml'), YAML);
  config = loadTrainingConfig(at('corpus.yaml'), { taskTypes });
  prepared = await prepareRun(config, { splits: ['train'] });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const corpusStream = () =>
  trainStreams(prepared.streams, { batchSize: 4 }, config.seed, {
    tokenizer: prepared.tokenizer,
    maxLength: config.maxLength,
  })[0] as CorpusTrainStream;

describe('a text corpus streamed in windows', () => {
  it('covers every training line exactly once per epoch, shuffled anew, holding at most one window of features', async () => {
    const s = corpusStream();
    assert.ok(s instanceof CorpusTrainStream, 'a text task trains from a corpus stream');
    assert.equal(s.size, TRAIN_LINES);
    assert.equal(s.batchesPerEpoch, 13);
    const orders: number[][] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      const lines: number[] = [];
      for (let b = 0; b < s.batchesPerEpoch; b++) {
        const batch = await s.next();
        const { window } = s.state as { window: number };
        assert.equal(s.state.epoch, epoch, `batch ${b} belongs to epoch ${epoch}`);
        assert.ok(s.heldExamples <= WINDOW && batch.tasks[0]!.features.length <= WINDOW, `at most ${WINDOW} examples featurized`);
        for (const i of batch.indices) {
          const line = window * WINDOW + i;
          lines.push(line);
          const want = (await prepared.tokenizer.encode(LINES[DEV + line]!)).inputIds;
          assert.deepEqual(batch.tasks[0]!.features[i]!.inputIds, want, `window ${window} row ${i} is training line ${line}`);
        }
      }
      assert.deepEqual(
        [...lines].sort((a, b) => a - b),
        Array.from({ length: TRAIN_LINES }, (_, i) => i),
        `epoch ${epoch}: each line once`,
      );
      orders.push(lines);
    }
    assert.notDeepEqual(
      orders[0],
      [...orders[0]!].sort((a, b) => a - b),
      'lines are shuffled within windows',
    );
    assert.notDeepEqual(orders[0], orders[1], 'each epoch shuffles anew');
  });

  it('learns the vocabulary from the first sample_lines training lines only', () => {
    assert.notEqual(prepared.tokenizer.tokenToId('alpha'), null, 'a word of the first lines is in the vocabulary');
    assert.equal(prepared.tokenizer.tokenToId('omega'), null, 'a word first seen after line 40 is not');
  });

  it('resumes from a saved state (through JSON) with the same batches', async () => {
    const first = corpusStream();
    for (let b = 0; b < 7; b++) await first.next(); // window 1, batch 3
    const resumed = corpusStream();
    await resumed.loadState(JSON.parse(JSON.stringify(first.state)) as typeof first.state);
    for (let b = 0; b < 10; b++) {
      const [x, y] = [await first.next(), await resumed.next()];
      assert.deepEqual(y.indices, x.indices, `batch ${7 + b}`);
      assert.deepEqual(
        y.indices.map((i) => y.tasks[0]!.features[i]!.inputIds),
        x.indices.map((i) => x.tasks[0]!.features[i]!.inputIds),
      );
    }
  });

  it('trains across windows and an epoch boundary; interrupted mid-epoch and resumed, it ends with identical weights', async () => {
    const whole = await train(config);
    assert.equal(whole.step, 16);
    const start = JSON.parse(readFileSync(at('out', 'corpus', 'metrics.jsonl'), 'utf8').split('\n')[0]!) as {
      examples: { mlm: Record<string, number> };
      batches_per_epoch: number;
    };
    assert.deepEqual(start.examples.mlm, { train: TRAIN_LINES, dev: DEV });
    assert.equal(start.batches_per_epoch, 13);
    const resumedConfig = { ...config, outputDir: at('out', 'resumed') };
    const second = await interruptAndResume(resumedConfig, 6, {}, () => {
      const state = JSON.parse(readFileSync(at('out', 'resumed', 'last', 'trainer_state.json'), 'utf8')) as {
        batcher_state: { window: number }[];
      };
      assert.equal(state.batcher_state[0]!.window, 1, 'stopped inside the second window');
    });
    assert.equal(second.step, 16);
    assertSameFiles(at('out', 'resumed', 'last'), at('out', 'corpus', 'last'));
  });
});
