/**
 * What a sequence-classification head would read from an encoder, before any fine-tuning: for the
 * first N Banking77 test utterances, BERT's pooled [CLS] output (tanh) and the mean token state, each
 * summarised by its mean norm, the share of pooled units in tanh's flat tails (|y| > 0.95, where the
 * gradient 1 − y² is below 0.1) and the mean cosine similarity between two different utterances (1:
 * every input looks the same to the classifier). Used for the transfer report in docs/pretraining.md.
 *
 *   node --import tsx examples/pooling-probe.ts CHECKPOINT... [--scratch] [--n 256]
 *
 * `--scratch` adds a fresh encoder of the first checkpoint's shape (seed 1), as the report's scratch arm starts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { loadCheckpoint } from '../src/io/checkpoint.js';
import { BertModel, bertConfigFromHf } from '../src/models/bert/index.js';
import { meanPool } from '../src/tasks/index.js';
import { manualSeed, noGrad, tensor, tidy, type Tensor } from '../src/tensor/index.js';
import { Tokenizer } from '../src/tokenization/index.js';

const BANKING_TEST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/datasets/banking77/test.csv');
const MAX_LENGTH = 48;

/** Mean norm, share of |y| > 0.95, and mean cosine similarity between different rows of `rows` (N, H). */
function summary(rows: number[][]): { norm: number; saturated: number; cosine: number } {
  const norms = rows.map((r) => Math.hypot(...r));
  const saturated = rows.flat().filter((y) => Math.abs(y) > 0.95).length / rows.flat().length;
  let cosine = 0;
  let pairs = 0;
  for (let i = 0; i < rows.length; i++)
    for (let j = i + 1; j < rows.length; j++, pairs++)
      cosine += rows[i]!.reduce((s, x, k) => s + x * rows[j]![k]!, 0) / (norms[i]! * norms[j]!);
  return { norm: norms.reduce((a, b) => a + b, 0) / rows.length, saturated, cosine: cosine / pairs };
}

/** (N, H) pooled outputs and mean token states of `texts` under `encoder` (evaluation mode, no gradients). */
async function encode(encoder: BertModel, tokenizer: Tokenizer, texts: string[]): Promise<{ pooled: number[][]; mean: number[][] }> {
  const encodings = (await tokenizer.encodeBatch(texts)).map((e) => e.inputIds.slice(0, MAX_LENGTH));
  const T = Math.max(...encodings.map((ids) => ids.length));
  const ids = encodings.map((e) => [...e, ...new Array<number>(T - e.length).fill(tokenizer.padId)]);
  const mask = encodings.map((e) => [...e.map(() => 1), ...new Array<number>(T - e.length).fill(0)]);
  encoder.eval();
  return tidy(() =>
    noGrad(() => {
      const attentionMask = tensor(mask, { dtype: 'int64' }); // (N, T)
      const out = encoder.forward({ inputIds: tensor(ids, { dtype: 'int64' }), attentionMask });
      return {
        pooled: (out.pooledOutput as Tensor).toArray() as number[][],
        mean: meanPool(out.lastHiddenState, attentionMask).toArray() as number[][],
      };
    }),
  );
}

const { values, positionals } = parseArgs({
  options: { scratch: { type: 'boolean', default: false }, n: { type: 'string', default: '256' } },
  allowPositionals: true,
});
const rows = parse(readFileSync(BANKING_TEST, 'utf8'), { columns: true }) as { text: string }[];
const texts = rows.slice(0, Number(values.n)).map((r) => r.text);
const encoders: [string, string][] = positionals.map((dir) => [dir, dir]);
if (values.scratch) encoders.push(['scratch (fresh weights, seed 1)', positionals[0] as string]);
console.log(
  '| encoder | pooled [CLS]: mean norm | share of tanh units with abs > 0.95 | mean cosine | mean token state: mean norm | mean cosine |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [name, dir] of encoders) {
  using ckpt = loadCheckpoint(dir, { optimizer: false });
  manualSeed(1);
  const encoder = new BertModel(bertConfigFromHf(ckpt.encoderConfig));
  if (!name.startsWith('scratch')) encoder.loadStateDict(ckpt.encoder);
  const { pooled, mean } = await encode(encoder, Tokenizer.fromFile(ckpt.tokenizerFile), texts);
  encoder.dispose();
  const [p, m] = [summary(pooled), summary(mean)];
  const f = (x: number) => x.toFixed(2);
  console.log(`| ${name} | ${f(p.norm)} | ${(100 * p.saturated).toFixed(1)} % | ${f(p.cosine)} | ${f(m.norm)} | ${f(m.cosine)} |`);
}
