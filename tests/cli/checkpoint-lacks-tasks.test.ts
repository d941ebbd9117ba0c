// A checkpoint of ours that lost tasks.json is named as such by `mtl predict` and `mtl eval`; it used to be
// taken for a Hugging Face task-model folder (config.json without tasks.json): predict complained of
// config.json's `architectures`, eval asked for --data "as for a Hugging Face task-model folder".
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isHfTaskFolder } from '../../src/run/hf-task-folder.js';
import { train } from '../../src/train/trainer.js';
import { runCli } from '../helpers/cli.js';
import { tinyTrainingConfig } from '../helpers/tiny-training-config.js';

describe('a checkpoint without tasks.json', () => {
  let dir = '';
  let best = '';
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-lacks-tasks-'));
    const rows = ['text,label', 'a good film,pos', 'a bad film,neg', 'good acting,pos', 'bad acting,neg'];
    writeFileSync(path.join(dir, 'train.csv'), `${rows.join('\n')}\n`);
    const data = { format: 'csv', train: path.join(dir, 'train.csv'), dev: path.join(dir, 'train.csv') };
    const task = { name: 'sentiment', type: 'sequence-classification', data, input: { text: 'text' }, label: { field: 'label' } };
    const run = await train(tinyTrainingConfig(dir, [task]));
    best = path.join(run.outputDir, 'best');
    rmSync(path.join(best, 'tasks.json'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is not a Hugging Face task-model folder (it has our training_config.yaml)', () => {
    assert.equal(isHfTaskFolder(best), false);
  });

  it('mtl predict and mtl eval name the missing file', async () => {
    for (const argv of [
      ['predict', best, 'a good film'],
      ['eval', best],
    ]) {
      const r = await runCli(...argv);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`the checkpoint ${best.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} lacks tasks\\.json`), r.stderr);
    }
  });
});
