/**
 * Entity-level scores with conlleval semantics. There is no independent Python reference here
 * (seqeval is not installed, and a Python port written for the test would not be independent), so
 * every expected value below is derived by hand from conlleval.pl's startOfChunk / endOfChunk rules,
 * with the derivation in a comment; the last suite checks the SNIPS test tags.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import { entityF1, extractChunks, repairBio, sequenceLabelingScores, surfaceFormScores, type Chunk } from '../../src/metrics/index.js';
import { dataset, needs } from '../helpers/datasets.js';

const chunk = (type: string, start: number, end: number): Chunk => ({ type, start, end });
const split = (s: string): string[] => s.split(' ').filter((t) => t !== '');

describe('extractChunks reads tags as conlleval.pl does', () => {
  it('BIO: B-X always starts a chunk; I-X continues one of type X', () => {
    assert.deepEqual(extractChunks(split('B-PER I-PER O B-LOC I-LOC I-LOC O B-ORG')), [
      chunk('PER', 0, 2),
      chunk('LOC', 3, 6),
      chunk('ORG', 7, 8),
    ]);
    // B-X after B-X: endOfChunk(B, B) and startOfChunk(B, B) both hold → two chunks.
    assert.deepEqual(extractChunks(split('B-X B-X I-X')), [chunk('X', 0, 1), chunk('X', 1, 3)]);
  });

  it('an I-X after O, at the start, or after another type starts a new chunk', () => {
    // startOfChunk(O, I) holds (the sentence starts as if after "O").
    assert.deepEqual(extractChunks(split('I-X I-X O I-X')), [chunk('X', 0, 2), chunk('X', 3, 4)]);
    // B-PER then I-LOC: prevType ≠ type → the PER chunk ends and a LOC chunk starts.
    assert.deepEqual(extractChunks(split('B-PER I-LOC I-LOC')), [chunk('PER', 0, 1), chunk('LOC', 1, 3)]);
  });

  it('IOB1: B-X only separates adjacent chunks of one type', () => {
    assert.deepEqual(extractChunks(split('I-X I-X B-X I-X O I-Y')), [chunk('X', 0, 2), chunk('X', 2, 4), chunk('Y', 5, 6)]);
  });

  it('IOBES: E- and S- close chunks, S- opens one', () => {
    assert.deepEqual(extractChunks(split('S-X S-X B-Y I-Y E-Y O S-Y')), [
      chunk('X', 0, 1),
      chunk('X', 1, 2),
      chunk('Y', 2, 5),
      chunk('Y', 6, 7),
    ]);
    // E-Y then I-Y: startOfChunk(E, I) → a new chunk.
    assert.deepEqual(extractChunks(split('B-Y E-Y I-Y E-Y')), [chunk('Y', 0, 2), chunk('Y', 2, 4)]);
  });

  it('a chunk at the end of a sentence is closed there; an odd tag after a chunk is a chunk of type ""', () => {
    assert.deepEqual(extractChunks(split('O B-X I-X')), [chunk('X', 1, 3)]);
    // "UNK" = tag UNK, type "": the type differs from X, so X ends and a chunk of type "" starts.
    assert.deepEqual(extractChunks(split('B-X UNK')), [chunk('X', 0, 1), chunk('', 1, 2)]);
    assert.deepEqual(extractChunks([]), []);
  });
});

describe('sequenceLabelingScores: conlleval counts', () => {
  it('counts exact start, end and type matches, overall and per type', () => {
    // gold chunks: PER[0,2) LOC[3,6) ORG[7,8)
    // pred chunks: PER[0,2) ✓  LOC[3,5) ✗ (ends early)  ORG[7,8) ✓ (I-ORG after O starts it)
    // → found 3, gold 3, correct 2: P = R = F1 = 2/3. Tokens 5 and 7 differ: accuracy 6/8.
    const gold = [split('B-PER I-PER O B-LOC I-LOC I-LOC O B-ORG')];
    const pred = [split('B-PER I-PER O B-LOC I-LOC O O I-ORG')];
    const s = sequenceLabelingScores(gold, pred);
    assert.deepEqual(s.overall, { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, predicted: 3, gold: 3, correct: 2 });
    assert.deepEqual(Object.keys(s.perType), ['LOC', 'ORG', 'PER']);
    assert.deepEqual(s.perType.LOC, { precision: 0, recall: 0, f1: 0, predicted: 1, gold: 1, correct: 0 });
    assert.equal(s.perType.PER!.f1, 1);
    assert.equal(s.tokenAccuracy, 6 / 8);
    assert.equal(s.tokens, 8);
  });

  it('a type change inside a span splits it; spurious and missed chunks count', () => {
    // gold: PER[0,3)            | s1: O O   (no chunks)
    // pred: PER[0,1) LOC[1,3)   | s1: X[1,2) (spurious)
    // found 3, gold 1, correct 0 → P = R = F1 = 0; a type absent from gold gets recall 0.
    const s = sequenceLabelingScores([split('B-PER I-PER I-PER'), split('O O')], [split('B-PER I-LOC I-LOC'), split('O B-X')]);
    assert.deepEqual(s.overall, { precision: 0, recall: 0, f1: 0, predicted: 3, gold: 1, correct: 0 });
    assert.deepEqual(s.perType.X, { precision: 0, recall: 0, f1: 0, predicted: 1, gold: 0, correct: 0 });
  });

  it('sentences are scored separately: chunks never run across them', () => {
    // [O B-X] [I-X O]: X[1,2) in s0 and X[0,1) in s1, two chunks, both right.
    const gold = [split('O B-X'), split('I-X O')];
    const s = sequenceLabelingScores(gold, [split('O B-X'), split('B-X O')]);
    assert.deepEqual(s.overall, { precision: 1, recall: 1, f1: 1, predicted: 2, gold: 2, correct: 2 });
    assert.equal(s.tokenAccuracy, 3 / 4); // I-X ≠ B-X as tags, though the chunks agree
  });

  it('precision 1, recall 1/2: F1 is their harmonic mean', () => {
    const s = sequenceLabelingScores([split('B-A O B-B')], [split('B-A O O')]);
    assert.deepEqual(s.overall, { precision: 1, recall: 0.5, f1: 2 / 3, predicted: 1, gold: 2, correct: 1 });
  });

  it('no sentences: zero scores, token accuracy NaN; mismatched lengths throw', () => {
    const s = sequenceLabelingScores([], []);
    assert.deepEqual(s.overall, { precision: 0, recall: 0, f1: 0, predicted: 0, gold: 0, correct: 0 });
    assert.ok(Number.isNaN(s.tokenAccuracy));
    assert.throws(() => sequenceLabelingScores([['O']], []), ShapeError);
    assert.throws(() => sequenceLabelingScores([['O', 'O']], [['O']]), /sentence 0/);
  });
});

/** A seeded stream of BIO-ish tags, valid or not (Park–Miller LCG). */
function randomTags(seed: number, n: number): string[] {
  let state = seed;
  const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
  const vocab = ['O', 'O', 'B-A', 'I-A', 'B-B', 'I-B', 'I-A', 'I-B'];
  return Array.from({ length: n }, () => vocab[Math.floor(next() * vocab.length)]!);
}

describe('repairBio', () => {
  it('turns I-X starts into B-X, as conlleval reads them', () => {
    assert.deepEqual(repairBio(split('I-PER I-PER B-LOC I-ORG O I-ORG I-ORG')), split('B-PER I-PER B-LOC B-ORG O B-ORG I-ORG'));
    assert.deepEqual(repairBio(split('O B-X I-X UNK')), split('O B-X I-X UNK'));
  });

  it('keeps the chunks, yields valid IOB2, and is idempotent (200 seeded sequences)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const tags = randomTags(seed, 1 + (seed % 12));
      const fixed = repairBio(tags);
      assert.deepEqual(extractChunks(fixed), extractChunks(tags), tags.join(' '));
      fixed.forEach((t, i) => {
        if (t.startsWith('I-')) assert.ok(i > 0 && fixed[i - 1]!.slice(2) === t.slice(2) && fixed[i - 1] !== 'O', fixed.join(' '));
      });
      assert.deepEqual(repairBio(fixed), fixed);
    }
  });
});

const snipsTags = dataset('snips', 'test', 'seq.out');

describe('SNIPS test slot tags', needs('snips'), () => {
  const gold = readFileSync(snipsTags, 'utf8').trimEnd().split('\n').map(split);
  const tokens = gold.reduce((n, s) => n + s.length, 0);

  it('scores 1 against itself; every B- tag is one chunk', () => {
    // The file is valid IOB2 (every I-X follows B-X or I-X), so its chunks are its B- tags.
    assert.deepEqual(gold.map(repairBio), gold);
    const chunks = gold.flat().filter((t) => t.startsWith('B-')).length;
    assert.equal(chunks, 1790); // measured: 700 sentences, 6,354 tokens, 1,790 B- tags
    const s = sequenceLabelingScores(gold, gold);
    assert.deepEqual(s.overall, { precision: 1, recall: 1, f1: 1, predicted: chunks, gold: chunks, correct: chunks });
    assert.equal(s.tokenAccuracy, 1);
    assert.equal(s.tokens, 6354);
  });

  it('known corruptions give the hand-derived counts', () => {
    const pred = gold.map((s) => [...s]);
    const set = (line: number, token: number, from: string, to: string) => {
      assert.equal(pred[line]![token], from, `line ${line + 1} token ${token}`);
      pred[line]![token] = to;
    };
    // Δcorrect, Δpredicted, Δwrong tokens:
    set(0, 2, 'I-artist', 'O'); // artist[1,3) → [1,2): −1, 0, 1
    set(1, 4, 'B-party_size_number', 'O'); // chunk missed: −1, −1, 1
    set(2, 0, 'O', 'B-artist'); // spurious artist[0,1); B-artist at 1 still starts [1,3): 0, +1, 1
    set(5, 6, 'B-movie_type', 'B-movie_name'); // wrong type over [6,8): −1, 0, 2
    set(5, 7, 'I-movie_type', 'I-movie_name');
    set(2, 8, 'I-playlist', 'B-playlist'); // playlist[5,13) split into [5,8) [8,13): −1, +1, 1
    set(8, 1, 'B-movie_name', 'I-movie_name'); // I- after O starts the same chunk [1,3): 0, 0, 1
    // sort[7,9) → sort[7,8) + restaurant_type[8,9) (I- after another type starts a chunk); the
    // B-restaurant_type at 9 still starts [9,10): −1, +1, 1
    set(6, 8, 'I-sort', 'I-restaurant_type');
    // Totals: correct 1790 − 5, predicted 1790 + 2, wrong tokens 8.
    const s = sequenceLabelingScores(gold, pred);
    const [correct, predicted, goldChunks] = [1785, 1792, 1790];
    assert.deepEqual(s.overall, {
      precision: correct / predicted,
      recall: correct / goldChunks,
      f1: (2 * (correct / predicted) * (correct / goldChunks)) / (correct / predicted + correct / goldChunks),
      predicted,
      gold: goldChunks,
      correct,
    });
    assert.equal(s.tokenAccuracy, (tokens - 8) / tokens);
    assert.equal(entityF1(gold, pred), s.overall.f1);
  });
});

describe("surfaceFormScores: WNUT-17's surface-form measure (wnuteval.py with surface forms on)", () => {
  // Three sentences, worked by hand from the scorer's definition: each distinct (words, type) pair once;
  // a form is correct when some predicted chunk equal to a gold chunk (start, end, type) has it.
  const words = [split('Paris is in France'), split('I love Paris'), split('New York rocks')];
  const gold = [split('B-loc O O B-loc'), split('O O B-loc'), split('B-loc I-loc O')];
  const pred = [split('B-loc O O B-person'), split('O O B-loc'), split('B-loc O O')];

  it('counts each distinct entity string once, overall and per type', () => {
    const s = surfaceFormScores(gold, pred, words);
    // gold forms: (Paris, loc), (France, loc), (New York, loc) = 3; predicted: (Paris, loc), (France, person),
    // (New, loc) = 3; correct: Paris found right in sentences 0 and 1, one form → 1. P = R = F1 = 1/3.
    assert.deepEqual(
      { predicted: s.overall.predicted, gold: s.overall.gold, correct: s.overall.correct },
      { predicted: 3, gold: 3, correct: 1 },
    );
    assert.ok(Math.abs(s.overall.f1 - 1 / 3) < 1e-12);
    // loc: gold 3, predicted 2 ((Paris, loc), (New, loc)), correct 1: P 1/2, R 1/3, F1 2·(1/6)/(5/6) = 0.4.
    assert.equal(s.perType.loc!.predicted, 2);
    assert.ok(Math.abs(s.perType.loc!.precision - 0.5) < 1e-12 && Math.abs(s.perType.loc!.f1 - 0.4) < 1e-12);
    // person: predicted once, never gold.
    assert.deepEqual([s.perType.person!.predicted, s.perType.person!.gold, s.perType.person!.f1], [1, 0, 0]);
    // The entity measure of the same tags counts occurrences: 2 correct of 4 and 4.
    assert.equal(sequenceLabelingScores(gold, pred).overall.f1, 0.5);
  });

  it('a form found wrong somewhere and right elsewhere is correct; words and tags must line up', () => {
    const s = surfaceFormScores([split('B-loc'), split('B-loc')], [split('O'), split('B-loc')], [['Paris'], ['Paris']]);
    assert.deepEqual([s.overall.predicted, s.overall.gold, s.overall.correct], [1, 1, 1]);
    assert.throws(
      () => surfaceFormScores(gold, pred, words.slice(1)),
      (e: unknown) => e instanceof ShapeError && /3 sentences of tags but 2 of words/.test(e.message),
    );
    assert.throws(
      () => surfaceFormScores(gold, pred, [words[0]!.slice(1), words[1]!, words[2]!]),
      (e: unknown) => e instanceof ShapeError && /sentence 0 has 4 tags but 3 words/.test(e.message),
    );
  });
});
