/**
 * docs/guide-custom-task.md stays true: the files it shows are examples/custom-task's as they are, and
 * its commands run — the YAML config on a CSV with a built-in type (train, predict), and the
 * TypeScript config that registers its own task type (train), then predict.ts in a process of its own.
 * Each run is a few steps: what is checked is that the guide's files and commands work, not accuracy.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { needs } from '../helpers/datasets.js';
import { codeBlocks } from '../helpers/markdown.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GUIDE = readFileSync(path.join(ROOT, 'docs', 'guide-custom-task.md'), 'utf8');
const FILES = ['banking77.yaml', 'config.ts', 'length-bucket.ts', 'predict.ts'].map((f) => `examples/custom-task/${f}`);

interface Printed {
  text: string;
  predictions: Record<string, Record<string, unknown>>;
}

describe('docs/guide-custom-task.md', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-guide-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('shows each file of examples/custom-task/ exactly as it is', () => {
    const shown = new Map<string, string>();
    for (const block of codeBlocks(GUIDE)) {
      const file = /^(?:\/\/|#) (examples\/custom-task\/[\w.-]+):/.exec(block.code)?.[1];
      if (file !== undefined) shown.set(file, block.code);
    }
    assert.deepEqual([...shown.keys()].sort(), FILES);
    for (const [file, code] of shown) assert.equal(code, readFileSync(path.join(ROOT, file), 'utf8'), `${file} as the guide shows it`);
  });

  it('1. a CSV with a built-in task type: mtl train, then mtl predict', needs('banking77'), async () => {
    const out = path.join(dir, 'banking77');
    const trained = await runCli('train', path.join(ROOT, 'examples/custom-task/banking77.yaml'), '--output', out, '--max-steps', '2');
    assert.equal(trained.code, 0, trained.stderr);
    const categories = new Set(
      readFileSync(path.join(ROOT, '..', 'shared', 'datasets', 'banking77', 'train.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.slice(l.lastIndexOf(',') + 1).trim()),
    );
    const predicted = await runCli('predict', path.join(out, 'best'), 'I lost my card');
    assert.equal(predicted.code, 0, predicted.stderr);
    const { label } = (JSON.parse(predicted.stdout) as Printed).predictions.intent as { label: string };
    assert.ok(categories.has(label), `a Banking77 category: ${label}`);
  });

  it(
    '2. a task type of your own: mtl train config.ts registers it and trains both tasks; predict.ts predicts both',
    needs('banking77'),
    async () => {
      const out = path.join(dir, 'two-tasks');
      const trained = await runCli('train', path.join(ROOT, 'examples/custom-task/config.ts'), '--output', out, '--max-steps', '2');
      assert.equal(trained.code, 0, trained.stderr);
      const tasks = JSON.parse(readFileSync(path.join(out, 'best', 'tasks.json'), 'utf8')) as { tasks: { name: string; type: string }[] };
      assert.deepEqual(
        tasks.tasks.map((t) => [t.name, t.type]),
        [
          ['intent', 'sequence-classification'],
          ['length', 'length-bucket'],
        ],
      );
      const run = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'examples/custom-task/predict.ts',
          path.join(out, 'best'),
          'I lost my card',
          'my card has still not arrived after two weeks of waiting',
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
      assert.equal(run.status, 0, run.stderr);
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Printed);
      assert.deepEqual(
        lines.map((l) => l.text),
        ['I lost my card', 'my card has still not arrived after two weeks of waiting'],
      );
      for (const l of lines) {
        assert.equal(typeof (l.predictions.intent as { label: unknown }).label, 'string');
        assert.ok(['short', 'long'].includes((l.predictions.length as { bucket: string }).bucket));
      }
    },
  );
});
