import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, ShapeError } from '../../src/errors.js';
import {
  accuracy,
  averageScores,
  classificationReport,
  confusionMatrix,
  formatClassificationReport,
  formatFixed,
  perClassScores,
  uniqueLabels,
  type Average,
  type ClassificationReport,
  type Scores,
} from '../../src/metrics/index.js';
import { assertNear, assertPrf, fixture, type ClassificationCase } from './fixture.js';

const averages: Average[] = ['micro', 'macro', 'weighted'];

function options(c: ClassificationCase): { labels?: (string | number)[] } {
  return c.labels === null ? {} : { labels: c.labels };
}

describe(`classification metrics match scikit-learn ${fixture.versions.sklearn}`, () => {
  for (const c of fixture.classification) {
    it(c.name, () => {
      assertNear(accuracy(c.gold, c.pred), c.accuracy, 'accuracy');
      if (c.per_class !== null) {
        const rows = perClassScores(c.gold, c.pred, options(c));
        assert.deepEqual(
          rows.map((r) => r.label),
          c.per_class.labels,
        );
        rows.forEach((r, i) => {
          const what = `class ${r.label}`;
          assertNear(r.precision, c.per_class!.precision[i]!, `${what} precision`);
          assertNear(r.recall, c.per_class!.recall[i]!, `${what} recall`);
          assertNear(r.f1, c.per_class!.f1[i]!, `${what} f1`);
          assert.equal(r.support, c.per_class!.support[i], `${what} support`);
        });
      }
      for (const average of averages) {
        const expected = c[average];
        if (expected !== null) assertPrf(averageScores(c.gold, c.pred, average, options(c)), expected, average);
      }
      if (c.confusion !== null) assert.deepEqual(confusionMatrix(c.gold, c.pred, options(c)).matrix, c.confusion);
      if (c.macro_nan) assert.ok(Number.isNaN(averageScores(c.gold, c.pred, 'macro').f1), 'macro over no labels is NaN');
    });
  }
});

/** scikit-learn's output_dict form of our report (keys are the labels printed with str()). */
function asSklearnDict(report: ClassificationReport): Record<string, number | Record<string, number>> {
  const row = (s: Scores) => ({ precision: s.precision, recall: s.recall, 'f1-score': s.f1, support: s.support });
  const out: Record<string, number | Record<string, number>> = {};
  for (const c of report.classes) out[String(c.label)] = row(c);
  if (report.accuracy !== undefined) out.accuracy = report.accuracy;
  if (report.microAvg !== undefined) out['micro avg'] = row(report.microAvg);
  out['macro avg'] = row(report.macroAvg);
  out['weighted avg'] = row(report.weightedAvg);
  return out;
}

describe('classification report matches classification_report', () => {
  for (const c of fixture.classification.filter((c) => c.report_text !== undefined)) {
    it(c.name, () => {
      const report = classificationReport(c.gold, c.pred, options(c));
      assert.equal(formatClassificationReport(report, c.digits), c.report_text);
      const dict = asSklearnDict(report);
      assert.deepEqual(Object.keys(dict), Object.keys(c.report_dict!));
      for (const [key, expected] of Object.entries(c.report_dict!)) {
        const got = dict[key]!;
        if (typeof expected === 'number') assertNear(got as number, expected, key);
        else for (const [k, v] of Object.entries(expected)) assertNear((got as Record<string, number>)[k]!, v, `${key} ${k}`);
      }
    });
  }
});

describe('classification edge cases', () => {
  it('docstring examples', () => {
    assert.equal(accuracy(['a', 'b', 'b'], ['a', 'b', 'a']), 2 / 3);
    assert.deepEqual(perClassScores(['a', 'b'], ['a', 'a']), [
      { label: 'a', precision: 0.5, recall: 1, f1: 2 / 3, support: 1 },
      { label: 'b', precision: 0, recall: 0, f1: 0, support: 1 },
    ]);
    assert.equal(averageScores(['a', 'b', 'b'], ['a', 'b', 'a'], 'macro').f1, 2 / 3);
  });

  it('formatFixed rounds exact ties to even, as Python does', () => {
    assert.equal(formatFixed(0.625, 2), '0.62'); // exactly 5/8: Python '0.62', toFixed '0.63'
    assert.equal(formatFixed(0.375, 2), '0.38');
    assert.equal(formatFixed(0.125, 2), '0.12');
    assert.equal(formatFixed(2.5, 0), '2');
    assert.equal(formatFixed(0.335, 2), '0.34'); // 0.335 is 0.33500000000000001998…: not a tie
    assert.equal(formatFixed(2 / 3, 4), '0.6667');
    assert.equal(formatFixed(1, 2), '1.00');
  });

  it('a label predicted but never gold counts as false positives', () => {
    const rows = perClassScores(['a', 'a'], ['a', 'b']);
    assert.deepEqual(rows[1], { label: 'b', precision: 0, recall: 0, f1: 0, support: 0 });
    assert.equal(averageScores(['a', 'a'], ['a', 'b'], 'macro').precision, 0.5);
  });

  it('a gold label outside `labels` is an error, not a crash', () => {
    // gold "d" is unknown to the label map; the prediction "a" for it is a false positive of "a".
    const rows = perClassScores(['a', 'd'], ['a', 'a'], { labels: ['a', 'b'] });
    assert.deepEqual(rows[0], { label: 'a', precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
    assert.equal(accuracy(['a', 'd'], ['a', 'a']), 0.5);
  });

  it('numbers sort numerically, strings by code unit', () => {
    assert.deepEqual(uniqueLabels([10, 2], [1]), [1, 2, 10]);
    assert.deepEqual(uniqueLabels(['b', 'B', 'a']), ['B', 'a', 'b']);
  });

  it('rejects mismatched lengths, mixed label types, empty or repeated labels', () => {
    assert.throws(() => accuracy([1, 2], [1]), ShapeError);
    assert.throws(() => perClassScores([1, 2], ['1', '2']), ConfigError);
    assert.throws(() => perClassScores([1], [1], { labels: [] }), ConfigError);
    assert.throws(() => confusionMatrix([1], [1], { labels: [1, 1] }), ConfigError);
    assert.throws(() => averageScores([1], [1], 'samples' as Average), ConfigError);
  });

  it('no examples: accuracy NaN, like scikit-learn', () => {
    assert.ok(Number.isNaN(accuracy([], [])));
    assert.deepEqual(confusionMatrix([], [], { labels: ['a'] }), { labels: ['a'], matrix: [[0]] });
  });
});
