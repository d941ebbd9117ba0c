import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { ConfigFileError, parseTrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';

const TOKENIZER = 'tokenizer: { train: { vocab_size: 100 } }\n';

/** A minimal valid config, with `training` lines appended under `training:` and `top` lines (the tokenizer's) at the top level. */
const config = (training: string, top = TOKENIZER) => `output_dir: out
${top}tasks:
  - name: intent
    type: sequence-classification
    data: { format: tsv, train: train.tsv }
    input: { text: sentence }
    label: { field: label }
training:
  max_steps: 10
${training}`;

const parse = (text: string) => parseTrainingConfig(text, { source: 'limits.yaml', checkFiles: false, taskTypes });

/** The issues of a config that must fail, as "line: path: message". */
function issuesOf(text: string): string[] {
  try {
    parse(text);
  } catch (e) {
    assert.ok(e instanceof ConfigFileError, `a ConfigFileError, got ${String(e)}`);
    return e.issues.map((i) => `${i.line}: ${i.path.join('.')}: ${i.message}`);
  }
  assert.fail('the config was accepted');
}

describe('config: a YAML alias bomb', () => {
  it('is a ConfigError naming the file and the limit, not an uncaught ReferenceError from the parser', () => {
    // "Billion laughs": each level refers 9 times to the one before, 9^6 = 531,441 strings from 6 lines.
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, name] of [...'abcde'].map((c, i) => [c, 'bcdef'[i]]))
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    assert.throws(
      () => parse(levels.join('\n')),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, `a ConfigError, got ${(e as Error).name}`);
        assert.match(
          e.message,
          /^limits\.yaml: its aliases \(\*name\) expand past the loader's limit \(the yaml package's maxAliasCount, 100\)/,
        );
        return true;
      },
    );
  });

  it('a few aliases (a shared data section) still load', () => {
    const text = `output_dir: out
tokenizer: { train: { vocab_size: 100 } }
tasks:
  - { name: a, type: sequence-classification, data: &d { format: tsv, train: t.tsv }, input: &i { text: s }, label: &l { field: y } }
  - { name: b, type: sequence-classification, data: *d, input: *i, label: *l }
training: { max_steps: 1 }
`;
    assert.equal(parse(text).tasks[1]?.data.train?.endsWith('t.tsv'), true);
  });
});

describe('config: sizes and counts out of any sane range', () => {
  it('batch_size: 1e12 is refused with its line and the valid range', () => {
    assert.deepEqual(issuesOf(config('  batch_size: 1e12\n')), [
      '11: training.batch_size: expected an integer from 1 to 65,536, got 1000000000000 (a number)',
    ]);
  });

  it("tokenizer vocab_size: 1e12 and the encoder's vocab_size: 1e12 are refused with the valid range", () => {
    const top = 'tokenizer: { train: { vocab_size: 1e12 } }\nencoder: { vocab_size: 1e12 }\n';
    assert.deepEqual(issuesOf(config('', top)), [
      '2: tokenizer.train.vocab_size: expected an integer from 1 to 1,000,000, got 1000000000000 (a number)',
      '3: encoder.vocab_size: expected an integer from 1 to 1,000,000, got 1000000000000 (a number)',
    ]);
  });

  it('max_length, max_steps, eval_every, gradient_accumulation_steps and hidden_size of 1e9 are each refused', () => {
    const top = `${TOKENIZER}max_length: 1e9\nencoder: { hidden_size: 1e9 }\n`;
    const issues = issuesOf(
      config('  eval_every: 1e9\n  gradient_accumulation_steps: 1e9\n', top).replace('max_steps: 10', 'max_steps: 1e9'),
    );
    assert.deepEqual(issues.map((i) => i.replace(/^\d+: /, '').replace(/, got .*/, '')).sort(), [
      'encoder.hidden_size: expected an integer from 1 to 65,536',
      'max_length: expected an integer from 1 to 131,072',
      'training.eval_every: expected an integer from 1 to 100,000,000',
      'training.gradient_accumulation_steps: expected an integer from 1 to 65,536',
      'training.max_steps: expected an integer from 1 to 100,000,000',
    ]);
  });

  it('the data section: max_lines, window_lines, dev_lines and train_subset of 1e12 are each refused with the valid range', () => {
    const text = config('').replace(
      'data: { format: tsv, train: train.tsv }',
      'data: { format: tsv, train: train.tsv, max_lines: 1e12, window_lines: 1e12, dev_lines: 1e12, train_subset: 1e12 }',
    );
    const issues = issuesOf(text).map((i) => i.replace(/^\d+: /, '').replace(/, got .*/, ''));
    assert.deepEqual(issues.sort(), [
      'tasks.0.data.dev_lines: expected an integer from 1 to 1,000,000,000',
      'tasks.0.data.max_lines: expected an integer from 1 to 1,000,000,000',
      'tasks.0.data.train_subset: expected an integer from 1 to 1,000,000,000',
      'tasks.0.data.window_lines: expected an integer from 1 to 1,000,000,000',
    ]);
  });

  it("max_length above max_position_embeddings: the message says when the 128 is the default, not the config's", () => {
    const small = 'encoder: { max_position_embeddings: 64 }\n';
    assert.deepEqual(issuesOf(config('', `${small}${TOKENIZER}`)), [
      "undefined: max_length: max_length (128, the default: the config does not set it) exceeds the encoder's " +
        'max_position_embeddings (64); set max_length to at most 64 or raise max_position_embeddings',
    ]);
    assert.deepEqual(issuesOf(config('', `max_length: 100\n${small}${TOKENIZER}`)), [
      "2: max_length: max_length (100) exceeds the encoder's max_position_embeddings (64); lower it or raise max_position_embeddings",
    ]);
  });

  it('values at the bounds are accepted', () => {
    const c = parse(config('  batch_size: 65536\n', 'max_length: 512\ntokenizer: { train: { vocab_size: 1000000 } }\n'));
    assert.equal(c.training.batchSize, 65536);
    assert.equal(c.tokenizer?.train?.vocabSize, 1_000_000);
  });
});
