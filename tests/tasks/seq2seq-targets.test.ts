/**
 * A seq2seq training example needs a target: a CSV row whose answer cell is empty ("hi," — a support
 * bot's answer column left blank) is refused with its file and line, not trained as "answer nothing".
 * A dev or test example without one is refused too, named as what it is (its split and file).
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

const write = (csv: string): string => {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, csv);
  return file;
};

const configOf = (csv: string, options: Record<string, unknown> = {}, splits: Record<string, string> = {}) => {
  const file = write(csv);
  const task = {
    name: 'answer',
    type: 'seq2seq',
    data: { format: 'csv', train: file, ...Object.fromEntries(Object.entries(splits).map(([k, v]) => [k, write(v)])) },
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
        assert.match(e.message, /\.csv:3: the training example of task 'answer' has an empty target; a training target must have text/);
        return true;
      });
    });
  }

  for (const split of ['dev', 'test'] as const) {
    it(`name a ${split} example without target text as a ${split} example of its own file and line, not a training one`, async () => {
      const good = 'question,answer\nwhere is it,let me check\nhi,hello\n';
      const config = configOf(good, {}, { [split]: 'question,answer\nwhere is it,let me check\nhi, \n' });
      const file = config.tasks[0]!.data[split]!;
      await assert.rejects(prepareRun(config, { splits: ['train', split] }), (e: Error) => {
        assert.ok(
          e.message.startsWith(
            `${file}:3: the ${split} example of task 'answer' has an empty target; every ${split} example needs a target to score the generated text against`,
          ),
          e.message,
        );
        assert.doesNotMatch(e.message, /training/);
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
