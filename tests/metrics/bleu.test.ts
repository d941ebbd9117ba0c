import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bleuSignature, computeBleu, corpusBleu, tokenize13a } from '../../src/metrics/index.js';
import { ShapeError } from '../../src/errors.js';
import { generationFixture, near } from './generation-fixture.js';

// sacreBLEU's README example and its test values (mjpost/sacrebleu test/test_bleu.py): two reference
// streams, refs[k][i] is reference k of hypothesis i.
const refStreams = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
const refs = hyps.map((_, i) => refStreams.map((s) => s[i]!));

describe('corpusBleu: sacreBLEU test values', () => {
  it('default settings (13a, exp): 48.530827', () => {
    const r = corpusBleu(hyps, refs);
    assert.ok(near(r.score, 48.530827, 1e-6), String(r.score));
    assert.equal(r.signature, 'nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|impl:multitask-lm');
  });
  it("tokenize 'none': 49.1919566; smoothing 'none' with 13a: 48.530827", () => {
    assert.ok(near(corpusBleu(hyps, refs, { tokenize: 'none' }).score, 49.1919566, 1e-6));
    assert.ok(near(corpusBleu(hyps, refs, { smoothMethod: 'none' }).score, 48.530827, 1e-6));
  });
  it('empty hypotheses are kept and score 0', () => {
    assert.equal(corpusBleu(['', '', ''], refs).score, 0);
  });
  it('statistics of "am I am a character sequence" (counts [4,2,1,0], totals [6,5,4,3])', () => {
    const r = corpusBleu(['am I am a character sequence'], [['I am a symbol string sequence a a']], { tokenize: 'none' });
    assert.deepEqual(r.counts, [4, 2, 1, 0]);
    assert.deepEqual(r.totals, [6, 5, 4, 3]);
  });
  it('compute_bleu on statistics: 0.8375922397', () => {
    assert.ok(near(computeBleu([9, 7, 5, 3], [10, 8, 6, 4], 11, 11).score / 100, 0.8375922397, 1e-8));
  });
  it('raw_corpus_bleu (floor 0.01, tokenize none, effective order) cases', () => {
    const raw = (h: string, r: string) =>
      corpusBleu([h], [[r]], { tokenize: 'none', smoothMethod: 'floor', smoothValue: 0.01, effectiveOrder: true }).score / 100;
    assert.ok(near(raw('this is a fest', 'this is a test'), 0.223606797749979, 1e-8));
    assert.ok(near(raw('test', 'a test'), 0.3678794411714425, 1e-8));
    assert.ok(near(raw('a test', 'a test'), 1, 1e-8));
    assert.ok(near(raw('a little test', 'a test'), 0.03218297948685433, 1e-8));
    assert.ok(near(raw('am I am a character sequence', 'I am a symbol string sequence a a'), 0, 1e-8) === false);
  });
  it('floor smoothing with 0.1 (raw_corpus_bleu default offset): 0.1555722182; with 0: 0', () => {
    const opts = { tokenize: 'none' as const, effectiveOrder: true, smoothMethod: 'floor' as const };
    const h = ['am I am a character sequence'];
    const r = [['I am a symbol string sequence a a']];
    assert.ok(near(corpusBleu(h, r, opts).score / 100, 0.1555722182, 1e-8));
    assert.equal(corpusBleu(h, r, { ...opts, smoothValue: 0 }).score, 0);
  });
  it('the signature names non-default settings', () => {
    assert.equal(
      bleuSignature('var', { lowercase: true, tokenize: 'none', smoothMethod: 'floor', effectiveOrder: true }),
      'nrefs:var|case:lc|eff:yes|tok:none|smooth:floor[0.10]|impl:multitask-lm',
    );
  });
});

describe('corpusBleu: NLTK corpus_bleu on pre-tokenized corpora', () => {
  for (const [k, c] of generationFixture.bleu.entries()) {
    it(`case ${k} (${c.hypotheses.length} segments, ${c.references[0]!.length} refs)`, () => {
      const exp = corpusBleu(c.hypotheses, c.references, { tokenize: 'none' });
      assert.ok(near(exp.score, c.exp, 1e-9), `exp: ${exp.score} vs NLTK method3 ${c.exp}`);
      if (c.none !== null) {
        const none = corpusBleu(c.hypotheses, c.references, { tokenize: 'none', smoothMethod: 'none' });
        assert.ok(near(none.score, c.none, 1e-9), `none: ${none.score} vs NLTK ${c.none}`);
      }
    });
  }
});

describe('tokenize13a', () => {
  it("splits punctuation but not inside numbers (mteval-v13a's rules)", () => {
    assert.equal(tokenize13a("It wasn't surprising."), "It wasn't surprising ."); // the apostrophe (0x27) is not in 13a's class
    assert.equal(tokenize13a('Costs 3.5 million, up 1,000 from 1990-2000.'), 'Costs 3.5 million , up 1,000 from 1990 - 2000 .');
    assert.equal(tokenize13a('a &amp; b &quot;c&quot;'), 'a & b " c "');
  });
});

describe('corpusBleu: errors', () => {
  it('throws ShapeError for mismatched lists or a segment without references', () => {
    assert.throws(() => corpusBleu(['a'], []), ShapeError);
    assert.throws(() => corpusBleu(['a'], [[]]), ShapeError);
  });
});
