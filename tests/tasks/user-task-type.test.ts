/**
 * A task type added from outside the package, in one file (examples/custom-task/length-bucket.ts, the
 * guide's example) with no other change: a sentence
 * length classifier ("length-bucket": is a text at most `boundary` words long, or longer?) whose
 * labels come from the text itself. It is registered with `registerTaskType`, then a config names it
 * and the package's own commands do the rest: the config is validated through the type (its options
 * by its own zod schema), `mtl train` trains and checkpoints it, `mtl eval` evaluates the checkpoint,
 * `Predictor` loads it back and predicts through the type's `present`.
 *
 * The expected values are independent of the model: the gold bucket of a text is its word count, and
 * the accuracy `mtl eval` reports is recomputed here from the loaded checkpoint's predictions.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { ConfigFileError, evaluateCheckpoint, parseTrainingConfig, Predictor, registerTaskType, taskTypes } from '../../src/index.js';
import { bucketOf, KIND, lengthBucket } from '../../examples/custom-task/length-bucket.js';
import { main } from '../../src/cli/main.js';

// The task type: examples/custom-task/length-bucket.ts (docs/guide-custom-task.md shows it whole).

// ---------------------------------------------------------------------------------------------------
// Data and config

const WORDS = 'the a cat dog sat ran on under mat log red blue big small quickly slowly near far old new'.split(' ');

/** `n` sentences, half of 2–5 words and half of 9–14, drawn with a seeded LCG (Numerical Recipes constants). */
function sentences(n: number, seed: number): string[] {
  let state = seed;
  const next = () => (state = (1664525 * state + 1013904223) % 2 ** 32) / 2 ** 32;
  return Array.from({ length: n }, (_, i) => {
    const length = i % 2 === 0 ? 2 + Math.floor(next() * 4) : 9 + Math.floor(next() * 6);
    return Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
  });
}

const yaml = (options: string) => `seed: 3
output_dir: out
encoder: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 64 }
tokenizer: { train: { vocab_size: 120, min_frequency: 1 } }
max_length: 24
tasks:
  - name: length
    type: ${KIND}
    data: { format: tsv, train: train.tsv, dev: dev.tsv, test: test.tsv }
    input: { text: sentence }
    options: ${options}
training:
  max_steps: 60
  batch_size: 16
  learning_rate: 3.0e-3
  warmup_steps: 5
  eval_every: 20
  early_stopping: { metric: length.accuracy, patience: 50 }
`;

describe('a task type registered from outside the package (length-bucket)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-user-type-'));
  const test = sentences(40, 3);
  const best = path.join(dir, 'out', 'best');

  before(async () => {
    registerTaskType(lengthBucket);
    const split = (name: string, rows: readonly string[]) => writeFileSync(path.join(dir, name), `sentence\n${rows.join('\n')}\n`);
    split('train.tsv', sentences(160, 1));
    split('dev.tsv', sentences(40, 2));
    split('test.tsv', test);
    writeFileSync(path.join(dir, 'config.yaml'), yaml('{ boundary: 6 }'));
    const log = mock.method(console, 'log', () => undefined);
    try {
      const code = await main(['train', path.join(dir, 'config.yaml')]);
      assert.equal(code, 0, 'mtl train exits 0');
    } finally {
      log.mock.restore();
    }
  });

  after(() => {
    taskTypes.unregister(KIND);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a registered kind, and its options are validated through its own schema with the config', () => {
    assert.ok(taskTypes.kinds.includes(KIND));
    assert.throws(() => registerTaskType(lengthBucket), /'length-bucket' is registered already/);
    try {
      parseTrainingConfig(yaml('{ boundary: 0 }'), { source: 'bad.yaml', checkFiles: false, taskTypes });
      assert.fail('boundary 0 was accepted');
    } catch (e) {
      assert.ok(e instanceof ConfigFileError);
      assert.deepEqual(e.issues[0]!.path, ['tasks', 0, 'options', 'boundary']);
      assert.equal(e.issues[0]!.line, 11);
    }
  });

  it('mtl train checkpoints it: tasks.json records its kind and labels, model.safetensors its head', () => {
    const tasks = JSON.parse(readFileSync(path.join(best, 'tasks.json'), 'utf8')) as { tasks: { type: string; labels: string[] }[] };
    assert.equal(tasks.tasks[0]!.type, KIND);
    assert.deepEqual(tasks.tasks[0]!.labels, ['short', 'long']);
    assert.ok(existsSync(path.join(best, 'model.safetensors')));
  });

  it('the loaded checkpoint predicts through its present, and mtl eval agrees with those predictions', async () => {
    using predictor = Predictor.load(best);
    assert.deepEqual(predictor.taskNames, ['length']);
    const records = await predictor.predict(test);
    const buckets = records.map((r) => (r.predictions.length as { bucket: string }).bucket);
    const gold = test.map((t) => bucketOf(t, { boundary: 6 }));
    const accuracy = buckets.filter((b, i) => b === gold[i]).length / test.length;
    assert.ok(accuracy >= 0.9, `test accuracy ${accuracy} (two buckets of well-separated lengths; chance is 0.5)`);
    const evaluated = await evaluateCheckpoint(best, { split: 'test' });
    assert.ok(Math.abs(evaluated.metrics.length!.accuracy! - accuracy) <= 1 / test.length, 'eval and predict agree');
    using again = Predictor.load(best);
    assert.deepEqual(await again.predict(test.slice(0, 5)), records.slice(0, 5), 'loading the checkpoint again predicts the same');
  });
});
