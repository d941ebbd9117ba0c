/**
 * A single-label classification task whose training data hold one label (label.field naming a column
 * that is the same on every row) is refused before training, with the file: its cross-entropy would
 * be 0 whatever the model did.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { DataError } from '../../src/errors.js';
import { prepareRun } from '../../src/run/prepare.js';
import { tinyTrainingConfig } from '../helpers/tiny-training-config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-one-label-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'train.jsonl');
writeFileSync(
  file,
  ['where is my order', 'refund please', 'thanks']
    .map((text) => JSON.stringify({ text, lang: 'en', intent: text.split(' ')[0] }))
    .join('\n'),
);

const configOf = (field: string, multiLabel = false) =>
  tinyTrainingConfig(dir, [
    {
      name: 'intent',
      type: 'sequence-classification',
      data: { format: 'jsonl', train: file },
      input: { text: 'text' },
      label: { field, multi_label: multiLabel },
    },
  ]);

describe('a classification task with one label', () => {
  it('is refused, naming the file, the label and label.field', async () => {
    await assert.rejects(prepareRun(configOf('lang'), { splits: ['train'] }), (e: Error) => {
      assert.ok(e instanceof DataError, String(e));
      assert.ok(e.message.startsWith(`${file}: task 'intent' has 1 label in its training data ('en')`), e.message);
      assert.match(e.message, /label\.field/);
      return true;
    });
  });

  it('multi-label (each label its own yes/no) and two or more labels are taken', async () => {
    assert.equal((await prepareRun(configOf('lang', true), { splits: ['train'] })).runs[0]!.spec.labels.length, 1);
    assert.equal((await prepareRun(configOf('intent'), { splits: ['train'] })).runs[0]!.spec.labels.length, 3);
  });
});
