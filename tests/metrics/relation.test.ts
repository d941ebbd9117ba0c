import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import { relationType, semevalScores } from '../../src/metrics/index.js';
import { loadFixture } from '../helpers/load-fixture.js';

interface Case {
  gold: string[];
  pred: string[];
  relations: string[];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  microPrecision: number;
  microRecall: number;
  microF1: number;
  accuracy: number;
  confusion: { labels: string[]; matrix: number[][]; wrongDirection: number[] };
}
const fixture = loadFixture<{ versions: Record<string, string>; cases: Case[] }>('relation');

const near = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-12, `${what}: ${a} vs ${b}`);

describe('relationType', () => {
  it('strips the direction; an undirected label is its own type', () => {
    assert.equal(relationType('Cause-Effect(e2,e1)'), 'Cause-Effect');
    assert.equal(relationType('Cause-Effect(e1,e2)'), 'Cause-Effect');
    assert.equal(relationType('Other'), 'Other');
    assert.equal(relationType('per:employee_of'), 'per:employee_of');
  });
});

describe('semevalScores: the (9+1)-way official score, by hand', () => {
  it('a wrong direction is a false positive and a miss of its type; types absent from gold are not averaged', () => {
    // gold types: Cause-Effect (2), Message-Topic (1), Member-Collection (1), Other (2)
    // Cause-Effect: correct 1, predicted 1 -> P 1, R 1/2, F1 2/3
    // Message-Topic: predicted with the wrong direction -> correct 0, predicted 0, xDIRx 1 -> P 0, R 0, F1 0
    // Member-Collection: P 1, R 1, F1 1; Product-Producer is predicted once but never gold: not averaged
    // macro F1 = (2/3 + 0 + 1) / 3 = 5/9; micro: correct 2, predicted 2 + 1 (xDIRx), gold 4 -> P 2/3, R 1/2, F1 4/7
    const s = semevalScores(
      ['Cause-Effect(e1,e2)', 'Cause-Effect(e1,e2)', 'Message-Topic(e2,e1)', 'Other', 'Other', 'Member-Collection(e1,e2)'],
      ['Cause-Effect(e1,e2)', 'Other', 'Message-Topic(e1,e2)', 'Product-Producer(e1,e2)', 'Other', 'Member-Collection(e1,e2)'],
    );
    near(s.macroF1, 5 / 9, 'macro F1');
    near(s.microPrecision, 2 / 3, 'micro P');
    near(s.microRecall, 1 / 2, 'micro R');
    near(s.microF1, 4 / 7, 'micro F1');
    near(s.accuracy, 3 / 6, 'accuracy');
    assert.deepEqual(
      s.perRelation.map((r) => [r.relation, r.correct, r.predicted, r.wrongDirection, r.gold]),
      [
        ['Cause-Effect', 1, 1, 0, 2],
        ['Member-Collection', 1, 1, 0, 1],
        ['Message-Topic', 0, 0, 1, 1],
      ],
    );
    assert.deepEqual(s.confusion.labels, ['Cause-Effect', 'Member-Collection', 'Message-Topic', 'Other', 'Product-Producer']);
    assert.deepEqual(s.confusion.wrongDirection, [0, 0, 1, 0, 0]);
    assert.deepEqual(s.confusion.matrix[3], [0, 0, 0, 1, 1]); // Other: once right, once called Product-Producer
  });

  it('the right type in both directions scores in the 19-way accuracy only when the direction matches', () => {
    const s = semevalScores(['Cause-Effect(e1,e2)', 'Cause-Effect(e2,e1)'], ['Cause-Effect(e2,e1)', 'Cause-Effect(e1,e2)']);
    assert.equal(s.macroF1, 0);
    assert.equal(s.accuracy, 0);
    assert.deepEqual(s.confusion.matrix, [[0]]);
    assert.deepEqual(s.confusion.wrongDirection, [2]);
  });

  it('refuses arrays of different lengths', () => {
    assert.throws(() => semevalScores(['Other'], []), ShapeError);
  });
});

describe(`semevalScores against scikit-learn ${fixture.versions.sklearn}`, () => {
  fixture.cases.forEach((c, k) => {
    it(`case ${k}: ${c.gold.length} examples, per-type P/R/F1, macro and micro averages, accuracy, confusion matrix`, () => {
      const s = semevalScores(c.gold, c.pred);
      assert.deepEqual(
        s.perRelation.map((r) => r.relation),
        c.relations,
      );
      s.perRelation.forEach((r, i) => {
        near(r.precision, c.precision[i]!, `${r.relation} P`);
        near(r.recall, c.recall[i]!, `${r.relation} R`);
        near(r.f1, c.f1[i]!, `${r.relation} F1`);
        assert.equal(r.gold, c.support[i]);
      });
      near(s.macroPrecision, c.macroPrecision, 'macro P');
      near(s.macroRecall, c.macroRecall, 'macro R');
      near(s.macroF1, c.macroF1, 'macro F1');
      near(s.microPrecision, c.microPrecision, 'micro P');
      near(s.microRecall, c.microRecall, 'micro R');
      near(s.microF1, c.microF1, 'micro F1');
      near(s.accuracy, c.accuracy, 'accuracy');
      assert.deepEqual(s.confusion, c.confusion);
    });
  });
});
