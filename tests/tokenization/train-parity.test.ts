/**
 * Parity with Hugging Face's WordPieceTrainer: the vocabulary learned here from the SNIPS training
 * utterances has exactly the tokens the Python `tokenizers` trainer learns with the same settings
 * (fixture and the script that made it: ./fixtures/wordpiece_snips.py). Token sets are compared, not
 * ids: the Rust trainer numbers `##c` pieces in hash-map order, which changes from run to run.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BERT_SPECIAL_TOKEN_LIST, countWords, learnWordPieceVocab } from '../../src/tokenization/index.js';
import { needs, readLines } from './helpers.js';

interface ParityCase {
  vocab_size: number;
  min_frequency: number;
  special_ids: Record<string, number>;
  tokens: string[];
}
const fixture = JSON.parse(
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'wordpiece-snips.json'), 'utf8'),
) as {
  tokenizers: string;
  cases: ParityCase[];
};

describe(`WordPiece vocabulary parity with Hugging Face tokenizers ${fixture.tokenizers}`, needs('snips'), () => {
  const counts = countWords(readLines('snips/train/seq.in'));
  for (const c of fixture.cases) {
    test(`SNIPS, vocabSize ${c.vocab_size}, minFrequency ${c.min_frequency}`, () => {
      const vocab = learnWordPieceVocab(counts, {
        vocabSize: c.vocab_size,
        minFrequency: c.min_frequency,
        specialTokens: BERT_SPECIAL_TOKEN_LIST,
        continuingSubwordPrefix: '##',
      });
      assert.deepEqual(Object.fromEntries(BERT_SPECIAL_TOKEN_LIST.map((t) => [t, vocab.indexOf(t)])), c.special_ids);
      const ours = new Set(vocab);
      const theirs = new Set(c.tokens);
      assert.deepEqual(
        { onlyHere: vocab.filter((t) => !theirs.has(t)), onlyHuggingFace: c.tokens.filter((t) => !ours.has(t)) },
        { onlyHere: [], onlyHuggingFace: [] },
      );
      assert.equal(vocab.length, c.tokens.length);
    });
  }
});
