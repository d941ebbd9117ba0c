/**
 * The task folders of `mtl export --format onnx` as transformers.js (`@huggingface/transformers`)
 * reads them, offline from the local folder (env.allowRemoteModels = false): its text-classification
 * pipeline gives the labels and scores `mtl predict` prints (scores within 1e-4), and its
 * token-classification pipeline the tags `mtl predict` prints, with the probabilities of our own
 * forward. Checked for a WordPiece (BERT) and a byte-level BPE (RoBERTa) tokenizer, whose
 * tokenizer.json transformers.js must read into the same ids as ours. The texts fit max_length (48):
 * truncated, transformers.js 4.3 cuts the final `</s>` / `[SEP]` off where our tokenizer (as Transformers
 * in Python) keeps it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it, mock } from 'node:test';
import { AutoTokenizer, env, pipeline } from '@huggingface/transformers';
import { main } from '../../src/cli/main.js';
import { exportOnnx } from '../../src/export/onnx/export.js';
import { Tokenizer } from '../../src/tokenization/index.js';
import type { TokenizerFiles } from '../helpers/hf-folder.js';
import { finetunedCheckpoint, ourOutputs } from './onnx-fixture.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-onnx-tjs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
env.allowRemoteModels = false;
env.cacheDir = path.join(dir, 'transformers-cache');

const TEXTS = [
  'play some jazz music on spotify',
  'book a table for two tonight',
  'what is the weather in paris tomorrow',
  'loud radio song album',
  'dinner at seven restaurant',
  'rain cold sunny',
];

interface Predicted {
  text: string;
  predictions: { topic: { label: string; score: number }; slots: { tags: string[]; words: string[] } };
}

/** `mtl predict CHECKPOINT ...TEXTS`'s records, read from what it prints. */
async function mtlPredict(checkpoint: string): Promise<Predicted[]> {
  const lines: string[] = [];
  const log = mock.method(console, 'log', (...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    assert.equal(await main(['predict', checkpoint, ...TEXTS]), 0);
  } finally {
    log.mock.restore();
  }
  return lines.map((l) => JSON.parse(l) as Predicted);
}

/** Families, their tokenizer files, and the fine-tuning steps after which their topic head tells topics apart. */
const FAMILIES: [family: string, tokenizer: TokenizerFiles, steps: number][] = [
  ['bert', 'vocab.txt', 40],
  ['roberta', 'bpe', 120],
];

describe('transformers.js pipelines on the exported task folders give what mtl predict gives', () => {
  for (const [family, tokenizerFiles, steps] of FAMILIES) {
    describe(family, () => {
      let checkpoint: string;
      let predicted: Predicted[];
      const tasks = path.join(dir, 'onnx', family, 'tasks');

      it(`fine-tunes (${steps} steps) and exports`, async () => {
        checkpoint = await finetunedCheckpoint(path.join(dir, family), family, tokenizerFiles, steps, 48);
        exportOnnx(checkpoint, path.join(dir, 'onnx', family));
        predicted = await mtlPredict(checkpoint);
        env.localModelPath = tasks;
      });

      it("reads tokenizer.json into our tokenizer's ids", async () => {
        const theirs = await AutoTokenizer.from_pretrained('topic');
        const ours = Tokenizer.fromFile(path.join(checkpoint, 'tokenizer.json'));
        for (const text of TEXTS) assert.deepEqual(Array.from(theirs.encode(text)), [...(await ours.encode(text)).inputIds], text);
      });

      it('text-classification: the same label and score for every text', async () => {
        const classify = await pipeline('text-classification', 'topic', { dtype: 'fp32' });
        const results = (await classify(TEXTS)) as { label: string; score: number }[];
        results.forEach((r, i) => {
          const mine = predicted[i]!.predictions.topic;
          assert.equal(r.label, mine.label, TEXTS[i]);
          assert.ok(Math.abs(r.score - mine.score) < 1e-4, `${TEXTS[i]}: ${r.score} vs ${mine.score}`);
        });
        assert.ok(new Set(results.map((r) => r.label)).size > 1, 'the fine-tuned head tells topics apart (else labels prove little)');
        await classify.dispose();
      });

      if (family === 'bert') {
        it("token-classification: each word's tag as mtl predict's, its score our forward's probability", async () => {
          const tag = await pipeline('token-classification', 'slots', { dtype: 'fp32' });
          const ours = Tokenizer.fromFile(path.join(checkpoint, 'tokenizer.json'));
          const seen = new Set<string>();
          for (const [i, text] of TEXTS.entries()) {
            const tokens = (await tag(text, { ignore_labels: [] })) as { entity: string; score: number; index: number }[];
            const mine = predicted[i]!.predictions.slots;
            assert.deepEqual(
              tokens.map((t) => t.entity),
              mine.tags,
              text,
            );
            const ids = [...(await ours.encode(text)).inputIds];
            const logits = ourOutputs(checkpoint, { ids: [ids], mask: [ids.map(() => 1)], types: [ids.map(() => 0)] }, true).get('slots')!;
            const C = logits.length / ids.length;
            for (const t of tokens) {
              const row = logits.slice(t.index * C, (t.index + 1) * C);
              const max = Math.max(...row);
              const p = 1 / row.reduce((s, x) => s + Math.exp(x - max), 0); // softmax of the largest
              assert.ok(Math.abs(t.score - p) < 1e-4, `${text} token ${t.index}: ${t.score} vs ${p}`);
              seen.add(t.entity);
            }
          }
          assert.ok(seen.size > 1, 'the fine-tuned tagger tells tags apart');
          await tag.dispose();
        });
      }
    });
  }
});
