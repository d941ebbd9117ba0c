/**
 * Features for a layer-wise linear probe (scripts/layer_probe.py): the mean token state after the
 * embeddings and after each transformer layer of a BERT checkpoint's encoder, for every Banking77 train
 * and test utterance (evaluation mode, no gradients), written as JSON { train, test: { labels, layers } },
 * layers (L + 1, N, H). How much of what a few-shot intent classifier needs each layer keeps: used for the
 * transfer report (docs/results/issue15-transfer.md).
 *
 *   node --import tsx examples/layer-probe.ts CHECKPOINT OUT.json [--scratch]
 *   /usr/bin/python3 scripts/layer_probe.py OUT.json
 *
 * `--scratch`: fresh weights of the checkpoint's shape (seed 1), as the report's scratch arm starts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { loadCheckpoint } from '../src/io/checkpoint.js';
import { BertModel, bertConfigFromHf } from '../src/models/bert/index.js';
import { attentionBias } from '../src/models/bert/attention.js';
import { meanPool } from '../src/tasks/index.js';
import { manualSeed, noGrad, tensor, tidy } from '../src/tensor/index.js';
import { Tokenizer } from '../src/tokenization/index.js';

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/datasets/banking77');
const MAX_LENGTH = 64;
const { values, positionals } = parseArgs({ options: { scratch: { type: 'boolean', default: false } }, allowPositionals: true });
const [dir, out] = positionals as [string, string];
using ckpt = loadCheckpoint(dir, { optimizer: false });
manualSeed(1);
const encoder = new BertModel(bertConfigFromHf(ckpt.encoderConfig));
if (!values.scratch) encoder.loadStateDict(ckpt.encoder);
encoder.eval();
const tokenizer = Tokenizer.fromFile(ckpt.tokenizerFile);
const result: Record<string, { labels: string[]; layers: number[][][] }> = {};
for (const split of ['train', 'test']) {
  const rows = parse(readFileSync(path.join(DATA, `${split}.csv`), 'utf8'), { columns: true }) as { text: string; category: string }[];
  const layers: number[][][] = [];
  for (let start = 0; start < rows.length; start += 256) {
    const texts = rows.slice(start, start + 256).map((r) => r.text);
    const encodings = (await tokenizer.encodeBatch(texts)).map((e) => e.inputIds.slice(0, MAX_LENGTH));
    const T = Math.max(...encodings.map((ids) => ids.length));
    const ids = encodings.map((e) => [...e, ...new Array<number>(T - e.length).fill(tokenizer.padId)]);
    const mask = encodings.map((e) => [...e.map(() => 1), ...new Array<number>(T - e.length).fill(0)]);
    const perLayer = tidy(() =>
      noGrad(() => {
        const attentionMask = tensor(mask, { dtype: 'int64' });
        let h = encoder.embeddings.forward(tensor(ids, { dtype: 'int64' }));
        const bias = attentionBias(attentionMask, encoder.config.numAttentionHeads, h.dtype);
        const pooled = [meanPool(h, attentionMask).toArray() as number[][]];
        for (const layer of encoder.layers()) {
          h = layer.forward(h, bias);
          pooled.push(meanPool(h, attentionMask).toArray() as number[][]);
        }
        return pooled;
      }),
    );
    perLayer.forEach((p, i) => (layers[i] = [...(layers[i] ?? []), ...p]));
  }
  result[split] = { labels: rows.map((r) => r.category), layers };
}
writeFileSync(out, JSON.stringify(result));
