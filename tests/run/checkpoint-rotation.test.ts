import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { lastNumberedCheckpoints, numberedSteps, rotateCheckpoints, stepsToDelete } from '../../src/run/checkpoint-rotation.js';

// Expected values worked by hand from Hugging Face Trainer's _sorted_checkpoints / _rotate_checkpoints
// (transformers/trainer.py): sort by step, bubble the best to index len-2, delete the first len-limit;
// limit 1 with a best that is not the newest keeps 2.
const steps = [100, 200, 300, 400, 500];

test('save_total_limit without a best: the oldest go', () => {
  assert.deepEqual(stepsToDelete(steps, 2, null), [100, 200, 300]);
  assert.deepEqual(stepsToDelete(steps, 5, null), []);
  assert.deepEqual(stepsToDelete(steps, 9, null), []);
  assert.deepEqual(stepsToDelete([300, 100, 200], 1, null), [100, 200]);
});

test('save_total_limit never deletes the best checkpoint', () => {
  // [100, 300, 400, 200, 500] after the best moves to second-to-last
  assert.deepEqual(stepsToDelete(steps, 2, 200), [100, 300, 400]);
  assert.deepEqual(stepsToDelete(steps, 3, 100), [200, 300]);
  assert.deepEqual(stepsToDelete(steps, 2, 400), [100, 200, 300]);
  assert.deepEqual(stepsToDelete(steps, 2, 500), [100, 200, 300]);
  // limit 1: the best and the newest stay (the newest is what a resume needs)
  assert.deepEqual(stepsToDelete(steps, 1, 200), [100, 300, 400]);
  assert.deepEqual(stepsToDelete(steps, 1, 500), [100, 200, 300, 400]);
  // a best step without a numbered checkpoint protects nothing
  assert.deepEqual(stepsToDelete(steps, 1, 250), [100, 200, 300, 400]);
});

test('rotateCheckpoints deletes those folders and leaves everything else', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-rotate-'));
  try {
    for (const name of ['checkpoint-10', 'checkpoint-20', 'checkpoint-30', 'checkpoint-4', 'best', 'last', 'checkpoint-x'])
      mkdirSync(path.join(dir, name));
    assert.deepEqual(numberedSteps(dir), [4, 10, 20, 30]);
    assert.deepEqual(rotateCheckpoints(dir, 2, 10), [4, 20]);
    assert.deepEqual(readdirSync(dir).sort(), ['best', 'checkpoint-10', 'checkpoint-30', 'checkpoint-x', 'last']);
    assert.deepEqual(numberedSteps(path.join(dir, 'absent')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lastNumberedCheckpoints: the last K checkpoint-<step>/ folders by step (not by name), oldest first', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-last-'));
  try {
    // by name, checkpoint-4800 < checkpoint-800 < checkpoint-900; by step 800 < 900 < 4800
    for (const name of [
      'checkpoint-800',
      'checkpoint-4800',
      'checkpoint-900',
      'checkpoint-12',
      'best',
      'last',
      '.checkpoint-5200.tmp-1-ab',
    ])
      mkdirSync(path.join(dir, name));
    assert.deepEqual(lastNumberedCheckpoints(dir, 2), [path.join(dir, 'checkpoint-900'), path.join(dir, 'checkpoint-4800')]);
    assert.deepEqual(
      lastNumberedCheckpoints(dir, 4).map((p) => path.basename(p)),
      ['checkpoint-12', 'checkpoint-800', 'checkpoint-900', 'checkpoint-4800'],
    );
    assert.throws(
      () => lastNumberedCheckpoints(dir, 5),
      /holds 4 numbered checkpoints \(checkpoint-12, checkpoint-800, checkpoint-900, checkpoint-4800\), fewer than the 5 asked for/,
    );
    assert.throws(() => lastNumberedCheckpoints(path.join(dir, 'best'), 1), /holds no numbered checkpoints, fewer than the 1 asked for/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
