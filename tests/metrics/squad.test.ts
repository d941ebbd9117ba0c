import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerExactMatch, answerF1, normalizeAnswer, squadScores } from '../../src/metrics/index.js';
import { ShapeError } from '../../src/errors.js';

// Hand-derived from the SQuAD v1.1 evaluation script's definitions.
describe('SQuAD normalisation and scores', () => {
  it('normalizeAnswer lowercases, drops punctuation and articles, collapses spaces', () => {
    assert.equal(normalizeAnswer('The  Denver Broncos!'), 'denver broncos');
    assert.equal(normalizeAnswer('an apple, a day'), 'apple day');
    assert.equal(normalizeAnswer('Theatre'), 'theatre'); // "the" only as a whole word
    assert.equal(normalizeAnswer('éa la'), 'éa la'); // Python's \b is Unicode-aware: no boundary after é
  });
  it('exact match and F1', () => {
    assert.equal(answerExactMatch('Denver Broncos', 'the denver broncos.'), 1);
    assert.equal(answerExactMatch('Broncos', 'Denver Broncos'), 0);
    // P = 1/1, R = 1/2 → F1 = 2/3.
    assert.ok(Math.abs(answerF1('Broncos', 'Denver Broncos') - 2 / 3) < 1e-15);
    // pred "cat sat", gold "cat sat down": P = 1, R = 2/3 → 0.8.
    assert.ok(Math.abs(answerF1('the cat sat', 'a cat sat down') - 0.8) < 1e-15);
    // repeated tokens are clipped: pred "a b b" → "b b", gold "b c": common 1, P = 1/2, R = 1/2.
    assert.ok(Math.abs(answerF1('x b b', 'b c') - 0.4) < 1e-15);
    assert.equal(answerF1('the', 'cat'), 0);
  });
  it('takes the best gold answer per question, then the mean', () => {
    const s = squadScores(['Denver Broncos', 'in 1976'], [['Broncos', 'The Denver Broncos'], ['1977']]);
    assert.equal(s.exactMatch, 0.5);
    assert.equal(s.f1, 0.5);
    assert.throws(() => squadScores(['a'], [[]]), ShapeError);
  });
});
