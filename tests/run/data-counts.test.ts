/**
 * The 'data:' line a run logs before it tokenizes (`prepareRun`): examples per task and split read, and a
 * task without any of the splits asked for says so (`mtl eval` of a task that has no test split).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { validateTrainingConfig } from '../../src/config.js';
import { prepareRun } from '../../src/run/prepare.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-data-counts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("a run's data line", () => {
  it("counts each task's examples per split, and names a split a task lacks", async () => {
    writeFileSync(path.join(dir, 'train.csv'), 'text,label\na b,x\nb c,y\nc d,x\n');
    writeFileSync(path.join(dir, 'test.csv'), 'text,label\na c,x\nb d,y\n');
    const task = (name: string, test?: string) => ({
      name,
      type: 'sequence-classification',
      data: { format: 'csv', train: path.join(dir, 'train.csv'), ...(test === undefined ? {} : { test }) },
      input: { text: 'text' },
      label: { field: 'label' },
    });
    const config = validateTrainingConfig({
      output_dir: path.join(dir, 'out'),
      encoder: { model_type: 'bert', hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 },
      tokenizer: { train: { vocab_size: 50, min_frequency: 1 } },
      max_length: 8,
      tasks: [task('with_test', path.join(dir, 'test.csv')), task('without_test')],
      training: { max_steps: 1, batch_size: 2 },
    });
    const lines: string[] = [];
    await prepareRun(config, { logger: { info: (l) => lines.push(l) } });
    assert.equal(lines[0], 'data: with_test: 3 train, 2 test; without_test: 3 train');
    lines.length = 0;
    // `mtl eval` passes the checkpoint's task records for the labels; without them this run stops after the data line
    await assert.rejects(prepareRun(config, { splits: ['test'], logger: { info: (l) => lines.push(l) } }), /hold no labels/);
    assert.equal(lines[0], 'data: with_test: 2 test; without_test: no test split');
  });
});
