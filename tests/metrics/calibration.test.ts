import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { expectedCalibrationError, topKAccuracy } from '../../src/metrics/index.js';
import { scores } from './scores-fixture.js';

describe('top-k accuracy matches scikit-learn 1.2 (ties included)', () => {
  for (const c of scores.top_k) {
    it(`k = ${c.k}`, () => assert.ok(Math.abs(topKAccuracy(c.gold, c.scores, c.k) - c.accuracy) < 1e-12));
  }
});

describe('expected calibration error (Guo et al. 2017, eq. 3)', () => {
  for (const c of scores.ece) {
    it(`${c.bins} bins, against the formula in numpy`, () => {
      const ece = expectedCalibrationError(c.gold, c.probs, c.bins);
      assert.ok(Math.abs(ece - c.ece) < 1e-12, `${ece} vs ${c.ece}`);
    });
  }

  it('hand-checked: two examples at confidence 0.9, one right, in one bin: |0.5 - 0.9| = 0.4', () => {
    const probs = [
      [0.9, 0.1],
      [0.1, 0.9],
    ];
    assert.ok(Math.abs(expectedCalibrationError([0, 0], probs, 10) - 0.4) < 1e-12);
    assert.throws(
      () => expectedCalibrationError([0, 2], probs),
      (e: unknown) => e instanceof ConfigError && /gold\[1\] is 2/.test(e.message),
    );
    assert.throws(() => topKAccuracy([0], [[0.5, 0.5]], 0), ConfigError);
  });
});
