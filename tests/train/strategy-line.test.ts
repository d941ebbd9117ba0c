/** The 'strategy:' line a run logs at its start names adversarial training and meta-learning when they are on. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';
import { strategyLine } from '../../src/train/strategy-line.js';

/** The `training` section of a one-task config with `lines` under it. */
const training = (lines: string) =>
  parseTrainingConfig(
    `output_dir: out
tokenizer: { train: { vocab_size: 99 } }
tasks:
  - { name: intent, type: sequence-classification, data: { format: tsv, train: t.tsv }, input: { text: s }, label: { field: l } }
training:
  max_steps: 10
${lines}`,
    { taskTypes, source: 'strategy.yaml', checkFiles: false },
  ).training;

describe('the strategy line', () => {
  it('the schedule, its sampler and the weighting; surgery with its parameters', () => {
    assert.equal(
      strategyLine(training(''), { samplerKind: 'uniform' }),
      'strategy: alternating schedule (uniform sampler), static loss weighting',
    );
    assert.equal(
      strategyLine(training('  task_schedule: joint\n  surgery: { method: pcgrad }'), {
        samplerKind: 'uniform',
        surgery: { method: 'pcgrad', parameters: 12345 },
      }),
      'strategy: joint schedule, static loss weighting, pcgrad on 12,345 shared parameters',
    );
  });

  it('adversarial training: its method and tasks', () => {
    assert.equal(
      strategyLine(training('  adversarial: { method: fgm }'), { samplerKind: 'uniform' }),
      'strategy: alternating schedule (uniform sampler), static loss weighting, fgm adversarial training (every task)',
    );
    assert.equal(
      strategyLine(training('  adversarial: { method: pgd, steps: 2, tasks: [intent] }'), { samplerKind: 'uniform' }),
      'strategy: alternating schedule (uniform sampler), static loss weighting, pgd adversarial training (tasks intent)',
    );
  });

  it('meta-learning: its method, inner steps and inner learning rate', () => {
    assert.equal(
      strategyLine(training('  meta: { method: reptile, inner_steps: 3, inner_learning_rate: 0.05 }'), { samplerKind: 'uniform' }),
      'strategy: alternating schedule (uniform sampler), static loss weighting, reptile meta-learning (3 inner SGD steps, learning rate 0.05)',
    );
  });
});
