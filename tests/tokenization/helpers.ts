/**
 * Helpers for the tokenization tests: the shared data sets, a temporary folder, and a hand-written
 * tokenizer.json whose ids can be derived by hand.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASETS } from '../helpers/datasets.js';

export { needs } from '../helpers/datasets.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Non-empty lines of a data file under the datasets folder (tests/helpers/datasets.ts), trimmed. */
export function readLines(relative: string): string[] {
  return readFileSync(path.join(DATASETS, relative), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** The `text` field of each line of a CLUENER JSON Lines file. */
export function readCluener(relative: string): string[] {
  return readLines(relative).map((l) => (JSON.parse(l) as { text: string }).text);
}

/** A fresh temporary folder and a function that deletes it. */
export function tempFolder(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-tokenization-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The tiny vocabulary of the hand-written tokenizer: the id of a token is its index. */
export const TINY_VOCAB = [
  '[PAD]', // 0
  '[UNK]', // 1
  '[CLS]', // 2
  '[SEP]', // 3
  '[MASK]', // 4
  'the', // 5
  'play', // 6
  '##ing', // 7
  '##s', // 8
  'music', // 9
  '!', // 10
  'un', // 11
  '##believ', // 12
  '##able', // 13
  'a', // 14
  'cafe', // 15
  '中', // 16
];

/**
 * A minimal tokenizer.json written by hand (BERT normalizer, pre-tokenizer, WordPiece over
 * TINY_VOCAB, BERT post-processor), without the special tokens named in `omit`.
 */
export function tinyTokenizerJson(options: { omit?: string[]; truncation?: number } = {}): string {
  const vocab = TINY_VOCAB.filter((t) => !(options.omit ?? []).includes(t));
  const special = vocab.slice(0, 5).filter((t) => t.startsWith('['));
  return JSON.stringify({
    version: '1.0',
    truncation: options.truncation ? { direction: 'Right', max_length: options.truncation, strategy: 'LongestFirst', stride: 0 } : null,
    padding: null,
    added_tokens: special.map((content) => ({
      id: vocab.indexOf(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', vocab.indexOf('[SEP]')], cls: ['[CLS]', vocab.indexOf('[CLS]')] },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  });
}
