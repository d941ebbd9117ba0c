/**
 * A seq2seq training example needs a target: a CSV row whose answer cell is empty ("hi," — a support
 * bot's answer column left blank) is refused with its file and line, not trained as "answer nothing".
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { validateTrainingConfig } from '../../src/config.js';
import { prepareRun } from '../../src/run/prepare.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-seq2seq-targets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const configOf = (csv: string, options: Record<string, unknown> = {}) => {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, csv);
  return validateTrainingConfig({
    output_dir: path.join(dir, 'out'),
    encoder: { model_type: 't5', hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64 },
    tokenizer: { train: { vocab_size: 100, min_frequency: 1 } },
    max_length: 16,
    tasks: [
      {
        name: 'answer',
        type: 'seq2seq',
        data: { format: 'csv', train: file },
        input: { text: 'question' },
        label: { field: 'answer' },
        options,
      },
    ],
    training: { max_steps: 1, batch_size: 2 },
  });
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
