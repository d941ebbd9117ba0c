/**
 * The span-corruption task type (src/tasks/span-corruption.ts): T5's objective on a tokenizer's ids —
 * the input with sentinels and the target with the spans put back give the text again; the numbers of
 * noise tokens and spans are T5's (`noiseCounts`); the noise is a function of the seed and the
 * example's id; and a corpus task mixed with a seq2seq task trains one encoder-decoder through the trainer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noiseCounts } from '../../src/data/span-corruption.js';
import { readMetrics } from '../../src/io/checkpoint.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import {
  sentinelToken,
  spanCorruptionTask,
  taskSpec,
  taskTypes,
  type SpanCorruptionTaskOptions,
  type TaskSpec,
} from '../../src/tasks/index.js';
import { Tokenizer, trainWordPiece } from '../../src/tokenization/index.js';
import { train, type TrainResult } from '../../src/train/trainer.js';

const WORDS = 'the cat sat on a mat while dogs ran past old red barns near green hills'.split(' ');

function lines(n: number, seed: number): string[] {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () =>
    Array.from({ length: 8 + Math.floor(next() * 20) }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' '),
  );
}

function spec(options: Record<string, unknown> = {}): TaskSpec<SpanCorruptionTaskOptions> {
  return taskSpec({
    name: 'sc',
    kind: 'span-corruption',
    labels: ['[vocabulary]'],
    options: { sentinels: 10, ...options },
  }) as TaskSpec<SpanCorruptionTaskOptions>;
}

describe('span-corruption: features', () => {
  const texts = lines(40, 1);
  const examples = texts.map((text, i) => ({ id: String(i + 1), text, source: { file: 'corpus.txt', line: i + 1 } }));
  let tokenizer: Tokenizer;
  before(() => {
    tokenizer = trainWordPiece(texts, { vocabSize: 60, minFrequency: 1 });
    tokenizer.addSpecialTokens(spanCorruptionTask.addedTokens!(spec().options));
  });

  it("input and target put back together give the text; T5's numbers of noise tokens and spans", async () => {
    const { features } = await spanCorruptionTask.featurize(examples, tokenizer, spec(), { maxLength: 64 });
    const sentinels = Array.from({ length: 10 }, (_, i) => tokenizer.tokenToId(sentinelToken(i))!);
    const end = tokenizer.sepId;
    for (const [i, f] of features.entries()) {
      const tokens = (await tokenizer.encode(texts[i]!)).inputIds.slice(1, -1); // without [CLS] and [SEP]
      assert.equal(f.inputIds.at(-1), end);
      assert.equal(f.labels!.at(-1), end);
      const spans = new Map<number, number[]>();
      let current = -1;
      for (const t of f.labels!.slice(0, -1)) {
        if (sentinels.includes(t)) spans.set((current = t), []);
        else spans.get(current)!.push(t);
      }
      const rebuilt = f.inputIds.slice(0, -1).flatMap((t) => (sentinels.includes(t) ? spans.get(t)! : [t]));
      assert.deepEqual(rebuilt, tokens, `example ${i}`);
      const { noiseTokens, noiseSpans } = noiseCounts(tokens.length);
      assert.equal([...spans.values()].flat().length, noiseTokens, `example ${i}: noise tokens`);
      assert.equal(spans.size, noiseSpans, `example ${i}: spans`);
      assert.deepEqual([...spans.keys()], sentinels.slice(0, noiseSpans), 'sentinels in order, <extra_id_0> first');
    }
  });

  it('the noise is a function of the seed and the example id', async () => {
    const a = (await spanCorruptionTask.featurize(examples, tokenizer, spec(), { maxLength: 64 })).features;
    const b = (await spanCorruptionTask.featurize([...examples].reverse(), tokenizer, spec(), { maxLength: 64 })).features.reverse();
    const c = (await spanCorruptionTask.featurize(examples, tokenizer, spec({ seed: 7 }), { maxLength: 64 })).features;
    assert.deepEqual(
      a.map((f) => f.inputIds),
      b.map((f) => f.inputIds),
      'the same example gets the same noise wherever it comes',
    );
    assert.ok(
      a.some((f, i) => f.inputIds.join() !== c[i]!.inputIds.join()),
      'another seed, other noise',
    );
  });

  it('a tokenizer without the sentinels is refused, naming the first missing one', async () => {
    const bare = trainWordPiece(texts, { vocabSize: 60, minFrequency: 1 });
    await assert.rejects(spanCorruptionTask.featurize(examples, bare, spec(), { maxLength: 64 }), /has no <extra_id_0>/);
  });
});

describe('span-corruption mixed with seq2seq in one tiny BART', () => {
  let dir = '';
  let result: TrainResult;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-span-'));
    writeFileSync(path.join(dir, 'corpus.txt'), `${lines(200, 3).join('\n')}\n`);
    const pairs = lines(60, 5).map((l) => `${l}\t${l.split(' ').slice(0, 3).join(' ')}`);
    writeFileSync(path.join(dir, 'pairs.tsv'), `source\ttarget\n${pairs.join('\n')}\n`);
    const yaml = `seed: 2
output_dir: out
encoder: { model_type: bart, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 64 }
tokenizer: { train: { vocab_size: 60, min_frequency: 1 } }
max_length: 40
tasks:
  - { name: denoise, type: span-corruption, data: { format: text, train: corpus.txt, dev_lines: 20 }, options: { sentinels: 12 } }
  - { name: first3, type: seq2seq, data: { format: tsv, train: pairs.tsv, dev_fraction: 0.2 }, input: { text: source }, label: { field: target },
      options: { prefix: "first three: ", metrics: [rouge], max_target_length: 8 } }
training: { max_steps: 6, batch_size: 8, learning_rate: 1.0e-3, eval_every: 6, log_every: 3 }
`;
    result = await train(parseTrainingConfig(yaml, { taskTypes, source: path.join(dir, 'config.yaml') }), {});
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('trains both tasks, evaluates both, and keeps the sentinels in the checkpoint’s tokenizer', () => {
    assert.equal(result.status, 'completed');
    const metrics = readMetrics(path.join(dir, 'out', 'metrics.jsonl'));
    const trained = new Set(metrics.filter((m) => m.type === 'train').flatMap((m) => Object.keys(m.task_losses as object)));
    assert.deepEqual([...trained].sort(), ['denoise', 'first3']);
    const dev = metrics.filter((m) => m.split === 'dev').at(-1)!.metrics as Record<string, Record<string, number>>;
    assert.ok(dev.denoise!.accuracy! >= 0 && dev.denoise!.perplexity! > 1, JSON.stringify(dev.denoise));
    assert.ok(dev.first3!.rougeL! >= 0, JSON.stringify(dev.first3));
    const tokenizer = Tokenizer.fromFile(path.join(dir, 'out', 'best', 'tokenizer.json'));
    assert.notEqual(tokenizer.tokenToId('<extra_id_11>'), null);
  });
});
