import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  multiLabelCounts,
  multiLabelPerClassScores,
  multiLabelScores,
  subsetAccuracy,
  type MultiLabelAverage,
} from '../../src/metrics/index.js';
import { assertNear, assertPrf, fixture, type MultiLabelCase } from './fixture.js';

const averages: MultiLabelAverage[] = ['micro', 'macro', 'weighted', 'samples'];

function options(c: MultiLabelCase): { labels?: (string | number)[] } {
  return c.labels === null ? {} : { labels: c.labels };
}

describe(`multi-label metrics match scikit-learn ${fixture.versions.sklearn} (MultiLabelBinarizer view)`, () => {
  for (const c of fixture.multilabel) {
    it(c.name, () => {
      assertNear(subsetAccuracy(c.gold, c.pred, options(c)), c.subset_accuracy, 'subset accuracy');
      const rows = multiLabelPerClassScores(c.gold, c.pred, options(c));
      assert.deepEqual(
        rows.map((r) => r.label),
        c.per_class.labels,
      );
      rows.forEach((r, i) => {
        assertNear(r.precision, c.per_class.precision[i]!, `${r.label} precision`);
        assertNear(r.recall, c.per_class.recall[i]!, `${r.label} recall`);
        assertNear(r.f1, c.per_class.f1[i]!, `${r.label} f1`);
        assert.equal(r.support, c.per_class.support[i], `${r.label} support`);
      });
      for (const average of averages) assertPrf(multiLabelScores(c.gold, c.pred, average, options(c)), c[average], average);
    });
  }
});

describe('multi-label edge cases', () => {
  it('docstring examples', () => {
    assert.equal(subsetAccuracy([['a', 'b'], ['c']], [['b', 'a'], []]), 0.5);
    assert.deepEqual(multiLabelScores([['a', 'b']], [['a']], 'micro'), { precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
  });

  it('sets ignore order and duplicates', () => {
    assert.equal(subsetAccuracy([['a', 'b']], [['b', 'a', 'a']]), 1);
    assert.deepEqual(multiLabelCounts([['a', 'a']], [['a']]).gold, [1]);
  });

  it('an example with no gold and no predicted label scores 0 in the samples average', () => {
    assert.deepEqual(multiLabelScores([[], ['a']], [[], ['a']], 'samples'), { precision: 0.5, recall: 0.5, f1: 0.5, support: 1 });
  });

  it('labels outside `labels` are ignored, as MultiLabelBinarizer(classes=…) does', () => {
    // gold "x" is not scored, so example 0 matches exactly over {a, b}.
    assert.equal(subsetAccuracy([['a', 'x']], [['a']], { labels: ['a', 'b'] }), 1);
    assert.equal(subsetAccuracy([['a', 'x']], [['a']]), 0);
  });
});
