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
