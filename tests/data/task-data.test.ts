/**
 * Reading task data and learning a vocabulary at full size: WordNet's link-prediction triples and a
 * tokenizer's sample of 10⁵+ lines are collected without spreading them as arguments (which overflows
 * the call stack past about 10⁵ elements: `npm run demo` stopped with "Maximum call stack size exceeded").
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadTrainingConfig } from '../../src/io/config/index.js';
import { buildTaskRuns, buildTokenizer } from '../../src/run/build.js';
import { prepareRun } from '../../src/run/prepare.js';
import { readTaskData } from '../../src/data/task-data.js';
import { taskTypes } from '../../src/tasks/index.js';
import { needsExampleData } from '../helpers/datasets.js';

let dir = '';
const at = (...parts: string[]) => path.join(dir, ...parts);
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mtl-task-data-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('task data at full size', () => {
  it("reads the demo's relations task over all of WordNet's pointers (more than 10⁵ triples before the subset)", async () => {
    const config = loadTrainingConfig(path.join(import.meta.dirname, '../../examples/wordnet-pretrain.yaml'), { taskTypes });
    const demo = config.tasks.find((t) => t.type === 'link-prediction')!;
    const { relations: _chosen, ...data } = demo.data; // every relation: far more than 10⁵ triples
    const [read] = await readTaskData([{ ...demo, data: { ...data, trainSubset: 20000 } }], config.seed, taskTypes.reading, ['train']);
    const n = read!.splits.train!.length;
    assert.equal(n, 20000, `train_subset: 20000 of the WordNet triples, got ${n}`);
  });

  it("reads the demo's own relations: instance_hypernym and part_meronym, 17,700 triples, 1 % held out as dev", async () => {
    const config = loadTrainingConfig(path.join(import.meta.dirname, '../../examples/wordnet-pretrain.yaml'), { taskTypes });
    const relations = config.tasks.find((t) => t.type === 'link-prediction')!;
    const [read] = await readTaskData([relations], config.seed, taskTypes.reading, ['train', 'dev']);
    const [train, dev] = [read!.splits.train!.length, read!.splits.dev!.length];
    assert.equal(train + dev, 17700); // distinct (synset, relation, synset) triples, as scripts/fixtures/wordnet_counts.py counts them
    assert.equal(dev, 177);
  });

  it('learns a vocabulary from a corpus sample of 200,000 lines', async () => {
    const lines = Array.from({ length: 200_000 }, (_, k) => `w${k % 97} v${k % 89}`);
    writeFileSync(at('corpus.txt'), lines.join('\n') + '\n');
    writeFileSync(
      at('big.yaml'),
      `output_dir: out
encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 16 }
max_length: 16
tokenizer: { train: { vocab_size: 300, min_frequency: 1, sample_lines: 200000 } }
tasks:
  - { name: mlm, type: masked-lm, data: { format: text, train: corpus.txt, dev_lines: 10 } }
training: { max_steps: 1 }
`,
    );
    const config = loadTrainingConfig(at('big.yaml'), { taskTypes });
    const data = await readTaskData(config.tasks, config.seed, taskTypes.reading, ['train']);
    const tokenizer = buildTokenizer(config, data);
    const { tokens } = await tokenizer.encode('w5 v7');
    assert.ok(!tokens.includes('[UNK]'), `'w5 v7' is in the learned vocabulary, got tokens ${tokens.join(' ')}`);
  });
});

/** Writes NAME.yaml: a tiny encoder and one task 'topic' of `type` on tsv data (`data`: its other keys); returns its path. */
function tsvTaskConfig(name: string, data: string, type = 'sequence-classification'): string {
  writeFileSync(
    at(`${name}.yaml`),
    `output_dir: out
encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 16 }
max_length: 16
tokenizer: { train: { vocab_size: 120, min_frequency: 1 } }
tasks:
  - name: topic
    type: ${type}
    data: { format: tsv, ${data} }
    input: { text: sentence }
    label: { field: label }
training: { max_steps: 1 }
`,
  );
  return at(`${name}.yaml`);
}

describe('data.train_subset', () => {
  it('collects the label list from the whole training file, so dev labels the subset misses are known (was: label.unknown error)', async () => {
    const labels = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
    const rows = (n: number, offset: number) =>
      Array.from({ length: n }, (_, k) => `text number ${k + offset}\t${labels[(k * 7 + offset) % 6]}`);
    writeFileSync(at('train.tsv'), ['sentence\tlabel', ...rows(60, 0)].join('\n') + '\n');
    writeFileSync(at('dev.tsv'), ['sentence\tlabel', ...rows(12, 3)].join('\n') + '\n');
    const config = loadTrainingConfig(tsvTaskConfig('subset', 'train: train.tsv, dev: dev.tsv, train_subset: 3'), { taskTypes });
    const [data] = await readTaskData(config.tasks, config.seed, taskTypes.reading);
    assert.equal(data!.splits.train!.length, 3);
    const inSubset = new Set((data!.splits.train as { label: string }[]).map((e) => e.label));
    assert.ok(inSubset.size < labels.length, 'the subset misses some labels (else the test shows nothing)');
    const [run] = buildTaskRuns([data!]);
    assert.deepEqual(run!.spec.labels, [...labels].sort());
    const prepared = await prepareRun(config); // featurizes dev with label.unknown: error
    assert.equal(prepared.runs[0]!.spec.labels.length, labels.length);
  });
});

describe('data.train_per_class', () => {
  const labels = ['a', 'a', 'b', 'a', 'c', 'a', 'c', 'b', 'a', 'c', 'a', 'c']; // a ×6, b ×2, c ×4
  const config = (name: string, data: string, type = 'sequence-classification') => {
    writeFileSync(at('classes.tsv'), ['sentence\tlabel', ...labels.map((l, k) => `row ${k}\t${l}`)].join('\n') + '\n');
    return tsvTaskConfig(name, `train: classes.tsv, ${data}`, type);
  };
  const read = async (file: string, seed?: number) => {
    const c = loadTrainingConfig(file, { taskTypes });
    const [d] = await readTaskData(c.tasks, seed ?? c.seed, taskTypes.reading, ['train']);
    return d!;
  };
  const rows = (d: { splits: { train?: readonly unknown[] } }) =>
    (d.splits.train as { text: string; label: string }[]).map((e) => Number(e.text.split(' ')[1]));

  it('keeps n of each class (all of a smaller class), in file order, the same for a seed; the label list is the whole file’s', async () => {
    const d = await read(config('per-class', 'train_per_class: 3'));
    const kept = rows(d);
    const count = (l: string) => kept.filter((k) => labels[k] === l).length;
    assert.deepEqual([count('a'), count('b'), count('c')], [3, 2, 3]);
    assert.deepEqual(
      kept,
      [...kept].sort((x, y) => x - y),
      'file order',
    );
    assert.deepEqual(rows(await read(config('per-class', 'train_per_class: 3'))), kept, 'a pure function of the seed');
    const seeds = await Promise.all(
      [1, 2, 3, 4, 5].map(async (s) => rows(await read(config('per-class', 'train_per_class: 3'), s)).join()),
    );
    assert.ok(new Set(seeds).size > 1, `other seeds draw other examples, got ${seeds.join(' | ')}`);
    assert.deepEqual([...new Set((d.labelExamples as { label: string }[]).map((e) => e.label))].sort(), ['a', 'b', 'c']);
    assert.equal(rows(await read(config('per-class', 'train_per_class: 6'))).length, 12, 'n ≥ every class: the whole file');
  });

  it('is refused for a task without one class per example, and beside train_subset, at the key', () => {
    assert.throws(
      () => loadTrainingConfig(config('per-class-reg', 'train_per_class: 3', 'regression'), { taskTypes }),
      /tasks\[0\]\.data\.train_per_class.*applies only to tasks with one class per example \(sequence-classification, relation-classification\), not to regression/s,
    );
    assert.throws(
      () => loadTrainingConfig(config('per-class-both', 'train_per_class: 3, train_subset: 5'), { taskTypes }),
      /tasks\[0\]\.data\.train_per_class.*give 'train_subset' \(examples in all\) or 'train_per_class' \(examples of each class\), not both/s,
    );
  });
});

describe('data formats of the result runs', () => {
  const fixture = (name: string) => path.join(import.meta.dirname, '..', 'fixtures', 'datasets', name);

  it('cluener: a token-classification task reads CLUENER JSON lines as one word per character with BIO tags', async () => {
    writeFileSync(
      at('cluener.yaml'),
      `output_dir: out
encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 16 }
max_length: 16
tokenizer: { train: { vocab_size: 120, min_frequency: 1 } }
tasks:
  - { name: ner, type: token-classification, data: { format: cluener, train: ${fixture('cluener.json')} } }
training: { max_steps: 1 }
`,
    );
    const config = loadTrainingConfig(at('cluener.yaml'), { taskTypes });
    const [read] = await readTaskData(config.tasks, config.seed, taskTypes.reading, ['train']);
    assert.equal(read!.input, 'words');
    const first = read!.splits.train![0] as { tokens: string[]; tags: string[] };
    assert.deepEqual(first.tags.slice(0, 3), ['B-name', 'I-name', 'I-name']);
    assert.equal(first.tokens.length, first.tags.length);
  });

  it("tsv with test_columns and extra_fields: STS-B's scored test file (no header, 2 more fields on some rows) beside GLUE's dev file", async () => {
    const stsb = (extra: string) => `output_dir: out
encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 16 }
max_length: 16
tokenizer: { train: { vocab_size: 120, min_frequency: 1 } }
tasks:
  - name: similarity
    type: regression
    data:
      format: tsv
      train: ${fixture('stsb/dev.tsv')}
      test: ${fixture('stsb/original/sts-test.tsv')}
      test_columns: [genre, filename, year, id, score, sentence1, sentence2]
${extra}    input: { text: sentence1, text_pair: sentence2 }
    label: { field: score }
training: { max_steps: 1 }
`;
    writeFileSync(at('stsb.yaml'), stsb('      extra_fields: ignore\n'));
    const config = loadTrainingConfig(at('stsb.yaml'), { taskTypes });
    const [read] = await readTaskData(config.tasks, config.seed, taskTypes.reading, ['train', 'test']);
    const pairs = (split: 'train' | 'test') =>
      (read!.splits[split] as { textA: string; textB: string; label: string }[]).map((e) => [e.label, e.textA, e.textB]);
    assert.deepEqual(pairs('train')[0], ['5.000', 'A man with a hard hat is dancing.', 'A man wearing a hard hat is dancing.']);
    assert.deepEqual(pairs('test'), [
      ['2.500', 'A girl is styling her hair.', 'A girl is brushing her hair. '],
      ['0.800', '"Who is it?"', 'What is it?'],
    ]);
    // without extra_fields: ignore, the row with two more fields is a bad line (file:line)
    writeFileSync(at('stsb.yaml'), stsb(''));
    const strict = loadTrainingConfig(at('stsb.yaml'), { taskTypes });
    await assert.rejects(
      readTaskData(strict.tasks, strict.seed, taskTypes.reading, ['test']),
      /sts-test\.tsv:2.*expected 7 fields.*got 9/s,
    );
  });

  it('squad with dev_fraction: whole articles are held out', async () => {
    const article = (title: string) => ({
      title,
      paragraphs: [0, 1].map((p) => ({
        context: `${title} paragraph ${p} says the answer is ${p}.`,
        qas: [0, 1, 2].map((q) => ({
          id: `${title}-${p}-${q}`,
          question: `what is it ${q}?`,
          answers: [{ text: `${p}`, answer_start: 32 + title.length }],
        })),
      })),
    });
    const titles = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];
    writeFileSync(at('squad.json'), JSON.stringify({ version: '1.1', data: titles.map(article) }));
    writeFileSync(
      at('squad.yaml'),
      `output_dir: out
encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 64 }
max_length: 64
tokenizer: { train: { vocab_size: 120, min_frequency: 1 } }
tasks:
  - { name: qa, type: extractive-qa, data: { format: squad, train: squad.json, dev_fraction: 0.2 }, options: { doc_stride: 8 } }
training: { max_steps: 1 }
`,
    );
    const config = loadTrainingConfig(at('squad.yaml'), { taskTypes });
    const [read] = await readTaskData(config.tasks, config.seed, taskTypes.reading, ['train', 'dev']);
    const titlesOf = (split: 'train' | 'dev') => new Set((read!.splits[split] as { title: string }[]).map((e) => e.title));
    assert.equal(titlesOf('dev').size, 2);
    assert.equal(read!.splits.dev!.length, 12, 'every question of the two articles held out');
    assert.ok([...titlesOf('dev')].every((t) => !titlesOf('train').has(t)));
  });
});

describe('several references per example', () => {
  it(
    'examples/scitldr-t5.yaml: the seq2seq task reads each test paper’s 2–4 TL;DRs, its abstract as one text',
    needsExampleData('scitldr'),
    async () => {
      const config = loadTrainingConfig(path.join(import.meta.dirname, '../../examples/scitldr-t5.yaml'), { taskTypes });
      const [read] = await readTaskData(config.tasks, config.seed, taskTypes.reading, ['test']);
      const test = read!.splits.test as { text: string; label: string; references?: string[] }[];
      const counts = [2, 3, 4].map((n) => test.filter((e) => e.references?.length === n).length);
      assert.deepEqual(counts, [83, 339, 196]); // SOURCE.md
      assert.ok(
        test[0]!.text.startsWith(
          'Incremental class learning involves sequentially learning classes in bursts of examples from the same class. This violates',
        ),
      );
      assert.equal(test[0]!.label, test[0]!.references![0]);
    },
  );

  it('a task type that reads no references refuses a list label, naming file:line', needsExampleData('scitldr'), async () => {
    const config = loadTrainingConfig(path.join(import.meta.dirname, '../../examples/scitldr-t5.yaml'), { taskTypes });
    const tldr = config.tasks[0]!;
    const classify = { ...tldr, name: 'topic', type: 'sequence-classification', options: {} };
    await assert.rejects(
      readTaskData([classify], config.seed, taskTypes.reading, ['test']),
      /test\.jsonl:1: field "target" \(label\) must be a string or a number, got \[/,
    );
  });
});
