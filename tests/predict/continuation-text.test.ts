/**
 * A continuation decoded by a WordPiece tokenizer reads as text (./src/predict/continuation-text.ts):
 * in the prompt's context (`unbeliev` + `##able` → `able`), punctuation's spaces taken out (`it ' s .`
 * → `it's.`), the streamed pieces joined = the text; and `TextGenerator` (`mtl generate`) prints that
 * text for a decoder whose tokenizer.json has WordPiece's decoder.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ContinuationText } from '../../src/predict/continuation-text.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { buildBertTokenizer, tokenizerFromFolder } from '../../src/tokenization/index.js';
import { writeHfFolder } from '../helpers/hf-folder.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();
const root = mkdtempSync(path.join(tmpdir(), 'mtl-continuation-'));
after(() => rmSync(root, { recursive: true, force: true }));

const VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'the',
  'un',
  '##believ',
  '##able',
  'story',
  'it',
  "'",
  's',
  'fine',
  '.',
  '(',
  'yes',
  ')',
];
const tokenizer = buildBertTokenizer(VOCAB);
const decode = (ids: readonly number[]) => tokenizer.decode(ids);
const ids = (...tokens: string[]) => tokens.map((t) => VOCAB.indexOf(t));

describe('ContinuationText', () => {
  const prompt = ids('[CLS]', 'the', 'un', '##believ');
  const continuation = ids('##able', 'story', '.', 'it', "'", 's', 'fine', '(', 'yes', ')', '[SEP]');
  const expected = "able story. it's fine (yes)"; // the prompt `the unbeliev` written on

  it('decodes in the prompt context, without the spaces WordPiece puts around punctuation', async () => {
    assert.equal(await decode(continuation), "##able story. it ' s fine ( yes )", 'what the decoder alone gives');
    assert.equal(await ContinuationText.of(decode, prompt, continuation), expected);
    assert.equal(await ContinuationText.of(decode, ids('[CLS]', 'the'), ids('story', '.')), ' story.', 'a new word keeps its space');
    assert.equal(await ContinuationText.of(decode, [], ids('it', "'", 's', '.')), "it's.", 'an encoder-decoder target: no prompt');
  });

  it('streams pieces that join to the text, none of them taken back', async () => {
    const text = new ContinuationText(decode, prompt);
    const pieces: string[] = [];
    for (const t of continuation) pieces.push(await text.push(t));
    pieces.push(await text.end());
    assert.equal(pieces.join(''), expected);
    assert.ok(pieces.filter((p) => p !== '').length > 2, `streamed in pieces: ${JSON.stringify(pieces)}`);
  });
});

/**
 * Texts the detokenizer's rules make from earlier context, the expected strings worked out by hand from
 * WordPiece's decoder (tokens joined by spaces, `##` pieces to the token before, a space before `.`
 * `,` `!` `?` and `n't` taken out; special tokens left out) and ../../src/data/detokenize.ts's rules
 * (`w ' s` → `w's`; no space before closing punctuation or after an opening bracket or `$`; straight
 * quotes alternately opening and closing over the whole text, prompt included): the text of the prompt
 * and the continuation, less the prompt's text, or (when the continuation changed the prompt's own text)
 * the continuation read alone after a space.
 */
const MORE = ['"', 'he', 'said', ',', '!', '?', 'do', "n't", '$', '5', 'caf', '##é', '##s', 'naïve', '日', '本', 'word'];
const WIDE = [...VOCAB, ...MORE];
const wide = buildBertTokenizer(WIDE);
const wideDecode = (t: readonly number[]) => wide.decode(t);
const w = (text: string) => text.split(' ').map((t) => WIDE.indexOf(t));

describe('ContinuationText: what earlier context does to the text', () => {
  const cases: [prompt: string, continuation: string, text: string, why: string][] = [
    ['[CLS] he said caf', '##é ##s , naïve .', 'és, naïve.', 'a continuation that starts mid-word, with accents'],
    ['[CLS] the', "story ( yes ) ! it ' s $ 5 ?", " story (yes)! it's $5?", 'punctuation spacing and a contraction'],
    ['[CLS] he do', "n't .", "n't.", "WordPiece's decoder joins n't to the word before"],
    ["[CLS] it '", 's fine .', ' s fine.', "the prompt's `it '` becomes `it's`: the continuation is read alone"],
    ['[CLS] he said " yes', ', fine " he said .', ', fine" he said.', 'a quote opened in the prompt closes in the continuation'],
    ['[CLS] 日', '本 word [SEP] [PAD] ##s', ' 本 words', 'special tokens left out, a piece joined across them'],
    ['', "it ' s .", "it's.", 'no prompt'],
  ];
  for (const [prompt, continuation, text, why] of cases) {
    it(why, async () => {
      const promptIds = prompt === '' ? [] : w(prompt);
      assert.equal(await ContinuationText.of(wideDecode, promptIds, w(continuation)), text);
      const streamed = new ContinuationText(wideDecode, promptIds);
      const pieces: string[] = [];
      for (const t of w(continuation)) pieces.push(await streamed.push(t));
      pieces.push(await streamed.end());
      assert.equal(pieces.join(''), text, JSON.stringify(pieces));
    });
  }

  it('releases a piece once two more words follow it', async () => {
    const text = new ContinuationText(wideDecode, w('[CLS] the'));
    const pieces: string[] = [];
    for (const t of w("story ( yes ) ! it ' s $ 5 ?")) pieces.push(await text.push(t));
    pieces.push(await text.end());
    // after `it`: " story" (2 words follow); after `'`: " (yes)!"; `it ' s` then rewrites the held words
    assert.deepEqual(pieces, ['', '', '', '', '', ' story', ' (yes)!', '', '', '', '', " it's $5?"]);
  });

  it('a quote opened in the prompt closes after a long continuation', async () => {
    const words = Array.from({ length: 60 }, () => 'word').join(' ');
    const expected = ` ${words}" he said.`; // `"word` is the prompt's; the quote closes on the last `word`
    const continuation = w(`${words} " he said .`);
    assert.equal(await ContinuationText.of(wideDecode, w('[CLS] he said " word'), continuation), expected);
    const text = new ContinuationText(wideDecode, w('[CLS] he said " word'));
    const pieces: string[] = [];
    for (const t of continuation) pieces.push(await text.push(t));
    pieces.push(await text.end());
    assert.equal(pieces.join(''), expected);
  });
});

/**
 * The pieces the whole computation releases: after each token the text (`ContinuationText.of`, the
 * prompt and all the tokens decoded) less its last two words, when that extends what was released;
 * the rest at the end. The streaming rule as it was before the window (a plain reference).
 */
async function wholePieces(decode: (t: readonly number[]) => Promise<string>, prompt: readonly number[], tokens: readonly number[]) {
  let released = '';
  const release = (text: string) => {
    if (!text.startsWith(released) || text.length <= released.length) return '';
    const piece = text.slice(released.length);
    released = text;
    return piece;
  };
  const pieces: string[] = [];
  for (let k = 1; k <= tokens.length; k++) {
    const text = await ContinuationText.of(decode, prompt, tokens.slice(0, k));
    const held = text.match(/(\s+\S+){0,2}\s*$/)?.[0] ?? '';
    pieces.push(release(text.slice(0, text.length - held.length)));
  }
  pieces.push(release(await ContinuationText.of(decode, prompt, tokens)));
  return pieces;
}

describe('ContinuationText decodes a window', () => {
  it('releases the pieces the whole computation releases, on random token sequences', async () => {
    // tokens drawn with the punctuation, quotes, apostrophes, `##` pieces and special tokens whose rules read context
    let s = 7;
    const next = (n: number) => (s = (s * 1103515245 + 12345) % 2147483648) % n;
    const draw = (n: number) => Array.from({ length: n }, () => next(WIDE.length));
    for (let trial = 0; trial < 150; trial++) {
      const prompt = draw(next(8));
      const tokens = draw(1 + next(40));
      const text = new ContinuationText(wideDecode, prompt);
      const pieces: string[] = [];
      for (const t of tokens) pieces.push(await text.push(t));
      pieces.push(await text.end());
      const where = `prompt ${JSON.stringify(prompt.map((i) => WIDE[i]))}, tokens ${JSON.stringify(tokens.map((i) => WIDE[i]))}`;
      assert.deepEqual(pieces, await wholePieces(wideDecode, prompt, tokens), where);
      assert.equal(await text.text(), await ContinuationText.of(wideDecode, prompt, tokens), where);
    }
  });

  it('decodes a bounded number of ids per token, however long the prompt and the continuation', async () => {
    const calls: number[] = []; // ids per decode call
    const counted = (t: readonly number[]) => {
      calls.push(t.length);
      return wide.decode(t);
    };
    const sentence = w('he said " it \' s fine , ( yes ) ! " word ##s caf ##é do n\'t .');
    const prompt = [WIDE.indexOf('[CLS]'), ...Array.from({ length: 50 }, () => sentence).flat()];
    const tokens = Array.from({ length: 100 }, () => sentence).flat(); // 2,000 tokens
    const text = new ContinuationText(counted, prompt);
    const perToken: number[] = [];
    const pieces: string[] = [];
    for (const t of tokens) {
      const before = calls.length;
      pieces.push(await text.push(t));
      perToken.push(calls.slice(before).reduce((a, b) => a + b, 0));
    }
    pieces.push(await text.end());
    assert.equal(pieces.join(''), await ContinuationText.of(wideDecode, prompt, tokens));
    const first = perToken.slice(100, 200);
    const last = perToken.slice(-100);
    assert.ok(Math.max(...perToken.slice(1)) <= 12, `ids decoded per token: at most ${Math.max(...perToken.slice(1))}`);
    assert.equal(
      last.reduce((a, b) => a + b, 0),
      first.reduce((a, b) => a + b, 0),
      'the last 100 tokens decode as many ids as tokens 100-199 (the same sentence of 20 tokens, repeated)',
    );
  });
});

describe('TextGenerator with a WordPiece tokenizer.json', () => {
  it('prints the continuation as ContinuationText reads it, streamed and whole', async () => {
    const dir = writeHfFolder(path.join(root, 'gpt2'), 'gpt2', 'vocab.txt');
    tokenizerFromFolder(dir).save(path.join(dir, 'tokenizer.json')); // WordPiece's decoder, named in the file
    rmSync(path.join(dir, 'vocab.txt'));
    using generator = TextGenerator.load(dir);
    assert.equal(generator.tokenizer.decoderType, 'WordPiece');
    const pieces: string[] = [];
    const result = await generator.generate('play some jazz', { maxNewTokens: 8 }, (p) => void pieces.push(p));
    const { ids: promptIds } = await generator.encodePrompt('play some jazz');
    const own = (t: readonly number[]) => generator.tokenizer.decode(t);
    assert.equal(result.text, await ContinuationText.of(own, promptIds, result.tokens));
    assert.equal(pieces.join(''), result.text);
    assert.ok(!result.text.includes('##'), result.text);
  });
});
