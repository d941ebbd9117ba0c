/**
 * `mtl eval CKPT --split test` on a run whose config names no test file: an error saying so, not an
 * empty result with exit code 0 that reads like an evaluation.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { evaluateCheckpoint } from '../../src/eval/checkpoint.js';
import { train } from '../../src/train/index.js';
import { tinyTrainingConfig } from '../helpers/tiny-training-config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-no-split-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let checkpoint = '';

before(async () => {
  const lines = ['where is my order', 'refund please', 'thanks a lot', 'ship it to boston'].map((text, i) =>
    JSON.stringify({ text, intent: i % 2 ? 'a' : 'b' }),
  );
  writeFileSync(path.join(dir, 'train.jsonl'), lines.join('\n'));
  writeFileSync(path.join(dir, 'dev.jsonl'), lines.slice(0, 2).join('\n'));
  const config = tinyTrainingConfig(dir, [
    {
      name: 'intent',
      type: 'sequence-classification',
      data: { format: 'jsonl', train: path.join(dir, 'train.jsonl'), dev: path.join(dir, 'dev.jsonl') },
      input: { text: 'text' },
      label: { field: 'intent' },
    },
  ]);
  checkpoint = `${(await train(config)).outputDir}/best`;
});

describe('evaluating a split the run has no data for', () => {
  it('is a ConfigError naming the split and how to give data', async () => {
    await assert.rejects(evaluateCheckpoint(checkpoint, { split: 'test' }), (e: Error) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, /no task has test data/);
      assert.match(e.message, /data\.test/);
      assert.match(e.message, /--data FILE/);
      return true;
    });
  });

  it('the split it has is evaluated', async () => {
    const dev = await evaluateCheckpoint(checkpoint, { split: 'dev' });
    assert.deepEqual(Object.keys(dev.metrics), ['intent']);
    assert.equal(dev.examples, 2);
  });
});
