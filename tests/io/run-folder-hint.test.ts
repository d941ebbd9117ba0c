/**
 * Giving a run's output folder (runs/bot, what `mtl train` names) where a checkpoint is wanted
 * (runs/bot/best): the error says which folder to give.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { inspectCheckpoint } from '../../src/io/checkpoint-inspect.js';
import { readConfigJson } from '../../src/run/load-model.js';

const root = mkdtempSync(path.join(tmpdir(), 'mtl-run-folder-'));
after(() => rmSync(root, { recursive: true, force: true }));
const run = path.join(root, 'bot');
for (const c of ['best', 'last']) {
  mkdirSync(path.join(run, c), { recursive: true });
  writeFileSync(path.join(run, c, 'tasks.json'), '{}');
}
const onlyLast = path.join(root, 'interrupted');
mkdirSync(path.join(onlyLast, 'last'), { recursive: true });
writeFileSync(path.join(onlyLast, 'last', 'tasks.json'), '{}');
const hint = (dir: string, give: string) => `; ${dir} is a training run's output folder: give ${give}`;

describe("a run's output folder given as a checkpoint", () => {
  it('mtl predict / eval / serve (inspectCheckpoint) name its best and last checkpoints', () => {
    assert.throws(
      () => inspectCheckpoint(run),
      (e: Error) => e instanceof CheckpointError && e.message.endsWith(hint(run, `${run}/best (or ${run}/last)`)),
    );
    assert.throws(
      () => inspectCheckpoint(onlyLast),
      (e: Error) => e instanceof CheckpointError && e.message.endsWith(hint(onlyLast, `${onlyLast}/last`)),
    );
  });

  it('mtl generate (a folder read as Hugging Face) too', () => {
    assert.throws(
      () => readConfigJson(run),
      (e: Error) => e instanceof ConfigError && e.message.endsWith(hint(run, `${run}/best (or ${run}/last)`)),
    );
  });

  it('any other folder gets no hint', () => {
    assert.throws(
      () => inspectCheckpoint(root),
      (e: Error) => e instanceof CheckpointError && !e.message.includes('output folder'),
    );
  });
});
