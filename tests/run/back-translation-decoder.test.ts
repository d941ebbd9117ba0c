/**
 * Back-translation through a decoder-only seq2seq checkpoint (src/run/back-translation.ts chooses a
 * translator by what its task can do: a seq2seq task on a model that generates). A tiny GPT-2 learns to
 * reverse 3–5 letters (tests/tasks/seq2seq-decoder-fixture.ts: dev exact match 1.00 after 600 steps),
 * so reversing there and back gives each text again: an answer known without the model. The greedy round
 * trip also equals two `mtl generate` calls on the checkpoint (TextGenerator: another route through the
 * same decoding loop). A task the checkpoint lacks is refused with the checkpoint and the task named.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TextGenerator } from '../../src/predict/generate.js';
import { checkpointRoundTrips } from '../../src/run/back-translation.js';
import { train } from '../../src/train/trainer.js';
import { backTranslationSettings } from '../helpers/back-translation.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { reversalPairs, reverseRunConfig } from '../tasks/seq2seq-decoder-fixture.js';

checkNoLeaks();

describe('back-translation through a decoder-only seq2seq checkpoint (GPT-2 reversing letters)', () => {
  let dir = '';
  let ckpt = '';
  const settings = (over = {}) =>
    backTranslationSettings(ckpt, {
      forwardTask: 'reverse',
      backwardTask: 'reverse',
      doSample: false,
      maxNewTokens: 8,
      batchSize: 3,
      ...over,
    });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-bt-decoder-'));
    writeFileSync(path.join(dir, 'train.tsv'), reversalPairs(2000, 1));
    writeFileSync(path.join(dir, 'dev.tsv'), reversalPairs(60, 2));
    const result = await train(reverseRunConfig(dir, 600), {});
    assert.equal(result.status, 'completed');
    ckpt = path.join(dir, 'out', 'last');
  });
  after(() => (process.env.KEEP ? console.log(dir) : rmSync(dir, { recursive: true, force: true })));

  it('reversing there and back gives each text again, as two mtl generate calls do; no tensor left', async () => {
    const texts = ['a b c d', 'h g f', 'e e a b c', 'b d f h g'];
    let got: string[];
    {
      using trip = checkpointRoundTrips.open(settings());
      got = await trip.translate(texts, [1, 2, 3, 4]);
    }
    assert.deepEqual(got, texts);
    using generator = TextGenerator.load(ckpt);
    for (const [i, t] of texts.entries()) {
      const pivot = (await generator.generate(`reverse: ${t}`, { maxNewTokens: 8 })).text.trim();
      assert.equal(pivot, t.split(' ').reverse().join(' '), 'the pivot is the reversed text');
      assert.equal((await generator.generate(`reverse: ${pivot}`, { maxNewTokens: 8 })).text.trim(), got[i]);
    }
  });

  it('refuses a task the checkpoint lacks, naming the checkpoint, the task and the tasks that translate', () => {
    assert.throws(
      () => checkpointRoundTrips.open(settings({ backwardTask: 'de_en' })),
      (e: Error) =>
        e.message ===
        `data.augment: back-translation needs a seq2seq task 'de_en' in ${ckpt} on an encoder-decoder or decoder model, and the checkpoint has no such task; its tasks that translate: 'reverse'`,
    );
  });
});
