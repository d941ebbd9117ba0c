/**
 * `mtl average` on a real (tiny) run: a BERT of one layer trained 6 steps with save_steps 2 writes
 * checkpoint-2, -4, -6; `--last 2` averages -4 and -6, element-wise (checked against the mean computed
 * here in float64 from the two files), and the averaged folder evaluates with `mtl eval`; `--resume`
 * from it is refused. The exact arithmetic (dtypes, float64 sums) is tests/io/checkpoint-average.test.ts's.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadSafetensors } from '../../src/io/safetensors-read.js';
import { runCli as cli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-average-cli-'));
const out = (...rest: string[]) => path.join(dir, 'out', ...rest);
const config = path.join(dir, 'config.yaml');
after(() => rmSync(dir, { recursive: true, force: true }));

/** "sentence\tlabel" rows: a label 1 sentence holds 'good', a label 0 one 'bad' (a seeded LCG picks the other words). */
function rows(n: number, seed: number): string {
  const words = ['the', 'film', 'was', 'very', 'quite', 'plot', 'acting', 'and', 'a', 'story'];
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = Array.from({ length: n }, (_, i) => {
    const w = Array.from({ length: 4 }, () => words[Math.floor(next() * words.length)]!);
    w.splice(Math.floor(next() * 4), 0, i % 2 === 0 ? 'good' : 'bad');
    return `${w.join(' ')}\t${i % 2 === 0 ? 1 : 0}`;
  });
  return `sentence\tlabel\n${lines.join('\n')}\n`;
}

before(async () => {
  writeFileSync(path.join(dir, 'train.tsv'), rows(48, 1));
  writeFileSync(path.join(dir, 'dev.tsv'), rows(16, 2));
  writeFileSync(
    config,
    `seed: 3
output_dir: out
encoder: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 }
tokenizer: { train: { vocab_size: 60, min_frequency: 1 } }
max_length: 12
tasks:
  - { name: sentiment, type: sequence-classification, data: { format: tsv, train: train.tsv, dev: dev.tsv }, input: { text: sentence }, label: { field: label } }
training: { max_steps: 6, batch_size: 8, learning_rate: 1.0e-2, eval_every: 6, log_every: 100, save_steps: 2 }
`,
  );
  const r = await cli('train', config);
  assert.equal(r.code, 0, r.stderr);
});

/** A tensor of a checkpoint's model.safetensors as float64 numbers. */
function values(folder: string, name: string): number[] {
  const { tensors } = loadSafetensors(path.join(folder, 'model.safetensors'), { names: [name] });
  const t = tensors.get(name)!;
  try {
    assert.equal(t.dtype, 'float32');
    return [...(t.dataSync() as Float32Array)];
  } finally {
    t.dispose();
  }
}

describe('mtl average', () => {
  it('--last 2 averages checkpoint-4 and checkpoint-6 of the run: each weight (a + b)/2', async () => {
    const r = await cli('average', out(), '--last', '2', '--output', out('avg2'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /= mean of 2 checkpoints \(steps 4, 6; \d+ tensors averaged, 0 copied\)/);
    assert.match(r.stdout, /checkpoint-4\n.*checkpoint-6$/);
    for (const name of ['embeddings.word_embeddings.weight', 'heads.sentiment.classifier.weight']) {
      const [a, b, avg] = [out('checkpoint-4'), out('checkpoint-6'), out('avg2')].map((f) => values(f, name));
      assert.notDeepEqual(a, b, `${name} changed between the saves`);
      avg!.forEach((x, i) => assert.equal(x, Math.fround((a![i]! + b![i]!) / 2), `${name}[${i}]`));
    }
  });

  it('the averaged folder evaluates with mtl eval (no trainer state: step null)', async () => {
    const r = await cli('eval', out('avg2'));
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { step: number | null; metrics: Record<string, Record<string, number>> };
    assert.equal(result.step, null);
    const accuracy = result.metrics.sentiment?.accuracy;
    assert.ok(typeof accuracy === 'number' && accuracy >= 0 && accuracy <= 1, JSON.stringify(result.metrics));
  });

  it('takes checkpoint folders by name too; refuses --last with several folders, and more than the run holds', async () => {
    const r = await cli('average', out('checkpoint-2'), out('checkpoint-6'), '--output', out('avg-2-6'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /steps 2, 6/);
    const both = await cli('average', out('checkpoint-2'), out('checkpoint-4'), '--last', '2', '--output', out('x'));
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--last K takes one run output folder .*, got 2/);
    const many = await cli('average', out(), '--last', '9', '--output', out('x'));
    assert.equal(many.code, 1);
    assert.match(many.stderr, /holds 3 numbered checkpoints \(checkpoint-2, checkpoint-4, checkpoint-6\), fewer than the 9 asked for/);
    const missing = await cli('average', out('checkpoint-2'));
    assert.equal(missing.code, 2, '--output is required');
  });

  it('--resume from an averaged last/ is refused, naming averaging.json', async () => {
    cpSync(out('avg2'), path.join(dir, 'resumed', 'last'), { recursive: true });
    const r = await cli('train', config, '--output', path.join(dir, 'resumed'), '--resume');
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /is an average of checkpoints \(averaging\.json, written by mtl average\): it holds no trainer or optimizer state/,
    );
    const record = JSON.parse(readFileSync(out('avg2', 'averaging.json'), 'utf8')) as { checkpoints: { step: number }[] };
    assert.deepEqual(
      record.checkpoints.map((c) => c.step),
      [4, 6],
    );
  });
});
