import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { corpusRouge, porterStem, rougeLsum, rougeScores, rougeTokenize, type RougeType } from '../../src/metrics/index.js';
import { ConfigError } from '../../src/errors.js';
import { generationFixture, near } from './generation-fixture.js';

function assertScore(
  got: { precision: number; recall: number; fmeasure: number },
  p: number,
  r: number,
  f: number,
  tol: number,
  what: string,
): void {
  assert.ok(near(got.precision, p, tol), `${what} precision ${got.precision} vs ${p}`);
  assert.ok(near(got.recall, r, tol), `${what} recall ${got.recall} vs ${r}`);
  assert.ok(near(got.fmeasure, f, tol), `${what} fmeasure ${got.fmeasure} vs ${f}`);
}

describe('porterStem equals NLTK 3.8 PorterStemmer (NLTK_EXTENSIONS)', () => {
  it(`on ${generationFixture.porter.words.length} words (WordNet lemmas, inflections, special cases)`, () => {
    const { words, stems } = generationFixture.porter;
    const wrong = words.filter((w, i) => porterStem(w) !== stems[i]).map((w) => `${w}: ${porterStem(w)} vs ${stems[words.indexOf(w)]}`);
    assert.deepEqual(wrong.slice(0, 20), []);
  });
});

// rouge-score's own tests (google-research/rouge/rouge_scorer_test.py); values there are from ROUGE-1.5.5
// or hand-derived; score(target, prediction).
describe("rougeScores: rouge-score's test values", () => {
  it('rouge1, rouge2, rougeL on short texts', () => {
    assertScore(rougeScores('testing one two', 'testing', { types: ['rouge1'] }).rouge1!, 1, 1 / 3, 1 / 2, 1e-12, 'rouge1');
    assertScore(rougeScores('testing one two', 'testing one', { types: ['rouge2'] }).rouge2!, 1, 1 / 2, 2 / 3, 1e-12, 'rouge2');
    assertScore(rougeScores('testing one two', 'testing two', { types: ['rougeL'] }).rougeL!, 1, 2 / 3, 4 / 5, 1e-12, 'rougeL');
    for (const t of ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const) {
      assertScore(rougeScores('testing one two', '', { types: [t] })[t]!, 0, 0, 0, 0, `${t} empty`);
    }
  });
  it('rougeLsum: the union-LCS example of Lin (2004) §3.2: R = 4/5, P = 4/10', () => {
    const s = rougeScores('w1 w2 w3 w4 w5', 'w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5', { types: ['rougeLsum'] }).rougeLsum!;
    assertScore(s, 0.4, 0.8, (2 * 0.4 * 0.8) / 1.2, 1e-12, 'rougeLsum');
    assertScore(rougeScores('w1 w2 w3 w4 w5', '/', { types: ['rougeLsum'] }).rougeLsum!, 0, 0, 0, 0, 'all punctuation');
    assertScore(rougeLsum([['reference']], [[]]), 0, 0, 0, 0, 'empty candidate');
  });
  it('against ROUGE-1.5.5 on its test data (5 places)', () => {
    // rouge/testdata/target.txt and prediction.txt, lines 1 and 2 (random strings, Apache-2.0).
    const targets = [
      "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L",
      "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN",
    ];
    const predictions = [
      "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi",
      "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD",
    ];
    const round5 = 1e-5 / 2 + 1e-12;
    const expect: Record<string, [number, number, number][]> = {
      rouge1: [
        [0.6875, 0.40741, 0.51163],
        [0.65385, 0.40476, 0.5],
      ],
      rouge2: [
        [0.53333, 0.30769, 0.39024],
        [0.48, 0.29268, 0.36364],
      ],
      rougeL: [
        [0.6875, 0.40741, 0.51163],
        [0.65385, 0.40476, 0.5],
      ],
    };
    for (const [type, rows] of Object.entries(expect)) {
      rows.forEach(([p, r, f], i) => {
        assertScore(rougeScores(targets[i]!, predictions[i]!, { types: [type as RougeType] })[type]!, p, r, f, round5, `${type} ${i}`);
      });
    }
    const stemmed = rougeScores(targets[1]!, predictions[1]!, { types: ['rouge1'], useStemmer: true }).rouge1!;
    assertScore(stemmed, 0.69231, 0.42857, 0.52941, round5, 'rouge1 stemmed');
  });
  it("the README example (hand-derived: 'jumps' stems to 'jump' on both sides)", () => {
    const s = rougeScores('The quick brown fox jumps over the lazy dog', 'The quick brown dog jumps on the log.', {
      types: ['rouge1', 'rougeL'],
      useStemmer: true,
    });
    // 6 of 8 predicted unigrams match, of 9 reference unigrams; LCS "the quick brown jump the" = 5.
    assertScore(s.rouge1!, 6 / 8, 6 / 9, (2 * (6 / 8) * (6 / 9)) / (6 / 8 + 6 / 9), 1e-12, 'rouge1');
    assertScore(s.rougeL!, 5 / 8, 5 / 9, (2 * (5 / 8) * (5 / 9)) / (5 / 8 + 5 / 9), 1e-12, 'rougeL');
  });
});

describe('rougeScores: Python port of rouge-score with NLTK stemming', () => {
  for (const [k, c] of generationFixture.rouge.entries()) {
    it(`case ${k} (stemmer ${c.use_stemmer})`, () => {
      const got = rougeScores(c.target, c.prediction, { types: Object.keys(c.scores) as RougeType[], useStemmer: c.use_stemmer });
      for (const [type, [p, r, f]] of Object.entries(c.scores)) assertScore(got[type]!, p, r, f, 1e-12, type);
    });
  }
});

describe('rougeTokenize and corpusRouge', () => {
  it('tokenizes as rouge-score', () => {
    assert.deepEqual(rougeTokenize("The dog's e-mail, U.S.!"), ['the', 'dog', 's', 'e', 'mail', 'u', 's']);
    assert.deepEqual(rougeTokenize('Running dogs ran', true), ['run', 'dog', 'ran']);
  });
  it('averages per pair and takes the best reference', () => {
    const r = corpusRouge(['testing one', 'a b'], [['testing one two'], ['x y', 'a b']], { types: ['rouge1'] });
    assert.ok(near(r.rouge1!.fmeasure, (0.8 + 1) / 2, 1e-12));
    assert.throws(() => rougeScores('a', 'b', { types: ['rougeX' as RougeType] }), ConfigError);
  });
});
