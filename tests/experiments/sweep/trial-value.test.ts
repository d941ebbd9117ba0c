// What a sweep records for a trial at a rung (the tables' "METRIC @ STEPS" column, ASHA's ranking): the best
// dev value of the run up to that rung's budget — the value of the checkpoint best/ holds there — not the dev
// value of the evaluation at the budget (docs/sweep-and-continual.md says so).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { valueAt } from '../../../src/experiments/sweep/trial-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe("a trial's value at a rung", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-trial-value-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is the best dev value up to the budget (0.1667 at step 2, then 0.15 at steps 4 and 8: 0.1667 at 4 and 8)', () => {
    mkdirSync(dir, { recursive: true });
    const evals = [
      [2, 0.1667, 0.1667],
      [4, 0.15, 0.1667],
      [8, 0.15, 0.1667],
    ].map(([step, value, best]) =>
      JSON.stringify({ type: 'eval', split: 'dev', step, selection: { metric: 'intent.accuracy', value, best } }),
    );
    writeFileSync(path.join(dir, 'metrics.jsonl'), `${evals.join('\n')}\n`);
    assert.equal(valueAt(dir, 2), 0.1667);
    assert.equal(valueAt(dir, 4), 0.1667);
    assert.equal(valueAt(dir, 8), 0.1667);
    assert.equal(valueAt(dir, 1), undefined);
  });

  it('docs/sweep-and-continual.md says the tables hold that best value, not the evaluation at the rung', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'sweep-and-continual.md'), 'utf8');
    assert.match(doc, /best dev value up to (each|its) rung/);
  });
});
