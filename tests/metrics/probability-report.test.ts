import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracy, formatConfusionMatrix, probabilityReport, rocAuc, topKAccuracy } from '../../src/metrics/index.js';

describe('probabilityReport', () => {
  const labels = ['a', 'b', 'c'];
  const probs = [
    [0.7, 0.2, 0.1],
    [0.2, 0.5, 0.3],
    [0.1, 0.3, 0.6],
    [0.4, 0.4, 0.2],
    [0.3, 0.3, 0.4],
    [0.6, 0.3, 0.1],
  ];
  const gold = ['a', 'b', 'c', 'b', 'zzz', 'c'];
  const predicted = ['a', 'b', 'c', 'a', 'c', 'a'];

  it('assembles the per-class report, the confusion matrix and one-vs-rest curves; a gold label outside the list only in the first two', () => {
    const r = probabilityReport(gold, predicted, labels, probs);
    assert.deepEqual(r.confusion.labels, ['a', 'b', 'c', 'zzz']);
    assert.equal(
      r.confusion.matrix.flat().reduce((x, y) => x + y, 0),
      gold.length,
    );
    assert.deepEqual(
      r.curves.map((c) => c.label),
      labels,
    );
    // the curves cover the 5 examples whose gold label is in the list: class b against the rest
    const known = [0, 1, 2, 3, 5];
    const bGold = known.map((n) => (gold[n] === 'b' ? 1 : 0));
    assert.equal(
      r.curves[1]!.roc.auc,
      rocAuc(
        bGold,
        known.map((n) => probs[n]![1]!),
      ),
    );
    assert.ok(
      r.report.accuracy === undefined && r.report.microAvg !== undefined,
      'a gold label outside the list: micro average, not accuracy (as scikit-learn)',
    );
    assert.equal(
      r.topK['1'],
      topKAccuracy(
        [0, 1, 2, 1, 2],
        known.map((n) => probs[n]!),
        1,
      ),
    );
    assert.ok(r.topK['2']! >= r.topK['1']!);
    assert.ok(Math.abs(r.matthewsCorrcoef) <= 1 && Math.abs(r.cohenKappa) <= 1);
    assert.equal(accuracy(gold, predicted), 3 / 6);
  });

  it('formats the confusion matrix with gold rows and predicted columns', () => {
    const text = formatConfusionMatrix({
      labels: ['a', 'b'],
      matrix: [
        [2, 1],
        [0, 3],
      ],
    });
    assert.equal(text, 'gold \\ predicted a b\n               a 2 1\n               b 0 3\n');
  });
});
