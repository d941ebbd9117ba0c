import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distinctN, perplexity } from '../../src/metrics/index.js';
import { ShapeError } from '../../src/errors.js';

describe('distinctN (Li et al. 2016)', () => {
  it('counts distinct n-grams over all outputs, not across boundaries', () => {
    assert.equal(distinctN(['a b a b'], 1), 2 / 4);
    assert.equal(distinctN(['a b a b'], 2), 2 / 3);
    // "a b" | "b a": bigrams a b, b a (no "b b" across the boundary).
    assert.equal(distinctN(['a b', 'b a'], 2), 1);
    assert.equal(
      distinctN(
        [
          ['x', 'y'],
          ['x', 'y'],
        ],
        2,
      ),
      1 / 2,
    );
    assert.equal(distinctN(['a'], 2), 0);
    assert.throws(() => distinctN(['a'], 0), ShapeError);
  });
});

describe('perplexity', () => {
  it('is exp of the mean NLL in nats', () => {
    assert.ok(Math.abs(perplexity(Math.log(4) * 10, 10) - 4) < 1e-12);
    assert.equal(perplexity(0, 3), 1);
    assert.throws(() => perplexity(1, 0), ShapeError);
    assert.throws(() => perplexity(-1, 2), ShapeError);
  });
});
