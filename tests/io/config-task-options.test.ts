/**
 * A training config's task options are checked by their task type (src/tasks' registry, passed to the
 * loader as `taskTypes`) when the config is validated: before any data is read, each problem named by
 * file:line, the option's path as written (`tasks[1].options.scoring`) and what was expected.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigFileError, parseTrainingConfig, type ConfigIssue } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';

/** Two tasks; the data files do not exist (`checkFiles: false`): nothing is read. */
const config = (intentOptions: string, kgOptions: string) => `seed: 1
output_dir: out
encoder: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37 }
tokenizer: { train: { vocab_size: 99 } }
tasks:
  - name: intent
    type: sequence-classification
    data: { format: tsv, train: missing/train.tsv }
    input: { text: sentence }
    label: { field: label }
    options: ${intentOptions}
  - name: kg
    type: link-prediction
    data: { format: triples, path: missing/graph }
    options:
${kgOptions}
training:
  max_steps: 10
`;

function problems(text: string): { error: ConfigFileError; issues: readonly ConfigIssue[] } {
  try {
    parseTrainingConfig(text, { taskTypes, source: 'bad.yaml', checkFiles: false });
  } catch (e) {
    assert.ok(e instanceof ConfigFileError, `expected a ConfigFileError, got ${String(e)}`);
    return { error: e, issues: e.issues };
  }
  assert.fail('the config was accepted');
}

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('task options in a training config', () => {
  it('valid options pass, in the file spelling', () => {
    const c = parseTrainingConfig(config('{ pooling: mean }', '      scoring: rotate\n      adversarial_temperature: 1'), {
      taskTypes,
      checkFiles: false,
    });
    assert.deepEqual(c.tasks[0]!.options, { pooling: 'mean' });
    assert.deepEqual(c.tasks[1]!.options, { scoring: 'rotate', adversarialTemperature: 1 });
  });

  it('a bad value is reported at validation with file:line, the option path and what was expected', () => {
    const text = config('{ pooling: cls }', '      margin: 2\n      scoring: holE');
    const { error, issues } = problems(text);
    assert.equal(issues.length, 1, JSON.stringify(issues));
    assert.deepEqual(issues[0]!.path, ['tasks', 1, 'options', 'scoring']);
    assert.equal(issues[0]!.line, lineOf(text, 'scoring: holE'));
    assert.ok(
      error.message.includes(
        `bad.yaml:${lineOf(text, 'scoring: holE')}: tasks[1].options.scoring: must be one of 'transe', 'distmult', 'complex', 'rotate', got 'holE'`,
      ),
      error.message,
    );
  });

  it('every task is checked, with the other problems of the file; an unknown option suggests the nearest one as written', () => {
    const text = config('{ poling: mean }', '      entities: embedding\n      rank_all: true').replace(
      'max_steps: 10',
      'max_steps: 10\n  epochs: 2',
    );
    const { issues } = problems(text);
    const byPath = new Map(issues.map((i) => [i.path.join('.'), i]));
    const unknown = byPath.get('tasks.0.options.poling');
    assert.ok(unknown, JSON.stringify(issues));
    assert.equal(unknown.line, lineOf(text, 'poling'));
    assert.match(
      unknown.message,
      /^unknown option; did you mean 'pooling'\? \(sequence-classification options: multi_label, .*, pooling, states_of\)$/,
    );
    const rankAll = byPath.get('tasks.1.options.rank_all');
    assert.ok(rankAll, JSON.stringify(issues));
    assert.equal(rankAll.line, lineOf(text, 'rank_all'));
    assert.match(rankAll.message, /applies only to entities: encoder/);
    assert.ok(byPath.has('training.epochs'), 'the cross-key problem is listed too');
  });

  it('a problem of two options together is reported at the options line', () => {
    const text = config('{}', '      scoring: transe')
      .replace('    options: {}\n', '    options: { random_token_probability: 0.5 }\n')
      .replace('type: sequence-classification', 'type: masked-lm')
      .replace('    label: { field: label }\n', ''); // masked-LM reads no label
    const { issues } = problems(text);
    assert.equal(issues.length, 1, JSON.stringify(issues));
    assert.deepEqual(issues[0]!.path, ['tasks', 0, 'options']);
    assert.equal(issues[0]!.line, lineOf(text, 'random_token_probability'));
    assert.match(issues[0]!.message, /mask_token_probability \+ random_token_probability must be a number in \[0, 1\], got 1\.3/);
  });
});
