/**
 * Checkpoints written by an older main (tests/fixtures/old-checkpoints, made at 43eb504 by
 * scripts/fixtures/old-checkpoints.ts: a plain BERT run, per-task LoRA, Houlsby adapters under an
 * MMoE layer) still load, evaluate to the metrics that code recorded, and predict the same labels
 * and probabilities: the saved format is kept across the Backbone redesign. (The printed key
 * `probability` was renamed `score` later, as Hugging Face pipelines name it, and entity spans' `type` and
 * `text` became `entity_group` and `word`: expected.json's keys were renamed with them; its values are the
 * ones recorded. Entities' `score`, added later, was not recorded: it is checked to be a probability.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateCheckpoint } from '../../src/eval/checkpoint.js';
import { Predictor } from '../../src/predict/predict.js';
import { needsTinyRunData, tinyRun, type RunFolder } from '../train/trainer-fixture.js';
import { TEXTS, VARIANTS } from './old-checkpoints-fixture.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'old-checkpoints');
const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<
  string,
  { dev: unknown; devLosses: Record<string, number>; test: unknown; predictions: unknown }
>;

/** Deep equality with numbers compared within `tol` (float rounding of a different but equal computation). */
function assertClose(actual: unknown, want: unknown, tol: number, where = ''): void {
  if (typeof want === 'number') {
    assert.equal(typeof actual, 'number', `${where}: expected a number`);
    assert.ok(Math.abs((actual as number) - want) <= tol, `${where}: ${String(actual)} vs ${want}`);
  } else if (Array.isArray(want)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array`);
    assert.equal(actual.length, want.length, `${where}: length`);
    want.forEach((w, i) => assertClose((actual as unknown[])[i], w, tol, `${where}[${i}]`));
  } else if (want !== null && typeof want === 'object') {
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(want).sort(), `${where}: keys`);
    for (const [k, w] of Object.entries(want)) assertClose((actual as Record<string, unknown>)[k], w, tol, `${where}.${k}`);
  } else {
    assert.equal(actual, want, where);
  }
}

/** The tiny run's SNIPS and SST-2 samples (the data the fixtures were evaluated on); skipped without them. */
const data = needsTinyRunData();

describe('checkpoints of an older main', data, () => {
  let run: RunFolder;
  before(() => {
    if (data.skip) return;
    run = tinyRun(); // the same data the fixtures were trained and evaluated on
  });
  after(() => run?.remove());

  /** The fixture `name` copied beside the data, its training_config.yaml pointed at them. */
  function place(name: string): string {
    const dir = path.join(run.dir, `old-${name}`);
    cpSync(path.join(FIXTURES, name), dir, { recursive: true });
    const yamlFile = path.join(dir, 'training_config.yaml');
    writeFileSync(yamlFile, readFileSync(yamlFile, 'utf8').split('{{DATA}}').join(run.dir));
    return dir;
  }

  for (const name of Object.keys(VARIANTS)) {
    test(`${name}: mtl eval gives the recorded dev and test metrics`, async () => {
      const dir = place(name);
      const want = expected[name]!;
      const dev = await evaluateCheckpoint(dir, { split: 'dev' });
      assertClose(dev.metrics, want.dev, 1e-12, 'dev');
      assertClose(dev.losses, want.devLosses, 1e-5, 'dev losses');
      const testSplit = await evaluateCheckpoint(dir, { split: 'test' });
      assertClose(testSplit.metrics, want.test, 1e-12, 'test');
    });

    test(`${name}: Predictor gives the recorded predictions`, async () => {
      const dir = place(`${name}`);
      using predictor = Predictor.load(dir);
      const records = await predictor.predict(TEXTS);
      for (const r of records)
        for (const p of Object.values(r.predictions) as { spans?: { score?: number }[] }[])
          for (const span of p.spans ?? []) {
            assert.ok(span.score! > 0 && span.score! <= 1, `an entity's score is a probability: ${span.score}`);
            delete span.score;
          }
      assertClose(records, expected[name]!.predictions, 1e-5, 'predictions');
    });
  }
});
