/**
 * Word ↔ sub-word alignment on encodings written out by hand, and the joining of pre-split words.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { IGNORE_INDEX, alignLabels, firstTokenOfWords, predictionsPerWord, type Encoding } from '../../src/tokenization/index.js';
import { joinWords, withInputWordIds } from '../../src/tokenization/words.js';
import { DataError } from '../../src/errors.js';

/** An encoding with only what alignment reads filled in meaningfully. */
function encoding(wordIds: Array<number | null>, sequenceIds: Array<number | null>, truncated = false): Encoding {
  const n = wordIds.length;
  return {
    inputIds: new Array<number>(n).fill(0),
    attentionMask: new Array<number>(n).fill(1),
    tokenTypeIds: sequenceIds.map((s) => s ?? 0),
    specialTokensMask: sequenceIds.map((s) => (s === null ? 1 : 0)),
    tokens: wordIds.map((w) => (w === null ? '[S]' : `w${w}`)),
    offsets: new Array(n).fill([0, 0]) as Array<[number, number]>,
    wordIds,
    sequenceIds,
    truncated,
  };
}

describe('alignment', () => {
  // [CLS] w0 w1 ##w1 ##w1 w2 [SEP] x0 [SEP]  (a pair: its second text is never labelled)
  const pair = encoding([null, 0, 1, 1, 1, 2, null, 0, null], [null, 0, 0, 0, 0, 0, null, 1, null]);

  test('first sub-word of each word, none for the second text', () => {
    assert.deepEqual(firstTokenOfWords(pair, 4), [1, 2, 5, null]);
    assert.deepEqual(alignLabels(pair, [10, 11, 12]), [-100, 10, 11, -100, -100, 12, -100, -100, -100]);
    assert.equal(IGNORE_INDEX, -100);
  });

  test('predictions back per word; a missing last word without truncation counts as empty', () => {
    assert.deepEqual(predictionsPerWord(pair, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'pad'], 4), {
      predictions: ['b', 'c', 'f', null],
      truncatedWords: 0,
      emptyWords: 1,
    });
    const cut = encoding([null, 0, 1, null], [null, 0, 0, null], true);
    assert.deepEqual(predictionsPerWord(cut, [0, 1, 2, 3], 4), { predictions: [1, 2, null, null], truncatedWords: 2, emptyWords: 0 });
  });

  test('mismatched sizes are data errors', () => {
    assert.throws(
      () => alignLabels(pair, [1, 2]),
      (e: unknown) => e instanceof DataError && /belongs to word 2, but only 2 words/.test(e.message),
    );
    assert.throws(
      () => predictionsPerWord(pair, [1, 2, 3], 3),
      (e: unknown) => e instanceof DataError && /3 token predictions for an encoding of 9 tokens/.test(e.message),
    );
  });
});

describe('joinWords', () => {
  test('owner of each position; a separating space belongs to the next word', () => {
    const j = joinWords(['ab', '', 'c😀']);
    assert.equal(j.text, 'ab  c😀');
    assert.deepEqual([...j.owner], [0, 0, 1, 2, 2, 2, 2]);
    assert.equal(j.numWords, 3);
  });

  test('word ids come from the start offset of each token', () => {
    const j = joinWords(['ab', 'cd']);
    const e = {
      ...encoding([null, 0, 0, 0, null], [null, 0, 0, 0, null]),
      offsets: [
        [0, 0],
        [0, 1],
        [1, 2],
        [3, 5],
        [0, 0],
      ] as Array<[number, number]>,
    };
    assert.deepEqual(withInputWordIds(e, j).wordIds, [null, 0, 0, 1, null]);
  });

  test('non-string words are data errors', () => {
    assert.throws(() => joinWords(['a', 3 as unknown as string]), DataError);
  });
});
