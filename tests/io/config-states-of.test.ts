/**
 * A task's `states_of` (an intent head reading the slot head's BiLSTM states): taken by sequence
 * classification only, naming another task of the config that has a `bilstm`; each problem at the key
 * and line to change. The data files do not exist (`checkFiles: false`): nothing is read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigFileError, parseTrainingConfig, type ConfigIssue } from '../../src/io/config/index.js';
import { taskConfigOptions, taskTypes } from '../../src/tasks/index.js';

const config = (intent: string, slots: string) => `seed: 1
output_dir: out
encoder: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37 }
tokenizer: { train: { vocab_size: 99 } }
tasks:
  - name: intent
    type: sequence-classification
    data: &d { format: joint-folder, train: missing/train }
${intent}
  - name: slots
    type: token-classification
    data: *d
${slots}
training:
  max_steps: 10
`;

const parse = (text: string) => parseTrainingConfig(text, { taskTypes, source: 'bad.yaml', checkFiles: false });

function issuesOf(text: string): readonly ConfigIssue[] {
  try {
    parse(text);
  } catch (e) {
    assert.ok(e instanceof ConfigFileError, `expected a ConfigFileError, got ${String(e)}`);
    return e.issues;
  }
  assert.fail('the config was accepted');
}

describe('config: states_of', () => {
  it('reaches the intent task’s options as statesOf (pooling mean, the config default)', () => {
    const c = parse(config('    states_of: slots', '    bilstm: {}'));
    const options = taskTypes.get('sequence-classification')!.resolveOptions(taskConfigOptions(c.tasks[0]!));
    assert.equal((options as { statesOf: string }).statesOf, 'slots');
    assert.equal((options as { pooling: string }).pooling, 'mean');
    const plain = parse(config('', '    bilstm: {}'));
    assert.equal(
      (taskTypes.get('sequence-classification')!.resolveOptions(taskConfigOptions(plain.tasks[0]!)) as { statesOf: null }).statesOf,
      null,
    );
  });

  it('names a task with a bilstm: not a missing task, not one without bilstm, not itself', () => {
    const [missing] = issuesOf(config('    states_of: tags', '    bilstm: {}'));
    assert.deepEqual(missing!.path, ['tasks', 0, 'states_of']);
    assert.match(missing!.message, /names task 'tags', which this config does not have \(its tasks: 'intent', 'slots'\)/);
    assert.equal(missing!.line, 9);
    const [noBilstm] = issuesOf(config('    states_of: slots', '    crf: true'));
    assert.match(noBilstm!.message, /task 'slots' has no bilstm, so no states to read; give it 'bilstm: \{\}'/);
    const [self] = issuesOf(config('    states_of: intent', '    bilstm: {}'));
    assert.match(self!.message, /cannot read its own states/);
  });

  it('is an option of sequence-classification tasks only', () => {
    const issues = issuesOf(config('    bilstm: {}', '    bilstm: {}\n    states_of: intent'));
    const paths = issues.map((i) => i.path.join('.'));
    assert.ok(paths.includes('tasks.1.states_of'), paths.join(' | '));
    assert.ok(
      issues.some((i) => /states_of applies only to sequence-classification tasks, not to token-classification/.test(i.message)),
      issues.map((i) => i.message).join(' | '),
    );
  });

  it('refuses pooling cls beside it, at the option', () => {
    const issues = issuesOf(config('    states_of: slots\n    options: { pooling: cls }', '    bilstm: {}'));
    assert.ok(
      issues.some((i) => /'cls' reads BERT's pooled \[CLS\]/.test(i.message)),
      issues.map((i) => i.message).join(' | '),
    );
  });
});
