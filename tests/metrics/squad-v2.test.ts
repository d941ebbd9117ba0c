import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import { answerExactMatch, answerF1, normalizeAnswer, squadV2Scores } from '../../src/metrics/index.js';
import { loadFixture } from '../helpers/load-fixture.js';

const fixture = loadFixture<{
  normalized: { text: string; normalized: string }[];
  scores: { prediction: string; gold: string; exact: number; f1: number }[];
  corpus: { predictions: string[]; golds: string[][]; exactMatch: number; f1: number };
}>('squad_v2');

const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

describe('SQuAD 2.0 scores against evaluate-v2.0.py’s definitions (scripts/fixtures/squad_v2.py)', () => {
  it('normalize_answer, exact match and F1 of answerable pairs agree with src/metrics/squad.ts', () => {
    for (const { text, normalized } of fixture.normalized) assert.equal(normalizeAnswer(text), normalized, JSON.stringify(text));
    for (const c of fixture.scores) {
      assert.equal(answerExactMatch(c.prediction, c.gold), c.exact, `EM ${JSON.stringify(c)}`);
      if (normalizeAnswer(c.gold) !== '') near(answerF1(c.prediction, c.gold), c.f1, `F1 ${JSON.stringify(c)}`);
    }
  });

  it('pairs with an empty gold answer: 1 exactly when the prediction is empty too', () => {
    for (const c of fixture.scores.filter((x) => normalizeAnswer(x.gold) === '')) {
      const s = squadV2Scores([c.prediction], [[c.gold]]);
      assert.deepEqual([s.exactMatch, s.f1, s.unanswerable], [c.exact, c.f1, 1], JSON.stringify(c));
    }
  });

  it('corpus scores: best over gold answers, unanswerable questions right only when empty', () => {
    const s = squadV2Scores(fixture.corpus.predictions, fixture.corpus.golds);
    near(s.exactMatch, fixture.corpus.exactMatch, 'EM');
    near(s.f1, fixture.corpus.f1, 'F1');
    assert.deepEqual([s.answerable, s.unanswerable], [4, 2]);
  });

  it('by hand: one answerable question right, one unanswerable answered: EM 1/2; mismatched lists are refused', () => {
    assert.deepEqual(squadV2Scores(['Denver Broncos', 'Paris'], [['the Denver Broncos'], []]), {
      exactMatch: 0.5,
      f1: 0.5,
      answerable: 1,
      unanswerable: 1,
    });
    assert.throws(() => squadV2Scores(['a'], []), ShapeError);
  });
});
