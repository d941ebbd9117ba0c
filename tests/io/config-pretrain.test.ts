/** The config keys of pre-training: masked-lm and link-prediction tasks, text and wordnet data, task options. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadTrainingConfig, parseTrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';
import { EXAMPLE_DATASETS, needsExampleData } from '../helpers/datasets.js';

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

const config = (task: string) => `output_dir: out
tokenizer: { train: { vocab_size: 100 } }
tasks:
${task}
training: { max_steps: 1 }
`;

/** The messages of parsing `task` (one tasks[0] entry) without checking files. */
function problems(task: string): string {
  try {
    parseTrainingConfig(config(task), { taskTypes, source: '/x/c.yaml', checkFiles: false });
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('config: pre-training tasks', () => {
  it('reads examples/wordnet-pretrain.yaml: masked LM, supersense and link prediction on WordNet, options in camelCase', () => {
    const c = loadTrainingConfig(path.join(EXAMPLES, 'wordnet-pretrain.yaml'), { taskTypes });
    assert.deepEqual(
      c.tasks.map((t) => [t.name, t.type, t.data.format]),
      [
        ['glosses', 'masked-lm', 'wordnet'],
        ['supersense', 'sequence-classification', 'wordnet'],
        ['relations', 'link-prediction', 'wordnet'],
      ],
    );
    assert.deepEqual(c.tasks[0]!.options, { maskProbability: 0.4, evalMaskProbability: 0.15, wholeWordMasking: true });
    assert.equal(c.tasks[2]!.options?.adversarialTemperature, 1);
  });

  it(
    'reads examples/wn18rr-free.yaml: a triples folder (the shared WN18RR copy), free entity embeddings',
    needsExampleData('wn18rr'),
    () => {
      const c = loadTrainingConfig(path.join(EXAMPLES, 'wn18rr-free.yaml'), { taskTypes });
      const task = c.tasks[0]!;
      assert.equal(task.data.format, 'triples');
      assert.equal(task.data.path, path.join(EXAMPLE_DATASETS, 'wn18rr'));
      assert.deepEqual(task.options, { entities: 'embedding', embeddingDim: 128, scoring: 'complex', adversarialTemperature: 0.5 });
    },
  );

  it('accepts masked LM on plain text and on csv without a label', () => {
    assert.equal(problems('  - { name: mlm, type: masked-lm, data: { format: text, train: c.txt, max_lines: 1000 } }'), '');
    assert.equal(problems('  - { name: mlm, type: masked-lm, data: { format: csv, train: c.csv }, input: { text: t } }'), '');
  });

  it('rejects keys that do not fit the task type or the format, naming the key', () => {
    assert.match(
      problems('  - { name: kg, type: link-prediction, data: { format: csv, train: c.csv }, input: { text: t } }'),
      /a link-prediction task cannot read format 'csv'/,
    );
    assert.match(
      problems('  - { name: mlm, type: masked-lm, data: { format: csv, train: c.csv }, input: { text: t }, label: { field: y } }'),
      /reads no label/,
    );
    assert.match(problems('  - { name: mlm, type: masked-lm, data: { format: wordnet, train: x } }'), /wordnet data have no split files/);
    assert.match(
      problems('  - { name: mlm, type: masked-lm, data: { format: csv, train: c.csv, max_lines: 3 }, input: { text: t } }'),
      /'max_lines' applies only to text data/,
    );
    assert.match(
      problems('  - { name: mlm, type: masked-lm, data: { format: wordnet, relations: [hypernym] } }'),
      /'relations' applies only to link-prediction/,
    );
    assert.match(problems('  - { name: mlm, type: masked-lm, data: { format: text } }'), /missing the training data/);
    assert.equal(problems('  - { name: d, type: sequence-classification, data: { format: wordnet, labels: domain } }'), '');
    assert.match(
      problems('  - { name: mlm, type: masked-lm, data: { format: wordnet, labels: domain } }'),
      /'labels' applies only to labelled tasks \(sequence classification\) on wordnet data/,
    );
    assert.match(
      problems(
        '  - { name: d, type: sequence-classification, data: { format: tsv, train: t.tsv, labels: domain }, input: { text: s }, label: { field: l } }',
      ),
      /'labels' applies only to labelled tasks/,
    );
    assert.match(
      problems('  - { name: d, type: sequence-classification, data: { format: wordnet, labels: topic } }'),
      /supersense.*domain|domain.*supersense/,
    );
  });

  it('text data are streamed: no dev_fraction or train_subset, dev_lines below max_lines; the error names the key', () => {
    const text = (data: string) => problems(`  - { name: mlm, type: masked-lm, data: { format: text, train: c.txt, ${data} } }`);
    assert.equal(text('window_lines: 5000, dev_lines: 100, max_lines: 10000'), '');
    assert.match(text('dev_fraction: 0.1'), /tasks\[0\]\.data\.dev_fraction.*text data are streamed.*'dev_lines: N'/s);
    assert.match(text('train_subset: 10'), /tasks\[0\]\.data\.train_subset.*cap them with 'max_lines'/s);
    assert.match(text('dev_lines: 10, dev: d.txt'), /tasks\[0\]\.data\.dev_lines.*not both/s);
    assert.match(text('dev_lines: 10, max_lines: 10'), /dev_lines \(10\) must be below max_lines \(10\)/);
    assert.match(
      problems('  - { name: mlm, type: masked-lm, data: { format: csv, train: c.csv, window_lines: 3 }, input: { text: t } }'),
      /tasks\[0\]\.data\.window_lines.*'window_lines' applies only to text data/s,
    );
  });
});
