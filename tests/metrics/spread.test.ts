import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mean, sampleStd } from '../../src/metrics/spread.js';

describe('spread over seeds', () => {
  it('mean and sample standard deviation (n − 1), hand-checked', () => {
    assert.equal(mean([1, 2, 3, 4]), 2.5);
    // squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, over n − 1 = 3
    assert.ok(Math.abs(sampleStd([1, 2, 3, 4]) - Math.sqrt(5 / 3)) < 1e-12);
    assert.equal(sampleStd([0.7]), 0, 'one seed: no spread');
    assert.ok(Number.isNaN(mean([])));
  });
});
