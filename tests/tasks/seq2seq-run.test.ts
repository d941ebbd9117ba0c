/**
 * Text-to-text multi-task training through the trainer (T5's paradigm): two seq2seq tasks over the
 * same kind of source, told apart only by their prefix ("copy: ", "reverse: "), trained in one tiny
 * BART from scratch (tsv data, a WordPiece tokenizer learned from it) with the run's sampler; dev
 * metrics come from generated text. `mtl predict`, `mtl generate` and `mtl eval` on the checkpoint, and a run
 * interrupted and resumed ends with the uninterrupted run's weights. (That a tiny model learns a task
 * is tests/tasks/seq2seq.test.ts's check; this run is too short to learn.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { evaluateCheckpoint } from '../../src/eval/index.js';
import { readMetrics } from '../../src/io/checkpoint.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { Predictor } from '../../src/predict/predict.js';
import { taskTypes } from '../../src/tasks/index.js';
import { train, type TrainResult } from '../../src/train/trainer.js';
import { assertSameFiles, interruptAndResume } from '../helpers/resume.js';

const WORDS = 'a b c d e f g h'.split(' ');

/** "source\ttarget" lines: 3–5 random letters and the same letters (copy) or reversed. */
function pairs(n: number, seed: number, reverse: boolean): string {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = Array.from({ length: n }, () => {
    const w = Array.from({ length: 3 + Math.floor(next() * 3) }, () => WORDS[Math.floor(next() * WORDS.length)]!);
    return `${w.join(' ')}\t${(reverse ? [...w].reverse() : w).join(' ')}`;
  });
  return `source\ttarget\n${lines.join('\n')}\n`;
}

const config = (dir: string, steps: number, out: string) =>
  parseTrainingConfig(
    `seed: 3
output_dir: ${out}
encoder: { model_type: bart, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64,
           max_position_embeddings: 32, hidden_dropout_prob: 0 }
tokenizer: { train: { vocab_size: 48, min_frequency: 1 } }
max_length: 20
tasks:
  - { name: copy, type: seq2seq, data: { format: tsv, train: copy.tsv, dev: copy-dev.tsv }, input: { text: source }, label: { field: target },
      options: { prefix: "copy: ", metrics: [squad, bleu], max_target_length: 8 } }
  - { name: reverse, type: seq2seq, data: { format: tsv, train: reverse.tsv, dev: reverse-dev.tsv }, input: { text: source },
      label: { field: target }, options: { prefix: "reverse: ", metrics: [squad], max_target_length: 8, num_beams: 2 } }
training: { max_steps: ${steps}, batch_size: 16, learning_rate: 3.0e-3, warmup_steps: 2, eval_every: ${steps}, log_every: 50,
            sampler: { kind: uniform } }
`,
    { taskTypes, source: path.join(dir, 'config.yaml') },
  );

describe('seq2seq: text-to-text multi-task training of a tiny BART', () => {
  let dir = '';
  let result: TrainResult;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-seq2seq-'));
    writeFileSync(path.join(dir, 'copy.tsv'), pairs(100, 1, false));
    writeFileSync(path.join(dir, 'copy-dev.tsv'), pairs(30, 2, false));
    writeFileSync(path.join(dir, 'reverse.tsv'), pairs(100, 3, true));
    writeFileSync(path.join(dir, 'reverse-dev.tsv'), pairs(30, 4, true));
    result = await train(config(dir, 800, 'out'), {});
  });
  after(() => (process.env.KEEP ? console.log(dir) : rmSync(dir, { recursive: true, force: true })));

  it('trains both tasks in one model and scores their generated dev text', () => {
    assert.equal(result.status, 'completed');
    const start = readMetrics(path.join(dir, 'out', 'metrics.jsonl')).find((m) => m.type === 'start')!;
    assert.deepEqual(start.streams, ['copy', 'reverse'], 'two streams, one model');
    const dev = readMetrics(path.join(dir, 'out', 'metrics.jsonl')).filter((m) => m.split === 'dev');
    const last = dev.at(-1)!.metrics as Record<string, Record<string, number>>;
    assert.deepEqual(Object.keys(last.copy!).sort(), ['bleu', 'exactMatch', 'f1']);
    assert.deepEqual(Object.keys(last.reverse!).sort(), ['exactMatch', 'f1']);
  });

  it('mtl predict generates each task’s text from the checkpoint', async () => {
    using predictor = Predictor.load(path.join(dir, 'out', 'best'));
    const [record] = await predictor.predict(['a b c d']);
    const p = record!.predictions as Record<string, { text: string }>;
    assert.equal(typeof p.copy!.text, 'string');
    assert.equal(typeof p.reverse!.text, 'string');
  });

  it('mtl generate on the checkpoint: the prompt picks the task by its prefix, and gives what predict gives', async () => {
    using predictor = Predictor.load(path.join(dir, 'out', 'best'));
    const [record] = await predictor.predict(['b a d c']);
    const p = record!.predictions as Record<string, { text: string }>;
    using generator = TextGenerator.load(path.join(dir, 'out', 'best'));
    const pieces: string[] = [];
    const copy = await generator.generate('copy: b a d c', { maxNewTokens: 8 }, (t) => pieces.push(t));
    const reverse = await generator.generate('reverse: b a d c', { maxNewTokens: 8 });
    assert.equal(copy.text.trim(), p.copy!.text);
    assert.equal(reverse.text.trim(), p.reverse!.text);
    assert.equal(pieces.join(''), copy.text, 'streamed pieces make the text');
  });

  it('mtl eval scores the checkpoint as training did', async () => {
    const r = await evaluateCheckpoint(path.join(dir, 'out', 'best'), { split: 'dev' });
    const dev = readMetrics(path.join(dir, 'out', 'metrics.jsonl')).filter((m) => m.split === 'dev');
    assert.deepEqual(r.metrics, dev.at(-1)!.metrics);
  });

  it('a run interrupted at step 4 and resumed ends with the weights of the uninterrupted run', async () => {
    const full = await train(config(dir, 8, 'full'), {});
    assert.equal(full.status, 'completed');
    assert.equal((await interruptAndResume(config(dir, 8, 'resumed'), 4)).step, 8);
    assertSameFiles(path.join(dir, 'resumed', 'last'), path.join(dir, 'full', 'last'));
  });
});
