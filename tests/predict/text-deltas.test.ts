/**
 * Streamed generation releases non-empty text deltas (src/predict/text-deltas.ts): a token that ends
 * mid-character (a byte-level BPE token holding 0xC3 alone, the first byte of é) sends nothing until the
 * text grows, and the pieces joined equal the text generated without a stream — through TextGenerator
 * (what `mtl serve` streams) and `mtl generate`. TextDeltas itself: held back while the text has not
 * grown, while its end may begin a stop string, and a reply's whitespace at either end; flushed at the end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TextGenerator } from '../../src/predict/generate.js';
import { TextDeltas } from '../../src/predict/text-deltas.js';
import { runGenerateCli } from '../helpers/cli.js';
import { splitCharacterToken, writeHfFolder } from '../helpers/hf-folder.js';

describe('TextDeltas', () => {
  it('releases only what is new and clear, and the rest at the end', () => {
    const plain = new TextDeltas([], false);
    assert.deepEqual(
      ['', ' a', ' a', ' ab'].map((t) => plain.next(t)),
      ['', ' a', '', 'b'],
    );
    assert.deepEqual(plain.finish(' ab'), { text: ' ab', rest: '' });
    const stopped = new TextDeltas(['END'], false);
    assert.deepEqual(
      ['x E', 'x EN', 'x ENd', 'x ENd E'].map((t) => stopped.next(t)),
      ['x ', '', 'ENd', ' '],
    );
    assert.deepEqual(stopped.finish('x ENd EN'), { text: 'x ENd EN', rest: 'EN' });
    const reply = new TextDeltas([], true);
    assert.deepEqual(
      ['\n', '\n hi', '\n hi ', '\n hi you\n'].map((t) => reply.next(t)),
      ['', 'hi', '', ' you'],
    );
    assert.deepEqual(reply.finish('\n hi you\n'), { text: 'hi you', rest: '' });
  });
});

describe('streaming a token that ends mid-character', () => {
  let root = '';
  let folder = '';
  let split = 0;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'mtl-text-deltas-'));
    folder = writeHfFolder(path.join(root, 'llama'), 'llama', 'tokenizer.json');
    split = splitCharacterToken(folder);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('sends no empty piece: the first token (0xC3 alone) waits for the next; the pieces joined = the text', async () => {
    using generator = TextGenerator.load(folder);
    const pieces: { piece: string; token: number | undefined }[] = [];
    const streamed = await generator.generate('jazz', { maxNewTokens: 6 }, (piece, token) => void pieces.push({ piece, token }));
    assert.equal(streamed.tokens[0], split, 'the tiny model begins with the split character: the case under test');
    assert.deepEqual(
      pieces.filter((p) => p.piece === ''),
      [],
    );
    assert.equal(pieces[0]!.token, streamed.tokens[1], 'the first piece comes with the second token');
    const whole = await generator.generate('jazz', { maxNewTokens: 6 });
    assert.deepEqual(whole.tokens, streamed.tokens);
    assert.equal(pieces.map((p) => p.piece).join(''), whole.text);
    assert.ok(whole.text.startsWith('\uFFFD'), JSON.stringify(whole.text));
    const cli = await runGenerateCli([folder, 'jazz', '--max-new-tokens', '6']);
    assert.deepEqual([cli.code, cli.text], [0, `${whole.text}\n`]);
  });
});
