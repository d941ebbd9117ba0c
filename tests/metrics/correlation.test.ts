import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import { pearson, rankAverage, spearman } from '../../src/metrics/index.js';
import { assertNear, fixture } from './fixture.js';

describe(`correlations match scipy.stats ${fixture.versions.scipy ?? '(absent: numpy formulas)'}`, () => {
  for (const c of fixture.correlation) {
    it(c.name, () => {
      assertNear(pearson(c.x, c.y), c.pearson, 'pearson', 1e-12);
      assertNear(spearman(c.x, c.y), c.spearman, 'spearman', 1e-12);
      assert.deepEqual(rankAverage(c.x), c.ranks_x);
    });
  }
});

describe('correlation edge cases', () => {
  it('docstring examples', () => {
    assert.deepEqual(rankAverage([10, 20, 10, 30]), [1.5, 3, 1.5, 4]);
    assert.ok(Math.abs(spearman([1, 2, 3, 4], [1, 3, 2, 4]) - 0.8) < 1e-15);
    assert.ok(Math.abs(pearson([1, 2, 3], [2, 4, 7]) - 0.9933992677987828) < 1e-15);
  });

  it('NaN inputs give NaN; fewer than 2 pairs or unequal lengths throw', () => {
    assert.ok(Number.isNaN(pearson([1, NaN, 3], [1, 2, 3])));
    assert.ok(Number.isNaN(spearman([1, NaN, 3], [1, 2, 3])));
    assert.throws(() => pearson([1], [1]), ShapeError);
    assert.throws(() => spearman([1, 2], [1, 2, 3]), ShapeError);
  });
});
