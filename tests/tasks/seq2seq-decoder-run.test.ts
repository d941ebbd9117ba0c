/**
 * A seq2seq task on a decoder-only backbone through the whole run: a tiny GPT-2 (2 layers × 64) from
 * scratch learns to reverse 3–5 letters (tsv data, a WordPiece tokenizer learned from it), the run
 * recording `decoder_only` in tasks.json, dev scored on generated text (SQuAD exact match); then
 * `mtl predict`, `mtl generate` and `mtl eval` on the checkpoint. The exact-match threshold (≥ 0.9 of 60 unseen dev
 * sources) fails when the masking is wrong: labels shifted by one teach the wrong next token, and a
 * loss without the final [SEP] never teaches the model to stop (each output runs on to max_new_tokens).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { evaluateCheckpoint } from '../../src/eval/index.js';
import { readMetrics } from '../../src/io/checkpoint.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { Predictor } from '../../src/predict/predict.js';
import { train, type TrainResult } from '../../src/train/trainer.js';
import { reversalPairs, reverseRunConfig } from './seq2seq-decoder-fixture.js';

const STEPS = 600;

describe('seq2seq on a decoder: a tiny GPT-2 learns to reverse', () => {
  let dir = '';
  let result: TrainResult;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-seq2seq-decoder-'));
    writeFileSync(path.join(dir, 'train.tsv'), reversalPairs(2000, 1));
    writeFileSync(path.join(dir, 'dev.tsv'), reversalPairs(60, 2));
    result = await train(reverseRunConfig(dir, STEPS), {});
  });
  after(() => (process.env.KEEP ? console.log(dir) : rmSync(dir, { recursive: true, force: true })));

  it('records decoder_only and reaches exact match ≥ 0.9 on unseen dev sources, scored on generated text', () => {
    assert.equal(result.status, 'completed');
    const json = JSON.parse(readFileSync(path.join(dir, 'out', 'best', 'tasks.json'), 'utf8')) as {
      tasks: { options: Record<string, unknown> }[];
    };
    assert.equal(json.tasks[0]!.options.decoderOnly, true);
    const dev = readMetrics(path.join(dir, 'out', 'metrics.jsonl')).filter((m) => m.split === 'dev');
    const last = (dev.at(-1)!.metrics as Record<string, Record<string, number>>).reverse!;
    assert.ok(last.exactMatch! >= 0.9, `dev exact match ${last.exactMatch}`);
  });

  it('mtl predict writes the reversed letters alone (not the prompt)', async () => {
    using predictor = Predictor.load(path.join(dir, 'out', 'best'));
    const records = await predictor.predict(['a b c d', 'h g f']);
    const texts = records.map((r) => (r.predictions as Record<string, { text: string }>).reverse!.text);
    assert.deepEqual(texts, ['d c b a', 'f g h']);
  });

  it('mtl generate reads a prompt as the task’s source (its prefix, then the end token), streaming the continuation alone', async () => {
    using generator = TextGenerator.load(path.join(dir, 'out', 'best'));
    const pieces: string[] = [];
    const prefixed = await generator.generate('reverse: a b c d', { maxNewTokens: 8 }, (t) => pieces.push(t));
    assert.equal(prefixed.text.trim(), 'd c b a');
    assert.equal(pieces.join(''), prefixed.text);
    assert.equal((await generator.generate('h g f', { maxNewTokens: 8 })).text.trim(), 'f g h', 'the only task: its prefix put before');
  });

  it('mtl eval scores the checkpoint as training did', async () => {
    const r = await evaluateCheckpoint(path.join(dir, 'out', 'best'), { split: 'dev' });
    const dev = readMetrics(path.join(dir, 'out', 'metrics.jsonl')).filter((m) => m.split === 'dev');
    assert.deepEqual(r.metrics, dev.at(-1)!.metrics);
  });
});
