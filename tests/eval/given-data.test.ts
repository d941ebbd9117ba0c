/**
 * `mtl eval DIR --data FILE --format FORMAT` (src/eval/given-data.ts): a tiny fine-tuned checkpoint's
 * tasks exported as Hugging Face folders (…ForSequenceClassification, …ForTokenClassification), which
 * have no training config, evaluated on the test files of the checkpoint's run give the metrics that
 * `mtl eval CKPT --split test` gives for those tasks; the checkpoint itself on a given file, the usage
 * errors, and `--report` without a file. Needs no data set: the data are made here.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportHf } from '../../src/export/hf.js';
import { runCli as cli } from '../helpers/cli.js';
import { writeHfFolder, writeTwoTaskFinetune } from '../helpers/hf-folder.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-eval-data-'));
const at = (...parts: string[]) => path.join(dir, ...parts);
const last = at('run', 'last');
after(() => rmSync(dir, { recursive: true, force: true }));

interface Printed {
  step: number | null;
  split: string;
  data?: string;
  metrics: Record<string, Record<string, number>>;
  losses: Record<string, number>;
  examples: number;
}

/** `mtl eval ARGS…`, which must exit 0; what it printed on stdout, parsed, and its stderr. */
async function evaluate(...args: string[]): Promise<{ printed: Printed; stderr: string }> {
  const r = await cli('eval', ...args);
  assert.equal(r.code, 0, r.stderr);
  return { printed: JSON.parse(r.stdout) as Printed, stderr: r.stderr };
}

let ours: Printed;

before(async () => {
  const folder = writeHfFolder(at('hf-bert'), 'bert', 'tokenizer.json');
  const r = await cli('finetune', folder, writeTwoTaskFinetune(dir), '--output', at('run'));
  assert.equal(r.code, 0, r.stderr);
  exportHf(last, at('hf-topic'), { task: 'topic' });
  exportHf(last, at('hf-slots'), { task: 'slots' });
  ours = (await evaluate(last, '--split', 'test')).printed;
});

describe('mtl eval on Hugging Face task-model folders, with --data', () => {
  it('…ForSequenceClassification on a csv file: the metrics and loss of the checkpoint it was exported from', async () => {
    const { printed } = await evaluate(
      at('hf-topic'),
      '--data',
      at('test.csv'),
      '--format',
      'csv',
      '--label-field',
      'category',
      '--split',
      'test',
    );
    assert.equal(printed.step, null);
    assert.equal(printed.split, 'test');
    assert.equal(printed.data, at('test.csv'));
    assert.deepEqual(Object.keys(printed.metrics), ['text-classification']);
    assert.equal(printed.examples, 9);
    assert.deepEqual(printed.metrics['text-classification'], ours.metrics.topic);
    assert.ok(Math.abs(printed.losses['text-classification']! - ours.losses.topic!) < 1e-6, 'the same loss');
  });

  it('…ForTokenClassification on a CoNLL file: the entity scores of the checkpoint', async () => {
    const { printed } = await evaluate(at('hf-slots'), '--data', at('test.conll'), '--format', 'conll', '--split', 'test');
    assert.deepEqual(printed.metrics['token-classification'], ours.metrics.slots);
    assert.ok(Math.abs(printed.losses['token-classification']! - ours.losses.slots!) < 1e-6, 'the same loss');
  });

  it('a checkpoint of ours on a given file: the task named, its format and fields from the training config', async () => {
    const { printed } = await evaluate(last, '--data', at('test.csv'), '--task', 'topic');
    assert.equal(printed.split, 'dev', 'the given examples evaluated under --split (dev by default)');
    assert.deepEqual(Object.keys(printed.metrics), ['topic']);
    assert.deepEqual(printed.metrics.topic, ours.metrics.topic);
  });

  it('--report without a file prints the per-label report and confusion matrix; with one, also writes it', async () => {
    const args = [at('hf-topic'), '--data', at('test.csv'), '--format', 'csv', '--label-field', 'category'];
    const { stderr } = await evaluate(...args, '--report');
    assert.match(stderr, /== text-classification\n[\s\S]*precision +recall +f1-score +support[\s\S]*gold \\ predicted/);
    assert.doesNotMatch(stderr, /report written/);
    const file = at('report.json');
    const written = await evaluate(...args, '--report', file);
    assert.match(written.stderr, /report written to/);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { reports: Record<string, { confusion: { matrix: number[][] } }> };
    const n = saved.reports['text-classification']!.confusion.matrix.flat().reduce((a, b) => a + b, 0);
    assert.equal(n, 9, 'the confusion matrix counts every test example');
  });

  it('usage errors (exit 2): a folder without training config and no --data, a data flag without --data', async () => {
    const bare = await cli('eval', at('hf-topic'));
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /hf-topic has no training_config\.yaml naming its data .*--data FILE --format FORMAT/);
    const format = await cli('eval', last, '--format', 'csv');
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--format goes with --data FILE/);
    const bad = await cli('eval', at('hf-topic'), '--data', at('test.csv'), '--format', 'xml');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format must be joint-folder, csv, .* or messages, got 'xml'/);
  });

  it('what the data need, said (exit 1): a format, the task of a multi-task checkpoint, fields that exist', async () => {
    const noFormat = await cli('eval', at('hf-topic'), '--data', at('test.csv'));
    assert.equal(noFormat.code, 1);
    assert.match(noFormat.stderr, /no training config that says how its data are written: give the format of .*test\.csv \(--format/);
    const twoTasks = await cli('eval', last, '--data', at('test.csv'));
    assert.equal(twoTasks.code, 1);
    assert.match(twoTasks.stderr, /has 2 tasks \('topic' \(sequence-classification\), 'slots' \(token-classification\)\): name the one/);
    const field = await cli('eval', at('hf-topic'), '--data', at('test.csv'), '--format', 'csv');
    assert.equal(field.code, 1);
    assert.match(field.stderr, /label/, `the missing label column is named: ${field.stderr}`);
    assert.ok(!existsSync(at('hf-topic', 'training_config.yaml')));
  });
});
