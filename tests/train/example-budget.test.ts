/** `training.max_examples_per_task` (src/train/example-budget.ts): steps planned from a budget in examples, hand-checked; the config's checks. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { stepsForExamples } from '../../src/train/example-budget.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';

describe('steps for a budget in examples per task', () => {
  it('joint schedule: each stream one batch per step, the stream with the smallest mean batch decides', () => {
    // 100 examples in 4 batches (25 a batch) and 90 in 3 (30 a batch): 1,000 examples take ⌈1000/25⌉ = 40 and ⌈1000/30⌉ = 34 steps
    assert.equal(
      stepsForExamples(
        1000,
        [
          { size: 100, batchesPerEpoch: 4, share: 1 },
          { size: 90, batchesPerEpoch: 3, share: 1 },
        ],
        1,
      ),
      40,
    );
  });

  it('alternating schedule: a stream drawn with probability p gets p of the draws; accumulation multiplies the draws', () => {
    // shares 0.75 / 0.25, 32 a batch: the rare stream needs 640 / (0.25 · 32) = 80 steps; with 2 micro-batches a step, 40
    const streams = [
      { size: 320, batchesPerEpoch: 10, share: 0.75 },
      { size: 64, batchesPerEpoch: 2, share: 0.25 },
    ];
    assert.equal(stepsForExamples(640, streams, 1), 80);
    assert.equal(stepsForExamples(640, streams, 2), 40);
  });

  it('a whole number of epochs is exact (no spurious extra step from rounding); at least one step', () => {
    assert.equal(stepsForExamples(300, [{ size: 100, batchesPerEpoch: 7, share: 1 }], 1), 21);
    assert.equal(stepsForExamples(1, [{ size: 100, batchesPerEpoch: 4, share: 1 }], 1), 1);
  });

  it('refuses a stream that is never drawn', () => {
    assert.throws(() => stepsForExamples(10, [{ size: 100, batchesPerEpoch: 4, share: 0 }], 1), /stream 0 .*share of 0/);
  });
});

describe('training.max_examples_per_task in a config', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-budget-'));
  writeFileSync(path.join(dir, 't.jsonl'), '{"text": "a b", "label": "x"}\n');
  after(() => rmSync(dir, { recursive: true, force: true }));
  const yaml = (training: string) => `output_dir: out
tokenizer: { train: { vocab_size: 50 } }
tasks:
  - { name: a, type: sequence-classification, data: { format: jsonl, train: t.jsonl }, input: { text: text }, label: { field: label } }
training:
${training}`;
  const parse = (training: string) => parseTrainingConfig(yaml(training), { taskTypes, source: path.join(dir, 'config.yaml') });

  it('is a training length of its own', () => {
    assert.equal(parse('  max_examples_per_task: 5000').training.maxExamplesPerTask, 5000);
  });

  it('is refused with max_steps or epochs, with the annealed sampler and with training.meta', () => {
    assert.throws(
      () => parse('  max_examples_per_task: 5000\n  max_steps: 10'),
      /give 'max_examples_per_task' or 'max_steps' \/ 'epochs', not both/,
    );
    assert.throws(() => parse('  max_examples_per_task: 5000\n  sampler: { kind: annealed }'), /annealed sampler/);
    assert.throws(() => parse('  max_examples_per_task: 5000\n  meta: { method: reptile }'), /training\.meta's episodes/);
    assert.throws(() => parse('  batch_size: 8'), /missing the training length: .*'max_examples_per_task: <examples>'/);
  });
});
