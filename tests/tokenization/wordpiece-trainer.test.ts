/**
 * The WordPiece vocabulary learner on word counts small enough to follow by hand.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { learnWordPieceVocab, type WordPieceLearnOptions } from '../../src/tokenization/index.js';
import { ConfigError } from '../../src/errors.js';

const base: WordPieceLearnOptions = { vocabSize: 100, minFrequency: 0, specialTokens: ['[UNK]'], continuingSubwordPrefix: '##' };
// hug ×10, pug ×5, pun ×12, bun ×4, hugs ×5
const counts = new Map([
  ['hug', 10],
  ['pug', 5],
  ['pun', 12],
  ['bun', 4],
  ['hugs', 5],
]);

describe('learnWordPieceVocab', () => {
  test('special tokens, alphabet by code point, ## pieces, then merges by frequency', () => {
    // Ids 0–7: [UNK] and the alphabet b g h n p s u. Words in sorted order add the ## pieces:
    // bun → b ##u ##n (8, 9); hug → h ##u ##g (10); hugs → … ##s (11); pug, pun add nothing.
    // Pair counts: (##u,##g) 20, (p,##u) 17, (##u,##n) 16, (h,##u) 15, (##g,##s) 5, (b,##u) 4.
    // 1. ##u+##g → ##ug (20).  Now (p,##u) 12, (h,##ug) 15, (p,##ug) 5, (##ug,##s) 5.
    // 2. ##u+##n → ##un (16).  Now (p,##un) 12, (b,##un) 4, (p,##u) 0.
    // 3. h+##ug → hug (15).    4. p+##un → pun (12).
    // 5. tie at 5: (p=5, ##ug=12) < (hug=14, ##s=11), so pug first, then 6. hugs.  7. b+##un → bun (4).
    const vocab = learnWordPieceVocab(counts, base);
    assert.deepEqual(vocab, [
      '[UNK]',
      'b',
      'g',
      'h',
      'n',
      'p',
      's',
      'u',
      '##u',
      '##n',
      '##g',
      '##s',
      '##ug',
      '##un',
      'hug',
      'pun',
      'pug',
      'hugs',
      'bun',
    ]);
  });

  test('stops at the vocabulary size', () => {
    const vocab = learnWordPieceVocab(counts, { ...base, vocabSize: 15 });
    assert.deepEqual(vocab.slice(12), ['##ug', '##un', 'hug']);
    assert.equal(vocab.length, 15);
  });

  test('stops when the best pair is rarer than minFrequency', () => {
    const vocab = learnWordPieceVocab(counts, { ...base, minFrequency: 13 });
    assert.deepEqual(vocab.slice(12), ['##ug', '##un', 'hug']); // pun (12) is not merged
  });

  test('limitAlphabet keeps the most frequent characters and drops the others from the words', () => {
    // Character counts: u 36, g 20, p 17, n 16, h 15, s 5, b 4: b goes.
    const vocab = learnWordPieceVocab(counts, { ...base, limitAlphabet: 6, vocabSize: 12 });
    assert.deepEqual(vocab, ['[UNK]', 'g', 'h', 'n', 'p', 's', 'u', '##u', '##n', '##g', '##s', '##ug']);
  });

  test('overlapping pairs keep exact counts', () => {
    // aaaa → a ##a ##a ##a: (##a,##a) twice, merged left to right into a ##aa ##a; then the tie at 1
    // between (a, ##aa) and (##aa, ##a) goes to the smaller ids: a+##aa → aaa; then aaa+##a → aaaa.
    const vocab = learnWordPieceVocab(new Map([['aaaa', 1]]), { ...base, specialTokens: [] });
    assert.deepEqual(vocab, ['a', '##a', '##aa', 'aaa', 'aaaa']);
  });

  test('rejects a special token listed twice', () => {
    assert.throws(() => learnWordPieceVocab(counts, { ...base, specialTokens: ['[UNK]', '[UNK]'] }), ConfigError);
  });
});
