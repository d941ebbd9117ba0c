/**
 * IncrementalText: the pieces released token by token, joined, are the tokenizer's text of all the
 * tokens (byte-level BPE with characters split over two and three byte tokens, WordPiece with `##`
 * pieces and special tokens), held back while a character is incomplete; each push decodes at most
 * a window of recent tokens (O(n) tokens decoded in all, not n²/2).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IncrementalText } from '../../src/generate/incremental-text.js';
import { seededUniform } from '../../src/generate/processors.js';
import { Tokenizer } from '../../src/tokenization/index.js';
import { writeHfFolder } from '../helpers/hf-folder.js';

let root = '';
let bpe: Tokenizer;
let wordPiece: Tokenizer;
/** Byte-level tokens of 'é' (C3 A9) and '€' (E2 82 AC), as GPT-2's byte-to-unicode table spells the bytes. */
const BYTES = ['Ã', '©', 'â', 'Ĥ', '¬'];
let byteIds: number[] = [];

before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'mtl-incremental-text-'));
  const gpt2 = writeHfFolder(path.join(root, 'gpt2'), 'gpt2', 'tokenizer.json');
  const json = JSON.parse(readFileSync(path.join(gpt2, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } };
  const size = Object.keys(json.model.vocab).length + 1; // <mask> is an added token after the vocabulary
  byteIds = BYTES.map((_, i) => size + i);
  BYTES.forEach((b, i) => (json.model.vocab[b] = byteIds[i]!));
  bpe = Tokenizer.fromString(JSON.stringify(json));
  wordPiece = Tokenizer.fromFile(path.join(writeHfFolder(path.join(root, 'bert'), 'bert', 'tokenizer.json'), 'tokenizer.json'));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Pushes `ids` one by one; the pieces and the most tokens one decode call was given. */
async function pushAll(
  tokenizer: Tokenizer,
  ids: readonly number[],
): Promise<{ pieces: string[]; text: string; widest: number; decoded: number }> {
  let widest = 0;
  let decoded = 0;
  const text = new IncrementalText((window) => {
    widest = Math.max(widest, window.length);
    decoded += window.length;
    return tokenizer.decode(window);
  });
  const pieces: string[] = [];
  for (const id of ids) pieces.push(await text.push(id));
  return { pieces, text: text.text, widest, decoded };
}

describe('IncrementalText', () => {
  it('holds back a character split over byte tokens until it is complete', async () => {
    const word = (await bpe.encode('jazz')).inputIds.slice(1, -1); // without <s> </s>
    const { pieces, text } = await pushAll(bpe, [...word, byteIds[0]!, byteIds[1]!, byteIds[2]!, byteIds[3]!, byteIds[4]!, ...word]);
    assert.equal(text, await bpe.decode([...word, ...byteIds, ...word]));
    assert.ok(text.includes('é€'), text);
    const at = word.length;
    assert.deepEqual(pieces.slice(at, at + 5), ['', 'é', '', '', '€']);
  });

  for (const [name, tokenizer] of [
    ['byte-level BPE (characters split over byte tokens)', () => bpe],
    ['WordPiece (## pieces, special tokens)', () => wordPiece],
  ] as const) {
    it(`${name}: the pieces joined are the text of all the tokens; each decode reads a window of about 32 tokens`, async () => {
      const tok = tokenizer();
      const uniform = seededUniform(13);
      const V = tok.vocabSize;
      for (let trial = 0; trial < 20; trial++) {
        const n = 20 + Math.floor(uniform() * 180);
        // a third of the tokens from the byte tokens (BPE) or the ## pieces at the end of the vocabulary (WordPiece)
        const ids = Array.from({ length: n }, () =>
          uniform() < 0.33 && tok === bpe ? byteIds[Math.floor(uniform() * byteIds.length)]! : Math.floor(uniform() * V),
        );
        const { pieces, text, widest, decoded } = await pushAll(tok, ids);
        const whole = await tok.decode(ids);
        // the last incomplete character (a trailing U+FFFD) is not released by push
        assert.equal(pieces.join(''), text);
        assert.ok(
          whole.startsWith(text) && !whole.slice(text.length).replace(/\uFFFD/g, ''),
          `trial ${trial}: ${JSON.stringify([text, whole])}`,
        );
        // past 32 only while a character is split over the byte tokens (random bytes: rarely more than a few)
        assert.ok(widest <= (tok === bpe ? 40 : 32), `a decode of ${widest} tokens`);
        assert.ok(decoded <= 34 * n, `${decoded} tokens decoded for ${n}`);
      }
    });
  }
});
