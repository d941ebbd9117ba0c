/**
 * Back-translation through a real checkpoint (src/run/back-translation.ts): a tiny BART trained for a
 * few steps with two seq2seq tasks ("rev: " and "copy: "; too short to learn them, which does not matter
 * here) translates forward with one task and back with the other. Greedy round trips equal two
 * `mtl generate` calls on the checkpoint (TextGenerator, one prompt at a time: another route through
 * the same decoding loop); sampled ones are seeded per text (the same in any batch); and in a run
 * (prepareRun) a classification task's copies keep their labels, are counted in the log, come from
 * the cache on a second run, and change with the seed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BackTranslationSettings } from '../../src/data/augment/index.js';
import type { TextExample } from '../../src/data/example.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { checkpointRoundTrips } from '../../src/run/back-translation.js';
import { prepareRun } from '../../src/run/prepare.js';
import { taskTypes } from '../../src/tasks/index.js';
import { train } from '../../src/train/trainer.js';
import { backTranslationSettings } from '../helpers/back-translation.js';
import { checkNoLeaks } from '../helpers/leaks.js';

const WORDS = 'a b c d e f g h'.split(' ');

/** n random texts of 3–5 letters (a linear congruential generator from `seed`). */
function letters(n: number, seed: number): string[] {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () =>
    Array.from({ length: 3 + Math.floor(next() * 3) }, () => WORDS[Math.floor(next() * WORDS.length)]!).join(' '),
  );
}

const tsv = (rows: string[][]) => `${rows.map((r) => r.join('\t')).join('\n')}\n`;

const translationConfig = (dir: string) =>
  parseTrainingConfig(
    `seed: 3
output_dir: mt
encoder: { model_type: bart, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 64,
           max_position_embeddings: 32, hidden_dropout_prob: 0 }
tokenizer: { train: { vocab_size: 48, min_frequency: 1 } }
max_length: 20
tasks:
  - { name: rev, type: seq2seq, data: { format: tsv, train: rev.tsv }, input: { text: source }, label: { field: target },
      options: { prefix: "rev: ", max_target_length: 8 } }
  - { name: copy, type: seq2seq, data: { format: tsv, train: copy.tsv }, input: { text: source }, label: { field: target },
      options: { prefix: "copy: ", max_target_length: 8 } }
training: { max_steps: 12, batch_size: 16, learning_rate: 3.0e-3, warmup_steps: 2, eval_every: 12, log_every: 50 }
`,
    { taskTypes, source: path.join(dir, 'mt.yaml') },
  );

const classifierConfig = (dir: string, seed: number, augment: string) =>
  parseTrainingConfig(
    `seed: ${seed}
output_dir: cls-${seed}
encoder: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 }
tokenizer: { train: { vocab_size: 40, min_frequency: 1 } }
max_length: 20
tasks:
  - { name: polarity, type: sequence-classification, data: { format: tsv, train: cls.tsv, dev: cls-dev.tsv, augment: ${augment} },
      input: { text: sentence }, label: { field: label } }
training: { max_steps: 1, batch_size: 8 }
`,
    { taskTypes, source: path.join(dir, 'cls.yaml') },
  );

describe('back-translation through a seq2seq checkpoint', () => {
  let dir = '';
  let ckpt = '';
  const settings = (over: Partial<BackTranslationSettings> = {}) =>
    backTranslationSettings(ckpt, { forwardTask: 'rev', backwardTask: 'copy', maxNewTokens: 8, batchSize: 4, ...over });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-bt-run-'));
    const sources = letters(64, 1);
    writeFileSync(path.join(dir, 'rev.tsv'), tsv([['source', 'target'], ...sources.map((s) => [s, s.split(' ').reverse().join(' ')])]));
    writeFileSync(path.join(dir, 'copy.tsv'), tsv([['source', 'target'], ...sources.map((s) => [s, s])]));
    const result = await train(translationConfig(dir), {});
    assert.equal(result.status, 'completed');
    ckpt = path.join(dir, 'mt', 'last');
    const label = (s: string) => (s.split(' ').length % 2 === 0 ? 'even' : 'odd');
    writeFileSync(path.join(dir, 'cls.tsv'), tsv([['sentence', 'label'], ...letters(12, 7).map((s) => [s, label(s)])]));
    writeFileSync(path.join(dir, 'cls-dev.tsv'), tsv([['sentence', 'label'], ...letters(5, 8).map((s) => [s, label(s)])]));
  });
  after(() => (process.env.KEEP ? console.log(dir) : rmSync(dir, { recursive: true, force: true })));

  it('greedy: the round trip is mtl generate forward, then back', async () => {
    const texts = ['a b c d', 'h g f', 'e e a b c'];
    let got: string[];
    {
      using trip = checkpointRoundTrips.open(settings({ doSample: false }));
      got = await trip.translate(texts, [1, 2, 3]);
    }
    using generator = TextGenerator.load(ckpt);
    const want: string[] = [];
    for (const t of texts) {
      const pivot = (await generator.generate(`rev: ${t}`, { maxNewTokens: 8 })).text.trim();
      want.push((await generator.generate(`copy: ${pivot}`, { maxNewTokens: 8 })).text.trim());
    }
    assert.deepEqual(got, want);
  });

  it('sampling: each text its own seed, the same alone or in a batch; no tensor left', async () => {
    checkNoLeaks();
    const texts = ['a b c d', 'h g f', 'e e a b c', 'b b b'];
    let draws: string[][];
    {
      using trip = checkpointRoundTrips.open(settings({ batchSize: 3 }));
      const seeds = [11, 12, 13, 14];
      draws = [await trip.translate(texts, seeds), await trip.translate(texts, seeds), await trip.translate([texts[2]!], [13])];
      const reseeded = await trip.translate(texts, [21, 22, 23, 24]);
      assert.notDeepEqual(reseeded, draws[0], 'other seeds, other samples');
    }
    assert.deepEqual(draws[1], draws[0], 'same seeds, same samples');
    assert.equal(draws[2]![0], draws[0]![2], 'a text alone samples what it samples in a batch');
    checkNoLeaks();
  });

  it('in a run: copies keep their labels, are counted in the log, come from the cache again, and follow the seed', async () => {
    const augment = `{ method: back-translation, checkpoint: mt/last, forward_task: rev, backward_task: copy, copies: 2, max_new_tokens: 8 }`;
    const lines: string[] = [];
    const prepared = await prepareRun(classifierConfig(dir, 5, augment), { logger: { info: (l) => lines.push(l) } });
    const [polarity] = prepared.data;
    const a = polarity!.augmented!;
    const train = polarity!.splits.train as readonly TextExample[];
    assert.equal(a.original, 12);
    assert.equal(a.translated, 2 * 12, 'twelve distinct texts, two copies each');
    assert.equal(train.length, 12 + a.added);
    assert.equal(a.added + a.unchanged!, 24);
    assert.equal(polarity!.splits.dev!.length, 5, 'dev is not augmented');
    const byId = new Map(train.slice(0, 12).map((e) => [e.id, e]));
    for (const copy of train.slice(12)) {
      const original = byId.get(copy.id.replace(/~bt[01]$/, ''))!;
      assert.equal(copy.label, original.label, `${copy.id} keeps its label`);
      assert.notEqual(copy.text.trim(), original.text, `${copy.id} differs from its source`);
    }
    const line = lines.find((l) => l.startsWith('data.augment (polarity): back-translation added '));
    assert.equal(
      line,
      `data.augment (polarity): back-translation added ${a.added} training examples to 12, ${12 + a.added} in all; 24 translated, 0 from the cache, ${a.unchanged} left out as equal to their source (cached in ${a.cacheFile})`,
    );
    const again = await prepareRun(classifierConfig(dir, 5, augment));
    const b = again.data[0]!.augmented!;
    assert.deepEqual([b.translated, b.cached, b.fromCache], [0, 24, true]);
    assert.deepEqual(again.data[0]!.splits.train, train);
    const reseeded = await prepareRun(classifierConfig(dir, 6, augment));
    const other = (reseeded.data[0]!.splits.train as readonly TextExample[]).slice(12).map((e) => e.text);
    assert.notDeepEqual(
      other,
      train.slice(12).map((e) => e.text),
      'another seed, other copies',
    );
  });
});
