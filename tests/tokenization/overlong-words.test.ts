/**
 * Words over WordPiece's 100-character limit (a line without spaces): learning a vocabulary stays
 * linear in the text's length, and such texts are counted for the run's log.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOverlongWord, learnWordPieceVocab, trainWordPiece, type OverlongWords } from '../../src/tokenization/index.js';

/** A "word" of `n` characters cycling through ten letters (so every adjacent pair recurs n/10 times). */
const longWord = (n: number): string => Array.from({ length: n }, (_, i) => 'abcdefghij'[(i * 7) % 10]).join('');
const TEXTS = ['play some jazz', 'play music by abba', 'find the hidden cafe'];

describe('WordPiece learning with words over 100 characters', () => {
  it('a 200,000-character word is learned in linear time (was quadratic: 160 KB 22 s, 320 KB 83 s)', () => {
    const started = performance.now();
    const found: OverlongWords[] = [];
    const tok = trainWordPiece([...TEXTS, `${longWord(200_000)} again`], { vocabSize: 120, minFrequency: 1 }, (o) => found.push(o));
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 20, `learning took ${seconds.toFixed(1)} s`);
    assert.deepEqual(found, [{ texts: 1, longest: 200_000, limit: 100 }]);
    assert.ok(tok.vocabSize > 5);
  });

  it('an overlong word adds its characters to the alphabet but no merges: the vocabulary is that of the other words plus its new characters', () => {
    const options = { vocabSize: 60, minFrequency: 0, specialTokens: ['[UNK]'], continuingSubwordPrefix: '##' };
    const counts = new Map([
      ['hug', 10],
      ['pun', 12],
    ]);
    const withLong = new Map([...counts, ['hugxhugxhug'.repeat(10), 50]]); // 110 characters, more frequent than both
    const plain = learnWordPieceVocab(new Map([...counts, ['x', 0]]), options);
    assert.deepEqual(learnWordPieceVocab(withLong, options), plain);
    const at100 = new Map([...counts, ['hugxhugxhu'.repeat(10), 50]]); // exactly 100: learned from as usual
    assert.notDeepEqual(learnWordPieceVocab(at100, options), plain);
  });

  it('isOverlongWord counts characters (code points), not UTF-16 units', () => {
    assert.equal(isOverlongWord('a'.repeat(100)), false);
    assert.equal(isOverlongWord('a'.repeat(101)), true);
    assert.equal(isOverlongWord('😀'.repeat(100)), false); // 200 UTF-16 units, 100 characters
    assert.equal(isOverlongWord('😀'.repeat(101)), true);
  });
});
