/**
 * detokenize (src/data/detokenize.ts): text with spaces around punctuation, as DailyDialog releases it
 * and as a WordPiece decode prints it, back to normal text. Expected values written by hand after the
 * Moses detokenizer's English rules (sacremoses is not installed here to compare against).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detokenize } from '../../src/data/detokenize.js';

describe('detokenize', () => {
  it('attaches closing punctuation left, opening brackets, currency and quotes right; rejoins contractions', () => {
    for (const [tokenized, text] of [
      ['Good morning , sir .', 'Good morning, sir.'],
      ['I ’ m fine , thanks . Can ’ t you ?', 'I’m fine, thanks. Can’t you?'],
      ["I don ' t know ; it ' s 10 % off !", "I don't know; it's 10% off!"],
      ["we ' ve , they ' re , I ' ll , he ' d", "we've, they're, I'll, he'd"],
      ['It costs $ 5 ( or £ 3 ) .', 'It costs $5 (or £3).'],
      ['He said " hello there " to me .', 'He said "hello there" to me.'],
      ['the parents ’ house', 'the parents’ house'],
      ["it ' s. we ' re, ok", "it's. we're, ok"], // a WordPiece decoder's text: punctuation already attached
      ['Well ... I see .', 'Well... I see.'],
      ['“ Yes , ” she said .', '“Yes,” she said.'],
    ]) {
      assert.equal(detokenize(tokenized!), text, tokenized);
    }
  });

  it('leaves normal text and the release’s unspaced forms as they are; squeezes spaces', () => {
    for (const t of ["far.Can that's fine", 'Prof.Smith', "Hello, I'm here.", 'e-mail at 10:30']) assert.equal(detokenize(t), t);
    assert.equal(detokenize('  a  ,   b \t.  '), 'a, b.');
  });
});
