/**
 * How well a WordPiece vocabulary learned as `examples/multi30k-t5.yaml` says (8,000 tokens, cased,
 * min_frequency 2) covers Multi30k's German: learned from the English inputs only (what `tokenizer.train`
 * read before 968cee8) and from inputs + targets (what it reads since). Prints, per arm and per
 * language of the val split: [UNK] share of tokens, words encoded as [UNK], tokens per word.
 *
 *   node --import tsx scripts/results/issue13-multi30k-vocabulary.ts ../shared/datasets/multi30k
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainWordPiece } from '../../src/tokenization/index.js';
import type { Tokenizer } from '../../src/tokenization/index.js';

const dir = process.argv[2] ?? '../shared/datasets/multi30k';
const lines = (name: string) =>
  readFileSync(join(dir, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
const options = { vocabSize: 8000, minFrequency: 2, lowercase: false };

/** [UNK] share of word-piece tokens, share of whitespace words holding an [UNK], and tokens per word. */
async function coverage(tok: Tokenizer, texts: readonly string[]) {
  const unk = tok.unkId;
  let tokens = 0,
    unks = 0,
    words = 0,
    unkWords = 0;
  for (const text of texts) {
    for (const word of text.split(/\s+/).filter((w) => w !== '')) {
      const ids = (await tok.encode(word)).inputIds.filter((id) => id !== tok.clsId && id !== tok.sepId);
      words += 1;
      tokens += ids.length;
      const u = ids.filter((id) => id === unk).length;
      unks += u;
      if (u > 0) unkWords += 1;
    }
  }
  return { unkTokenShare: unks / tokens, unkWordShare: unkWords / words, tokensPerWord: tokens / words, words };
}

const trainEn = lines('train.en'),
  trainDe = lines('train.de');
const arms: Record<string, Tokenizer> = {
  'before (inputs only)': trainWordPiece(trainEn, options),
  'after (inputs + targets)': trainWordPiece([...trainEn, ...trainDe], options),
};
for (const [arm, tok] of Object.entries(arms)) {
  for (const lang of ['de', 'en']) {
    const c = await coverage(tok, lines(`val.${lang}`));
    console.log(JSON.stringify({ arm, lang, vocab: tok.vocabSize, ...c }));
  }
  const sample = lines('train.de').slice(0, 3);
  for (const s of sample) {
    const ids = (await tok.encode(s)).inputIds;
    console.log(`  ${arm}: ${ids.map((i) => tok.idToToken(i)).join(' ')}`);
  }
}

// Lengths in tokens under the learned vocabulary (with [CLS]/[SEP]; sources with the task's prefix), to choose max_length.
const after = arms['after (inputs + targets)']!;
const percentiles = async (texts: readonly string[]) => {
  const n = (await after.encodeBatch(texts)).map((e) => e.inputIds.length).sort((a, b) => a - b);
  const at = (p: number) => n[Math.min(n.length - 1, Math.floor(p * n.length))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), p999: at(0.999), max: n[n.length - 1] };
};
console.log(JSON.stringify({ train_source_tokens: await percentiles(trainEn.map((t) => `translate English to German: ${t}`)) }));
console.log(JSON.stringify({ train_target_tokens: await percentiles(trainDe) }));
