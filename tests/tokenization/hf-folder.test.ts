import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CheckpointError } from '../../src/errors.js';
import { Tokenizer, tokenizerFromFolder } from '../../src/tokenization/index.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'mtl-hf-tokenizer-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
/** A folder holding `files` (objects are written as JSON). */
function folder(files: Record<string, string | object>): string {
  const dir = path.join(tmp, `f${n++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files))
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const WORDPIECE = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', 'world', '##s', '!', 'Hello'].join('\n') + '\n';

// A byte-level BPE small enough to run by hand. "hello world" pre-tokenizes (GPT-2's regex, no prefix
// space) to "hello" and "Ġworld" (Ġ is the space byte). Merges apply by rank: h e → he; l l → ll;
// he ll → hell; hell o → hello; Ġ w → Ġw; o r → or. So "hello" → [hello] and "Ġworld" → [Ġw, or, l, d].
const BPE_VOCAB = {
  '<s>': 0,
  '<pad>': 1,
  '</s>': 2,
  '<unk>': 3,
  h: 4,
  e: 5,
  l: 6,
  o: 7,
  Ġ: 8,
  w: 9,
  r: 10,
  d: 11,
  he: 12,
  ll: 13,
  hell: 14,
  hello: 15,
  Ġw: 16,
  or: 17,
  '<mask>': 18,
};
const MERGES = '#version: 0.2\nh e\nl l\nhe ll\nhell o\nĠ w\no r\n';

describe('tokenizerFromFolder', () => {
  it('builds WordPiece from vocab.txt with BERT pre/post-processing, lower-casing by default', async () => {
    const t = tokenizerFromFolder(folder({ 'vocab.txt': WORDPIECE }));
    const e = await t.encode('Hello worlds!');
    assert.deepEqual(e.inputIds, [2, 5, 6, 7, 8, 3]); // [CLS] hello world ##s ! [SEP]
    const pair = await t.encodePair('hello', 'world');
    assert.deepEqual(pair.inputIds, [2, 5, 3, 6, 3]);
    assert.deepEqual(pair.tokenTypeIds, [0, 0, 0, 1, 1]);
    assert.equal(t.padId, 0);
    assert.equal(t.maskId, 4);
  });

  it('answers a missing special token with null from findSpecialTokenId and an error naming it from specialTokenId', () => {
    const noMask = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello'].join('\n') + '\n';
    const t = tokenizerFromFolder(folder({ 'vocab.txt': noMask }));
    assert.equal(t.findSpecialTokenId('mask'), null);
    assert.equal(t.findSpecialTokenId('sep'), 3);
    assert.throws(() => t.specialTokenId('mask'), /no mask token: "\[MASK\]" is not in its vocabulary/);
  });

  it('keeps case when tokenizer_config.json says do_lower_case: false', async () => {
    const t = tokenizerFromFolder(folder({ 'vocab.txt': WORDPIECE, 'tokenizer_config.json': { do_lower_case: false } }));
    assert.deepEqual((await t.encode('Hello hello')).inputIds, [2, 9, 5, 3]);
  });

  it("builds byte-level BPE from vocab.json + merges.txt with RoBERTa's <s> … </s> post-processor", async () => {
    const t = tokenizerFromFolder(folder({ 'vocab.json': BPE_VOCAB, 'merges.txt': MERGES }));
    const e = await t.encode('hello world');
    assert.deepEqual(e.inputIds, [0, 15, 16, 17, 6, 11, 2]);
    assert.deepEqual(e.tokens, ['<s>', 'hello', 'Ġw', 'or', 'l', 'd', '</s>']);
    // RoBERTa pairs: <s> a </s></s> b </s>
    assert.deepEqual((await t.encodePair('hello', 'hello')).inputIds, [0, 15, 2, 2, 15, 2]);
    assert.equal(await t.decode(e.inputIds), 'hello world');
    assert.deepEqual([t.padId, t.clsId, t.sepId, t.unkId, t.maskId], [1, 0, 2, 3, 18]);
  });

  it('honours add_prefix_space from tokenizer_config.json', async () => {
    const t = tokenizerFromFolder(
      folder({ 'vocab.json': BPE_VOCAB, 'merges.txt': MERGES, 'tokenizer_config.json': { add_prefix_space: true } }),
    );
    // " hello" → Ġ h e l l o: "Ġ h" is no merge; h e … → hello, so [Ġ, hello]
    assert.deepEqual((await t.encode('hello')).inputIds, [0, 8, 15, 2]);
  });

  it('prefers tokenizer.json, and takes special-token names from special_tokens_map.json', async () => {
    const built = tokenizerFromFolder(folder({ 'vocab.json': BPE_VOCAB, 'merges.txt': MERGES }));
    const dir = folder({ 'vocab.txt': WORDPIECE, 'special_tokens_map.json': { pad_token: { content: '<pad>' }, cls_token: '<s>' } });
    built.save(path.join(dir, 'tokenizer.json'));
    const t = tokenizerFromFolder(dir);
    assert.deepEqual((await t.encode('hello world')).inputIds, [0, 15, 16, 17, 6, 11, 2]);
    assert.equal(t.padId, 1);
  });

  it("finds RoBERTa's special tokens in a tokenizer.json without being told their names", () => {
    const dir = folder({ 'vocab.json': BPE_VOCAB, 'merges.txt': MERGES });
    tokenizerFromFolder(dir).save(path.join(dir, 'saved.json'));
    const t = Tokenizer.fromFile(path.join(dir, 'saved.json'));
    assert.deepEqual([t.padId, t.clsId, t.sepId, t.unkId, t.maskId], [1, 0, 2, 3, 18]);
  });

  it('refuses a folder without tokenizer files, naming a SentencePiece model and how to convert it', () => {
    assert.throws(
      () => tokenizerFromFolder(folder({ 'config.json': {} })),
      (e: Error) => e instanceof CheckpointError && /tokenizer\.json, or vocab\.txt/.test(e.message),
    );
    assert.throws(() => tokenizerFromFolder(folder({ 'sentencepiece.bpe.model': 'x' })), /SentencePiece.*save_pretrained/);
  });
});
