/**
 * A hand-written tokenizer.json (TINY_VOCAB in ./helpers.ts) loaded through the `tokenizers` package:
 * every expected id below is read off that vocabulary by hand.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer, alignLabels, countTruncated, predictionsPerWord, type TokenizerOptions } from '../../src/tokenization/index.js';
import { CheckpointError, ConfigError, DataError } from '../../src/errors.js';
import { TINY_VOCAB, tempFolder, tinyTokenizerJson } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);
const tiny = (options: TokenizerOptions = {}): Tokenizer => Tokenizer.fromString(tinyTokenizerJson(), options);

describe('hand-written tokenizer.json', () => {
  test('encodes to the ids read off its vocabulary', async () => {
    const text = 'The playings unbelievable music!';
    const e = await tiny().encode(text);
    // [CLS] the play ##ing ##s un ##believ ##able music ! [SEP]
    assert.deepEqual(e.inputIds, [2, 5, 6, 7, 8, 11, 12, 13, 9, 10, 3]);
    assert.deepEqual(e.tokens, ['[CLS]', 'the', 'play', '##ing', '##s', 'un', '##believ', '##able', 'music', '!', '[SEP]']);
    assert.deepEqual(e.attentionMask, new Array(11).fill(1));
    assert.deepEqual(e.tokenTypeIds, new Array(11).fill(0));
    assert.deepEqual(e.specialTokensMask, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(e.wordIds, [null, 0, 1, 1, 1, 2, 2, 2, 3, 4, null]);
    assert.deepEqual(e.offsets, [
      [0, 0],
      [0, 3],
      [4, 8],
      [8, 11],
      [11, 12],
      [13, 15],
      [15, 21],
      [21, 25],
      [26, 31],
      [31, 32],
      [0, 0],
    ]);
    assert.deepEqual(
      e.offsets.slice(1, -1).map(([s, t]) => text.slice(s, t)),
      ['The', 'play', 'ing', 's', 'un', 'believ', 'able', 'music', '!'],
    );
    assert.equal(e.truncated, false);
  });

  test('a word it cannot spell becomes [UNK] whole; accents are stripped', async () => {
    const tok = tiny();
    assert.deepEqual((await tok.encode('the playz')).inputIds, [2, 5, 1, 3]);
    assert.deepEqual((await tok.encode('Café')).inputIds, [2, 15, 3]);
  });

  test('offsets are JavaScript string indices, also after characters outside the BMP', async () => {
    const text = '😀 a 中文';
    const e = await tiny().encode(text);
    assert.deepEqual(e.inputIds, [2, 1, 14, 16, 1, 3]); // 😀 → [UNK]; 中 and 文 are words of their own; 文 → [UNK]
    assert.deepEqual(e.offsets.slice(1, -1), [
      [0, 2],
      [3, 4],
      [5, 6],
      [6, 7],
    ]);
    assert.deepEqual(
      e.offsets.slice(1, -1).map(([s, t]) => text.slice(s, t)),
      ['😀', 'a', '中', '文'],
    );
  });

  test('pairs: [CLS] a [SEP] b [SEP] with token types 0 then 1, offsets per text', async () => {
    const tok = tiny();
    const e = await tok.encodePair('the 😀 music', 'a play');
    assert.deepEqual(e.inputIds, [2, 5, 1, 9, 3, 14, 6, 3]);
    assert.deepEqual(e.tokenTypeIds, [0, 0, 0, 0, 0, 1, 1, 1]);
    assert.deepEqual(e.sequenceIds, [null, 0, 0, 0, null, 1, 1, null]);
    assert.deepEqual(e.specialTokensMask, [1, 0, 0, 0, 1, 0, 0, 1]);
    assert.deepEqual(e.offsets, [
      [0, 0],
      [0, 3],
      [4, 6],
      [7, 12],
      [0, 0],
      [0, 1],
      [2, 6],
      [0, 0],
    ]);
    assert.deepEqual(await tok.encodePairBatch([['the 😀 music', 'a play']]), [e]);
  });

  test('batch encoding equals one-by-one encoding', async () => {
    const tok = tiny();
    const texts = ['the music', 'a play!', '', 'un😀able'];
    assert.deepEqual(await tok.encodeBatch(texts), await Promise.all(texts.map((t) => tok.encode(t))));
  });

  test('decode joins pieces and leaves out special tokens unless asked', async () => {
    const tok = tiny();
    assert.equal(await tok.decode([2, 5, 6, 7, 8, 11, 12, 13, 10, 3]), 'the playings unbelievable!');
    assert.equal(await tok.decode([2, 5, 6, 7, 3], { skipSpecialTokens: false }), '[CLS] the playing [SEP]');
    await assert.rejects(tok.decode([2, 17]), (e: unknown) => e instanceof DataError && /id 17 at position 1.*\[0, 17\)/.test(e.message));
    await assert.rejects(tok.decode([1.5]), DataError);
  });

  test('special-token ids by name, with a clear error when one is missing', () => {
    const tok = tiny();
    assert.deepEqual([tok.padId, tok.unkId, tok.clsId, tok.sepId, tok.maskId], [0, 1, 2, 3, 4]);
    assert.equal(tok.vocabSize, TINY_VOCAB.length);
    assert.equal(tok.tokenToId('##able'), 13);
    assert.equal(tok.idToToken(16), '中');
    assert.equal(tok.tokenToId('nope'), null);
    const noMask = Tokenizer.fromString(tinyTokenizerJson({ omit: ['[MASK]'] }));
    assert.equal(noMask.padId, 0);
    assert.throws(
      () => noMask.maskId,
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.includes('no mask token: "[MASK]" is not in its vocabulary') &&
        e.message.includes("specialTokens: { mask: '<name>' }"),
    );
    assert.equal(tiny({ specialTokens: { mask: 'music' } }).maskId, 9);
    assert.throws(
      () => tiny({ specialTokens: { msk: 'x' } as TokenizerOptions['specialTokens'] }),
      (e: unknown) => e instanceof ConfigError && /unknown option "msk" \(did you mean "mask"\?\)/.test(e.message),
    );
  });

  test('truncation: cut to maxLength, flagged and counted', async () => {
    const tok = tiny({ maxLength: 5 });
    const [long, short] = await tok.encodeBatch(['the playings music', 'the music']);
    assert.deepEqual(long?.inputIds, [2, 5, 6, 7, 3]);
    assert.equal(long?.truncated, true);
    assert.deepEqual(short?.inputIds, [2, 5, 9, 3]);
    assert.equal(short?.truncated, false);
    assert.equal(countTruncated([long!, short!, long!]), 2);
    // Pairs: the longer text loses tokens first.
    const pair = await tok.encodePair('the music', 'a play');
    assert.deepEqual(pair.inputIds, [2, 5, 3, 14, 3]);
    assert.equal(pair.truncated, true);
    tok.setMaxLength(null);
    assert.equal((await tok.encode('the playings music')).inputIds.length, 7);
  });

  test('a maxLength shorter than the special tokens fails loudly', async () => {
    const tok = tiny({ maxLength: 1 });
    await assert.rejects(
      tok.encode('the music'),
      (e: unknown) => e instanceof ConfigError && /maxLength \(1\) is too short/.test(e.message),
    );
    assert.throws(() => tok.setMaxLength(0), ConfigError);
  });

  test('pre-split words: word ids index the input words, labels on first pieces, predictions back', async () => {
    const tok = tiny();
    const words = ['The', 'playings', 'music!'];
    const e = await tok.encodeWords(words);
    assert.deepEqual(e.tokens, ['[CLS]', 'the', 'play', '##ing', '##s', 'music', '!', '[SEP]']);
    assert.deepEqual(e.wordIds, [null, 0, 1, 1, 1, 2, 2, null]);
    assert.deepEqual(alignLabels(e, [7, 8, 9]), [-100, 7, 8, -100, -100, 9, -100, -100]);
    assert.deepEqual(predictionsPerWord(e, e.tokens, 3), { predictions: ['the', 'play', 'music'], truncatedWords: 0, emptyWords: 0 });
    assert.deepEqual(await tok.encodeWordsBatch([words, ['a']]), [e, await tok.encodeWords(['a'])]);
  });

  test('pre-split words under truncation: cut-off words come back null and counted', async () => {
    const tok = tiny({ maxLength: 5 });
    const e = await tok.encodeWords(['The', 'playings', 'music', 'a']);
    assert.deepEqual(e.tokens, ['[CLS]', 'the', 'play', '##ing', '[SEP]']);
    assert.deepEqual(alignLabels(e, [1, 2, 3, 4]), [-100, 1, 2, -100, -100]);
    assert.deepEqual(predictionsPerWord(e, [0, 10, 20, 30, 40, 50, 60], 4), {
      predictions: [10, 20, null, null],
      truncatedWords: 2,
      emptyWords: 0,
    });
  });

  test('a word the normalizer empties gets no token and is counted apart from truncation', async () => {
    const e = await tiny().encodeWords(['the', '\u0000', 'music']);
    assert.deepEqual(e.tokens, ['[CLS]', 'the', 'music', '[SEP]']);
    assert.deepEqual(e.wordIds, [null, 0, 2, null]);
    assert.deepEqual(alignLabels(e, [5, 6, 7]), [-100, 5, 7, -100]);
    assert.deepEqual(predictionsPerWord(e, e.tokens, 3), { predictions: ['the', null, 'music'], truncatedWords: 0, emptyWords: 1 });
  });

  test('save → load gives the same file and the same encodings; maxLength travels in the file', async () => {
    const tok = tiny({ maxLength: 6 });
    const file = path.join(tmp.dir, 'tokenizer.json');
    tok.save(file);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      model: { vocab: Record<string, number> };
      truncation: { max_length: number };
    };
    assert.deepEqual(saved.model.vocab, Object.fromEntries(TINY_VOCAB.map((t, i) => [t, i])));
    assert.equal(saved.truncation.max_length, 6);
    const loaded = Tokenizer.fromFile(file);
    assert.equal(loaded.maxLength, 6);
    const texts = ['The playings unbelievable music!', 'Café 😀 中文'];
    assert.deepEqual(await loaded.encodeBatch(texts), await tok.encodeBatch(texts));
    assert.equal(Tokenizer.fromFile(file, { maxLength: null }).maxLength, null);
  });

  test('unreadable files and unknown options are reported with what to fix', () => {
    assert.throws(
      () => Tokenizer.fromString('{', {}, 'broken.json'),
      (e: unknown) => e instanceof CheckpointError && e.message.startsWith('broken.json: not a tokenizer.json'),
    );
    assert.throws(
      () => Tokenizer.fromFile(path.join(tmp.dir, 'missing.json')),
      (e: unknown) => e instanceof CheckpointError && e.message.includes('missing.json'),
    );
    const bad = path.join(tmp.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ model: { type: 'NoSuchModel' } }));
    assert.throws(() => Tokenizer.fromFile(bad), CheckpointError);
    assert.throws(
      () => tiny({ maxLenght: 5 } as TokenizerOptions),
      (e: unknown) => e instanceof ConfigError && e.message.includes('unknown option "maxLenght" (did you mean "maxLength"?)'),
    );
  });
});
