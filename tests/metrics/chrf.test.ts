import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { corpusChrf } from '../../src/metrics/index.js';
import { generationFixture, near } from './generation-fixture.js';

describe('corpusChrf: sacreBLEU defaults (chrF2, effective order)', () => {
  it("Hugging Face datasets' chrf metric card examples (sacreBLEU 2.x defaults)", () => {
    const one = corpusChrf(
      ['The relationship between Obama and Netanyahu is not exactly friendly.'],
      [['The ties between Obama and Netanyahu are not particularly friendly.']],
    );
    assert.ok(near(one.score, 61.576379378113785, 1e-9), String(one.score));
    assert.equal(one.signature, 'nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|impl:multitask-lm');
    const two = corpusChrf(
      [
        'The relationship between cats and dogs is not exactly friendly.',
        'a good bookshop is just a genteel black hole that knows how to read.',
      ],
      [
        ['The relationship between dogs and cats is not exactly friendly.'],
        ['A good bookshop is just a genteel Black Hole that knows how to read.'],
      ],
    );
    assert.ok(near(two.score, 84.64214891738334, 1e-9), String(two.score));
  });
  it("sacreBLEU's test_chrf_eff_order cases (beta 3)", () => {
    const cases: [string[], string[], number][] = [
      [['a'], ['a'], 100],
      [[''], ['reference'], 0],
      [['a b c'], ['a b c'], 100],
      [['a b c'], ['abc'], 100],
      [[''], ['c'], 0],
      [['a', 'b'], ['a', 'c'], 50],
      [['aa'], ['ab'], 25],
    ];
    for (const [h, r, expected] of cases) {
      const got = corpusChrf(
        h,
        r.map((x) => [x]),
        { beta: 3 },
      ).score;
      assert.ok(near(got, expected, 1e-4), `${JSON.stringify(h)}: ${got} vs ${expected}`);
    }
  });
});

describe('corpusChrf: epsilon smoothing', () => {
  it("sacreBLEU's test_chrf cases (beta 3, eps smoothing)", () => {
    const cases: [string[], string[], number][] = [
      [['abcdefg'], ['hijklmnop'], 0],
      [['a'], ['b'], 0],
      [[''], ['b'], 0],
      [['aa'], ['ab'], 8.3333],
      [['a', 'b'], ['a', 'c'], 8.3333],
      [['a'], ['a'], 16.6667],
      [['a b c'], ['a b c'], 50],
      [['a b c'], ['abc'], 50],
      [
        [' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'],
        ['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'],
        63.36173,
      ],
      [
        [' Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. '],
        ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'],
        64.1302698,
      ],
    ];
    for (const [h, r, expected] of cases) {
      const got = corpusChrf(
        h,
        r.map((x) => [x]),
        { beta: 3, epsSmoothing: true },
      ).score;
      assert.ok(near(got, expected, 1e-4), `${JSON.stringify(h)}: ${got} vs ${expected}`);
    }
  });
  it('equals NLTK sentence_chrf on random sentence pairs', () => {
    for (const c of generationFixture.chrf) {
      const got = corpusChrf([c.hypothesis], [[c.reference]], { beta: c.beta, epsSmoothing: true }).score;
      assert.ok(near(got, c.score, 1e-9), `${c.hypothesis}: ${got} vs NLTK ${c.score}`);
    }
  });
});

describe('corpusChrf: chrF++ and options', () => {
  it("sacreBLEU's keep-whitespace cases (beta 3)", () => {
    const got = corpusChrf(
      ['Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.'],
      [['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.']],
      { beta: 3, whitespace: true },
    ).score;
    assert.ok(near(got, 67.3481606, 1e-4), String(got));
  });
  it('a perfect hypothesis scores 100 with word n-grams too', () => {
    assert.ok(near(corpusChrf(['Hello, world!'], [['Hello, world!']], { wordOrder: 2 }).score, 100, 1e-9));
  });
});
