// An unknown key inside a section that has several shapes (a discriminated union: `data.augment` by
// `method`, `training.optimizer` by `name`, a sweep parameter by `type`) is reported with the valid keys
// of the shape its discriminator chose, as elsewhere; it used to end in an empty "valid keys: ".
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigFileError, parseTrainingConfig } from '../../src/io/config/index.js';
import { loadSweepConfig } from '../../src/experiments/sweep/sweep-config.js';
import { taskTypes } from '../../src/tasks/index.js';

const CONFIG = `seed: 1
output_dir: runs/x
encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64 }
tokenizer: { train: { vocab_size: 99 } }
tasks:
  - name: intent
    type: sequence-classification
    data:
      format: tsv
      train: train.tsv
      augment: AUGMENT
    input: { text: sentence }
    label: { field: label }
training:
  max_steps: 2
  optimizer: OPTIMIZER
`;

function messages(augment: string, optimizer: string): string[] {
  const text = CONFIG.replace('AUGMENT', augment).replace('OPTIMIZER', optimizer);
  try {
    parseTrainingConfig(text, { taskTypes, source: 'bad.yaml', checkFiles: false });
  } catch (e) {
    assert.ok(e instanceof ConfigFileError, String(e));
    return e.issues.map((i) => `${i.line}: ${i.path.join('.')}: ${i.message}`);
  }
  assert.fail('the config was accepted');
}

describe('unknown keys in a section with several shapes', () => {
  it('data.augment (by method) and training.optimizer (by name): the keys of the chosen shape, or the nearest', () => {
    const got = messages('{ method: eda, copy: 2 }', '{ name: sgd, momentm: 0.9 }');
    assert.deepEqual(got, [
      "11: tasks.0.data.augment.copy: unknown key 'copy'; valid keys: method, copies, alpha_sr, alpha_ri, alpha_rs, p_rd",
      "16: training.optimizer.momentm: unknown key 'momentm'; did you mean 'momentum'?",
    ]);
  });

  it("with no near key, the chosen shape's keys are listed, not the other shapes'", () => {
    const [augment] = messages('{ method: eda, colour: blue }', '{ name: adamw }');
    assert.match(augment!, /^11: tasks\.0\.data\.augment\.colour: unknown key 'colour'; valid keys: method, copies, alpha_sr, /);
    assert.doesNotMatch(augment!, /checkpoint|forward_task/);
  });

  it('a sweep parameter (by type) in a space file, which the message calls a sweep space', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtl-union-keys-'));
    try {
      const file = path.join(dir, 'space.yaml');
      writeFileSync(file, 'output_dir: out\nparameters:\n  training.learning_rate: { type: uniform, low: 1.0e-4, hi: 0.03 }\n');
      await assert.rejects(loadSweepConfig(path.join(dir, 'absent-config.yaml'), file), (e: unknown) => {
        assert.ok(e instanceof ConfigFileError);
        const issue = e.issues.find((i) => i.path.at(-1) === 'hi');
        assert.equal(issue?.message, "unknown key 'hi'; did you mean 'high'?");
        assert.equal(issue?.line, 3);
        assert.match(e.message, /^the sweep space .*space\.yaml has 2 problems; nothing was trained:/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
