import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { averagePrecision, oneHot, oneVsRest, precisionRecallCurve, rocAuc, rocCurve, trapezoidArea } from '../../src/metrics/index.js';
import { near, scores } from './scores-fixture.js';

describe('ROC and precision-recall curves match scikit-learn 1.2', () => {
  for (const c of scores.binary) {
    it(c.name, () => {
      const roc = rocCurve(c.gold, c.scores);
      assert.ok(near(roc.fpr, c.roc.fpr), `fpr ${roc.fpr} vs ${c.roc.fpr}`);
      assert.ok(near(roc.tpr, c.roc.tpr), `tpr ${roc.tpr} vs ${c.roc.tpr}`);
      assert.ok(near(roc.thresholds, c.roc.thresholds), `thresholds ${roc.thresholds} vs ${c.roc.thresholds}`);
      const all = rocCurve(c.gold, c.scores, { dropIntermediate: false });
      assert.ok(
        near(all.fpr, c.roc_all.fpr) && near(all.tpr, c.roc_all.tpr) && near(all.thresholds, c.roc_all.thresholds),
        'without dropping',
      );
      assert.ok(Math.abs(rocAuc(c.gold, c.scores) - c.auc) < 1e-12, `auc ${rocAuc(c.gold, c.scores)} vs ${c.auc}`);
      const pr = precisionRecallCurve(c.gold, c.scores);
      assert.ok(near(pr.precision, c.pr.precision), `precision ${pr.precision} vs ${c.pr.precision}`);
      assert.ok(near(pr.recall, c.pr.recall), `recall ${pr.recall} vs ${c.pr.recall}`);
      assert.ok(near(pr.thresholds, c.pr.thresholds), `pr thresholds ${pr.thresholds} vs ${c.pr.thresholds}`);
      assert.ok(Math.abs(averagePrecision(c.gold, c.scores) - c.ap) < 1e-12, `ap ${averagePrecision(c.gold, c.scores)} vs ${c.ap}`);
    });
  }
});

describe('one-vs-rest ROC-AUC and average precision match scikit-learn 1.2', () => {
  for (const c of scores.ovr) {
    for (const average of ['macro', 'weighted', 'micro'] as const) {
      it(`${c.name}: ${average}`, () => {
        assert.ok(Math.abs(oneVsRest(rocAuc, c.indicator, c.scores, average) - c.auc[average]) < 1e-12, 'roc-auc');
        assert.ok(Math.abs(oneVsRest(averagePrecision, c.indicator, c.scores, average) - c.ap[average]) < 1e-12, 'average precision');
      });
    }
  }
});

describe('curve edge cases', () => {
  it('the AUC is the probability that a positive outscores a negative, ties counting half (hand-checked)', () => {
    // positives 0.8, 0.4; negatives 0.4, 0.1: pairs (0.8>0.4) 1, (0.8>0.1) 1, (0.4=0.4) 0.5, (0.4>0.1) 1 -> 3.5/4
    assert.equal(rocAuc([1, 1, 0, 0], [0.8, 0.4, 0.4, 0.1]), 0.875);
    assert.equal(trapezoidArea([0, 0.5, 1], [0, 1, 1]), 0.75);
  });

  it('refuses a gold column with one class, labels other than 0/1, non-finite scores and bad class ids', () => {
    assert.throws(
      () => rocAuc([1, 1, 1], [0.1, 0.2, 0.3]),
      (e: unknown) => e instanceof ConfigError && /no negative/.test(e.message),
    );
    assert.throws(
      () => rocCurve([0, 2], [0.1, 0.2]),
      (e: unknown) => e instanceof ConfigError && /gold\[1\] is 2/.test(e.message),
    );
    assert.throws(
      () => rocCurve([0, 1], [0.1, NaN]),
      (e: unknown) => e instanceof ConfigError && /scores\[1\]/.test(e.message),
    );
    assert.throws(
      () => oneHot([0, 3], 3),
      (e: unknown) => e instanceof ConfigError && /ids\[1\] is 3/.test(e.message),
    );
    assert.deepEqual(oneHot([2, 0], 3), [
      [0, 0, 1],
      [1, 0, 0],
    ]);
  });
});
