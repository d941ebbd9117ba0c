// A config without a tokenizer section is what `mtl train CONFIG --from CKPT` takes (the checkpoint's
// tokenizer); run without --from (as `mtl train CONFIG --resume` of a continual run), the error said the
// section could be left out "only with encoder.from", hiding the flag the user forgot.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigFileError, parseTrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';

const CONTINUAL = `seed: 1
output_dir: runs/x
tasks:
  - name: sentiment
    type: sequence-classification
    data: { format: tsv, train: train.tsv }
    input: { text: sentence }
    label: { field: label }
continual:
  rehearsal: { examples: 20 }
training: { max_steps: 2 }
`;

describe('a config without a tokenizer', () => {
  it('names both ways to leave it out: encoder.from and mtl train --from', () => {
    assert.throws(
      () => parseTrainingConfig(CONTINUAL, { taskTypes, source: 'c.yaml', checkFiles: false }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigFileError);
        const issue = e.issues.find((i) => i.path.join('.') === 'tokenizer');
        assert.match(issue?.message ?? '', /encoder\.from.*mtl train CONFIG --from CKPT/);
        return true;
      },
    );
  });
});
