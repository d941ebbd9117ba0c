/**
 * Training BERT WordPiece tokenizers on real corpora (SNIPS utterances, CLUENER Chinese sentences)
 * and checking what they encode, decode, align, truncate and save.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer, alignLabels, countTruncated, predictionsPerWord, trainWordPiece } from '../../src/tokenization/index.js';
import { ConfigError } from '../../src/errors.js';
import { needs, readCluener, readLines, tempFolder } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

const VOCAB_SIZE = 1000;
let snips: Tokenizer;
let chinese: Tokenizer;
/** Every test here trains on SNIPS and CLUENER; none runs without them. */
const data = needs('snips', 'cluener');
const dev = data.skip ? [] : readLines('snips/dev/seq.in');
const devSlots = data.skip ? [] : readLines('snips/dev/seq.out');
/** Dev utterances of lowercase letters, digits and single spaces only: their text survives a round trip. */
const plain = dev.map((l) => l.replace(/\s+/g, ' ')).filter((l) => /^[a-z0-9 ]+$/.test(l));

before(() => {
  if (data.skip) return;
  snips = trainWordPiece(readLines('snips/train/seq.in'), { vocabSize: VOCAB_SIZE, minFrequency: 2 });
  chinese = trainWordPiece(readCluener('cluener/train.json'), { vocabSize: 5000, minFrequency: 2 });
});

describe('trainWordPiece on SNIPS', data, () => {
  test('special tokens at ids 0–4, then a vocabulary of the requested size with ## pieces', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((id) => snips.idToToken(id)),
      ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'],
    );
    assert.deepEqual([snips.padId, snips.unkId, snips.clsId, snips.sepId, snips.maskId], [0, 1, 2, 3, 4]);
    assert.equal(snips.vocabSize, VOCAB_SIZE);
    assert.ok(snips.tokenToId('##s') !== null, 'has the continuation piece ##s');
    assert.ok(snips.tokenToId('playlist') !== null, 'has the frequent word playlist whole');
  });

  test('the saved tokenizer.json is BERT-shaped', () => {
    const file = path.join(tmp.dir, 'snips-tokenizer.json');
    snips.save(file);
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
    assert.equal(json.normalizer?.type, 'BertNormalizer');
    assert.equal(json.normalizer?.lowercase, true);
    assert.equal(json.normalizer?.handle_chinese_chars, true);
    assert.equal(json.pre_tokenizer?.type, 'BertPreTokenizer');
    assert.equal(json.post_processor?.type, 'BertProcessing');
    assert.deepEqual([json.decoder?.type, json.decoder?.prefix], ['WordPiece', '##']);
    assert.deepEqual([json.model?.type, json.model?.continuing_subword_prefix, json.model?.unk_token], ['WordPiece', '##', '[UNK]']);
    assert.equal(Object.keys(json.model?.vocab as object).length, VOCAB_SIZE);
  });

  test('encode → decode gives back lowercased, accent-free text', async () => {
    assert.ok(plain.length > 200, `${plain.length} plain dev utterances`);
    const encodings = await snips.encodeBatch(plain);
    for (const [i, e] of encodings.entries()) {
      assert.ok(!e.inputIds.includes(snips.unkId), `no [UNK] in "${plain[i]}"`);
      assert.equal(await snips.decode(e.inputIds), plain[i]);
    }
    const e = await snips.encode('Add Step to the 50 Clásicos playlist');
    assert.equal(await snips.decode(e.inputIds), 'add step to the 50 clasicos playlist');
    assert.deepEqual([e.inputIds[0], e.inputIds.at(-1)], [snips.clsId, snips.sepId]);
  });

  test('characters never seen in training become [UNK]', async () => {
    const text = 'play ☃ music';
    const e = await snips.encode(text);
    const snowman = e.offsets.findIndex(([s, t]) => text.slice(s, t) === '☃');
    assert.equal(e.inputIds[snowman], snips.unkId);
    assert.equal(e.inputIds.filter((id) => id === snips.unkId).length, 1);
  });

  test('Chinese characters are split one per token even when unknown', async () => {
    const e = await snips.encode('浙商银行');
    assert.deepEqual(e.tokens, ['[CLS]', '[UNK]', '[UNK]', '[UNK]', '[UNK]', '[SEP]']);
    assert.deepEqual(e.offsets.slice(1, -1), [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
  });

  test('pairs: token types 0 up to the first [SEP], 1 after', async () => {
    const e = await snips.encodePair('play some jazz', 'on spotify');
    const firstSep = e.inputIds.indexOf(snips.sepId);
    assert.equal(e.inputIds[0], snips.clsId);
    assert.equal(e.inputIds.filter((id) => id === snips.sepId).length, 2);
    assert.equal(e.inputIds.at(-1), snips.sepId);
    assert.deepEqual(
      e.tokenTypeIds,
      e.inputIds.map((_, t) => (t <= firstSep ? 0 : 1)),
    );
    assert.equal(await snips.decode(e.inputIds), 'play some jazz on spotify');
  });

  test('slot labels: on each word’s first piece only, and back to one per word', async () => {
    const sentences = dev.slice(0, 300).map((l) => l.split(/\s+/));
    const slots = devSlots.slice(0, 300).map((l) => l.split(/\s+/));
    const labelIds = new Map<string, number>();
    const encodings = await snips.encodeWordsBatch(sentences);
    let multiPiece = 0;
    encodings.forEach((e, i) => {
      const words = sentences[i] ?? [];
      const ids = (slots[i] ?? []).map((s) => labelIds.get(s) ?? labelIds.set(s, labelIds.size).size - 1);
      assert.equal(ids.length, words.length);
      const labels = alignLabels(e, ids);
      const labelled = labels.flatMap((l, t) => (l === -100 ? [] : [t]));
      assert.equal(labelled.length, words.length, `one label per word in "${words.join(' ')}"`);
      for (const t of labelled) assert.ok(!e.tokens[t]?.startsWith('##'), 'labels sit on word-initial pieces');
      multiPiece += words.filter((_, w) => e.wordIds.filter((x) => x === w).length > 1).length;
      assert.deepEqual(predictionsPerWord(e, labels, words.length), { predictions: ids, truncatedWords: 0, emptyWords: 0 });
    });
    assert.ok(multiPiece > 100, `${multiPiece} words split into several pieces`);
  });

  test('truncation is counted: exactly the utterances longer than maxLength', async () => {
    const full = await snips.encodeBatch(dev);
    const longer = full.filter((e) => e.inputIds.length > 10).length;
    assert.ok(longer > 100 && longer < dev.length, `${longer} of ${dev.length} are longer than 10 tokens`);
    const short = Tokenizer.fromFile(path.join(tmp.dir, 'snips-tokenizer.json'), { maxLength: 10 });
    const cut = await short.encodeBatch(dev);
    assert.equal(countTruncated(cut), longer);
    assert.equal(countTruncated(full), 0);
    cut.forEach((e, i) => {
      assert.equal(e.inputIds.length, Math.min(10, full[i]?.inputIds.length ?? 0));
      assert.equal(e.inputIds.at(-1), snips.sepId);
      assert.deepEqual(e.inputIds.slice(0, -1), full[i]?.inputIds.slice(0, e.inputIds.length - 1));
    });
  });

  test('save → load gives identical encodings', async () => {
    const file = path.join(tmp.dir, 'roundtrip.json');
    snips.save(file);
    const loaded = Tokenizer.fromFile(file);
    const texts = [...dev.slice(0, 200), 'Add Step to the 50 Clásicos playlist ☃ 浙商', ''];
    assert.deepEqual(await loaded.encodeBatch(texts), await snips.encodeBatch(texts));
    assert.deepEqual(await loaded.encodePair('a b', 'c'), await snips.encodePair('a b', 'c'));
  });
});

describe('trainWordPiece on CLUENER (Chinese)', data, () => {
  test('each CJK character is one token, one word, with its own offsets', async () => {
    const text = readCluener('cluener/dev.json')[0] ?? '';
    const e = await chinese.encode(text);
    const chars = [...text].filter((c) => /\p{Script=Han}/u.test(c));
    assert.ok(chars.length > 10);
    const han = e.offsets.map(([s, t]) => text.slice(s, t)).filter((piece) => /\p{Script=Han}/u.test(piece));
    assert.deepEqual(han, chars, 'one token per character');
    const tokens = e.tokens.filter((_, t) => /\p{Script=Han}/u.test(text.slice(...(e.offsets[t] ?? [0, 0]))));
    assert.ok(tokens.every((tok, i) => tok === chars[i] || tok === '[UNK]'));
    assert.ok(tokens.filter((t) => t === '[UNK]').length <= 2, 'nearly every character was seen in training');
    const hanWords = e.wordIds.filter((_, t) => /\p{Script=Han}/u.test(text.slice(...(e.offsets[t] ?? [0, 0]))));
    assert.equal(new Set(hanWords).size, hanWords.length, 'a word per character');
  });

  test('character labels align one to one, and the tokenizer survives save → load', async () => {
    const text = '浙商银行企业信贷部叶老桂博士';
    const e = await chinese.encodeWords([...text]);
    assert.deepEqual(e.wordIds, [null, ...[...text].map((_, i) => i), null]);
    const labels = [...text].map((_, i) => i);
    assert.deepEqual(alignLabels(e, labels), [-100, ...labels, -100]);
    const file = path.join(tmp.dir, 'chinese.json');
    chinese.save(file);
    assert.deepEqual(await Tokenizer.fromFile(file).encode(text), await chinese.encode(text));
  });
});

describe('trainWordPiece options', () => {
  test('the documented example', async () => {
    const tok = trainWordPiece(['hello world', 'hello there'], { vocabSize: 40, minFrequency: 1 });
    assert.equal(tok.padId, 0);
    assert.deepEqual((await tok.encode('hello')).tokens, ['[CLS]', 'hello', '[SEP]']);
  });

  test('cased: lowercase false keeps case and accents', async () => {
    const tok = trainWordPiece(['Café Café café'], { vocabSize: 60, minFrequency: 1, lowercase: false });
    assert.deepEqual((await tok.encode('Café café')).tokens, ['[CLS]', 'Café', 'café', '[SEP]']);
  });

  test('bad options are rejected with what was expected', () => {
    assert.throws(
      () => trainWordPiece([], { vocabSize: 3 }),
      (e: unknown) => e instanceof ConfigError && /vocabSize must be an integer >= 5, got 3/.test(e.message),
    );
    assert.throws(
      () => trainWordPiece([], { minFrequncy: 2 } as object),
      (e: unknown) => e instanceof ConfigError && /did you mean "minFrequency"/.test(e.message),
    );
  });
});
