/**
 * A seq2seq training example needs a target: a CSV row whose answer cell is empty ("hi," — a support
 * bot's answer column left blank) is refused with its file and line, not trained as "answer nothing".
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { prepareRun } from '../../src/run/prepare.js';
import { tinyTrainingConfig } from '../helpers/tiny-training-config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-seq2seq-targets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const configOf = (csv: string, options: Record<string, unknown> = {}) => {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, csv);
  const task = {
    name: 'answer',
    type: 'seq2seq',
    data: { format: 'csv', train: file },
    input: { text: 'question' },
    label: { field: 'answer' },
    options,
  };
  return tinyTrainingConfig(dir, [task], { model_type: 't5' });
};

describe('seq2seq training targets', () => {
  for (const [what, cell] of [
    ['empty', ''],
    ['blank', '" "'],
  ] as const) {
    it(`refuse an ${what} target with its file and line`, async () => {
      const config = configOf(`question,answer\nwhere is it,let me check\nhi,${cell}\n`);
      await assert.rejects(prepareRun(config, { splits: ['train'] }), (e: Error) => {
        assert.match(e.message, /task 'answer'/);
        assert.match(e.message, /\.csv:3 has an empty target/);
        return true;
      });
    });
  }

  it('take targets that have text', async () => {
    const run = await prepareRun(configOf('question,answer\nwhere is it,let me check\nhi,hello\n'), { splits: ['train'] });
    assert.equal(run.data[0]!.splits.train!.length, 2);
  });

  it('a target cut to max_target_length is logged as such, not as an input cut to max_length', async () => {
    const lines: string[] = [];
    const config = configOf('question,answer\nwhere is it,let me check the status of your order\nhi,hello\n', { max_target_length: 3 });
    const run = await prepareRun(config, { splits: ['train'], logger: { info: (line: string) => lines.push(line) } });
    assert.deepEqual(
      lines.filter((l) => l.includes('truncated')),
      ["task answer (train): truncated 1 of 2 targets to the task's max_target_length"],
    );
    assert.equal(run.truncated.answer!.train, 0, 'no source was cut to max_length 16');
  });
});
