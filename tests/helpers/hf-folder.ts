/**
 * Tiny Hugging Face model folders for tests, made from the committed fixtures (weights under
 * Hugging Face's names, written by scripts/fixtures/bert.py and families.py) and a vocabulary of
 * the fixtures' 99 ids in one of the tokenizer formats a folder may ship: tokenizer.json, vocab.txt
 * (WordPiece) or vocab.json + merges.txt (byte-level BPE).
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenizerFromFolder } from '../../src/tokenization/index.js';
import { loadFixture } from './load-fixture.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The words of the tiny vocabularies (and of `tinyTexts`). */
export const WORDS = [
  'play',
  'some',
  'jazz',
  'music',
  'song',
  'album',
  'on',
  'spotify',
  'radio',
  'loud',
  'book',
  'a',
  'table',
  'for',
  'two',
  'at',
  'seven',
  'tonight',
  'restaurant',
  'dinner',
  'what',
  'is',
  'the',
  'weather',
  'in',
  'paris',
  'rain',
  'sunny',
  'cold',
  'tomorrow',
];

/**
 * The tokenizer files of a folder: tokenizer.json (made from the family's kind of vocabulary: byte-level
 * BPE for RoBERTa and XLM-R, WordPiece for the others), vocab.txt, or vocab.json + merges.txt ('bpe').
 */
export type TokenizerFiles = 'tokenizer.json' | 'vocab.txt' | 'bpe';

/** Families whose tokenizer is byte-level BPE with RoBERTa's special tokens. */
const BPE_FAMILIES = ['roberta', 'xlm-roberta', 'gpt2', 'llama', 'qwen2', 'mistral'];
export type WeightFiles = 'model.safetensors' | 'pytorch_model.bin';

/** WordPiece vocab.txt lines: BERT's special tokens, the words, then filler up to `size` tokens. */
function wordPieceVocab(size: number): string[] {
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS];
  for (let i = 0; vocab.length < size; i++) vocab.push(`##x${i}`);
  return vocab;
}

/**
 * Byte-level BPE files: RoBERTa's `<s> <pad> </s> <unk>` at ids 0–3 (pad 1, as the fixtures' config),
 * the letters and Ġ (the space byte), merges that spell the first words, `<mask>` last; `size` tokens.
 */
function bpeFiles(size: number): { vocab: Record<string, number>; merges: string[] } {
  const tokens = ['<s>', '<pad>', '</s>', '<unk>', 'Ġ', ...'abcdefghijklmnopqrstuvwxyz'];
  const merges: string[] = [];
  for (const word of WORDS) {
    let piece = 'Ġ';
    for (const ch of word) {
      if (tokens.length >= size - 1) break;
      const next = piece + ch;
      if (!tokens.includes(next)) {
        tokens.push(next);
        merges.push(`${piece} ${ch}`);
      }
      piece = next;
    }
  }
  tokens.push('<mask>');
  return { vocab: Object.fromEntries(tokens.map((t, i) => [t, i])), merges };
}

/** Decoder families, whose fixtures come from decoders.json. */
const DECODER_FAMILIES = ['gpt2', 'llama', 'qwen2', 'mistral'];

/** The fixture config.json of a family ('bert' from bert.json, decoders from decoders.json, the others from families.json). */
export function fixtureConfig(family: string): Record<string, unknown> {
  if (family === 'bert') return loadFixture<{ config: Record<string, unknown> }>('bert').config;
  const file = DECODER_FAMILIES.includes(family) ? 'decoders' : 'families';
  return (loadFixture<Record<string, { config: Record<string, unknown> }>>(file)[family] as { config: Record<string, unknown> }).config;
}

/**
 * Writes a Hugging Face folder at `dir`: config.json, the fixture weights of `family` (as
 * model.safetensors, or pytorch_model.bin where a torch.save fixture exists), and a tokenizer in
 * `tokenizer` format with as many tokens as the config's vocab_size.
 */
export function writeHfFolder(dir: string, family: string, tokenizer: TokenizerFiles, weights: WeightFiles = 'model.safetensors'): string {
  mkdirSync(dir, { recursive: true });
  const config = fixtureConfig(family);
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  copyFileSync(
    path.join(FIXTURES, weights === 'model.safetensors' ? `${family}-tiny.safetensors` : `${family}-tiny.bin`),
    path.join(dir, weights),
  );
  const size = config.vocab_size as number;
  const bpe = tokenizer === 'bpe' || (tokenizer === 'tokenizer.json' && BPE_FAMILIES.includes(family));
  if (bpe) {
    const { vocab, merges } = bpeFiles(size);
    writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(vocab));
    writeFileSync(path.join(dir, 'merges.txt'), ['#version: 0.2', ...merges].join('\n') + '\n');
  } else {
    writeFileSync(path.join(dir, 'vocab.txt'), wordPieceVocab(size).join('\n') + '\n');
    writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true }));
  }
  if (tokenizer === 'tokenizer.json') {
    tokenizerFromFolder(dir).save(path.join(dir, 'tokenizer.json'));
    for (const f of bpe ? ['vocab.json', 'merges.txt'] : ['vocab.txt']) rmSync(path.join(dir, f)); // tokenizer.json alone
  }
  return dir;
}

/** Tiny CoNLL data: a word of the first ten WORDS is a `B-music` token, every other word `O`. */
export function tinyConll(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3 + (i % 3); j++) {
      const w = WORDS[(i * 7 + j * 3) % WORDS.length]!;
      lines.push(`${w} ${WORDS.indexOf(w) < 10 ? 'B-music' : 'O'}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** A tiny two-class text data set (CSV text,category) from `WORDS`: `n` rows, music vs food vs weather. */
export function tinyCsv(n: number, seed = 0): string {
  const topics = [WORDS.slice(0, 10), WORDS.slice(10, 20), WORDS.slice(20, 30)];
  const names = ['music', 'food', 'weather'];
  const rows = ['text,category'];
  let s = seed + 1;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    const words = Array.from({ length: 3 + (i % 4) }, () => (topics[k] as string[])[Math.floor(rand() * 10)]);
    rows.push(`${words.join(' ')},${names[k]}`);
  }
  return rows.join('\n') + '\n';
}

/**
 * Writes a tiny two-task fine-tuning set-up into `dir`: topic (sequence classification of tinyCsv's
 * texts into their category, first-token pooling: exported as `<Family>ForSequenceClassification`)
 * and slots (token classification of tinyConll's tags), each with train.* (24 examples) and test.*
 * files (9 texts, 6 sentences), and finetune.yaml training both for 4 steps; returns that file.
 */
export function writeTwoTaskFinetune(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'train.csv'), tinyCsv(24));
  writeFileSync(path.join(dir, 'test.csv'), tinyCsv(9, 7));
  writeFileSync(path.join(dir, 'train.conll'), tinyConll(24));
  writeFileSync(path.join(dir, 'test.conll'), tinyConll(6));
  const file = path.join(dir, 'finetune.yaml');
  writeFileSync(
    file,
    `seed: 1
max_length: 16
output_dir: out/unused
tasks:
  - name: topic
    type: sequence-classification
    options: { pooling: cls } # exported as <Family>ForSequenceClassification, which reads the pooled [CLS]
    data: { format: csv, train: train.csv, test: test.csv }
    input: { text: text }
    label: { field: category }
  - name: slots
    type: token-classification
    data: { format: conll, train: train.conll, test: test.conll }
training: { max_steps: 4, batch_size: 8, learning_rate: 1.0e-2, eval_every: 4 }
`,
  );
  return file;
}

/**
 * Respells the token 'q' (a letter no merge uses) of the byte-level BPE tokenizer.json in `dir` as 'Ã':
 * the byte 0xC3 alone, the first byte of a two-byte UTF-8 character (é is C3 A9), so a text that ends
 * in that token ends mid-character and decodes to U+FFFD until more bytes come; returns its id.
 */
export function splitCharacterToken(dir: string): number {
  const file = path.join(dir, 'tokenizer.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { model: { vocab: Record<string, number> } };
  const id = json.model.vocab.q!;
  delete json.model.vocab.q;
  json.model.vocab['Ã'] = id;
  writeFileSync(file, JSON.stringify(json));
  return id;
}
