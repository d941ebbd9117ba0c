/**
 * `mtl finetune` of Hugging Face folders: config.json, weights (model.safetensors or pytorch_model.bin)
 * and a tokenizer in each format a folder may ship (tokenizer.json, vocab.txt, vocab.json + merges.txt).
 * Each run trains a few steps, saves a checkpoint, and the checkpoint loads back and predicts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { Predictor } from '../../src/predict/predict.js';
import { tinyCsv, writeHfFolder, type TokenizerFiles, type WeightFiles } from '../helpers/hf-folder.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-finetune-hf-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, 'train.csv'), tinyCsv(24));
writeFileSync(path.join(dir, 'test.csv'), tinyCsv(9, 7));
const FINETUNE = `seed: 1
max_length: 16
output_dir: out/unused
tasks:
  - name: topic
    type: sequence-classification
    data: { format: csv, train: train.csv, test: test.csv }
    input: { text: text }
    label: { field: category }
training: { max_steps: 4, batch_size: 8, learning_rate: 1.0e-3, eval_every: 4 }
`;
writeFileSync(path.join(dir, 'finetune.yaml'), FINETUNE);

/** Runs `mtl finetune` on a fresh folder of `family`; returns the output folder. */
async function finetuneFolder(family: string, tokenizer: TokenizerFiles, weights: WeightFiles = 'model.safetensors'): Promise<string> {
  const name = `${family}-${tokenizer}-${weights}`;
  const folder = writeHfFolder(path.join(dir, name), family, tokenizer, weights);
  const out = path.join(dir, 'out', name);
  const code = await main(['finetune', folder, path.join(dir, 'finetune.yaml'), '--output', out]);
  assert.equal(code, 0);
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json'])
    assert.ok(existsSync(path.join(out, 'last', f)), `${name}: last/${f}`);
  const predictor = Predictor.load(path.join(out, 'last'));
  try {
    const [record] = await predictor.predict(['play some jazz']);
    assert.ok(
      ['music', 'food', 'weather'].includes((record?.predictions.topic as { label: string }).label),
      `${name}: a label of the task`,
    );
  } finally {
    predictor.dispose();
  }
  return out;
}

describe('mtl finetune of a Hugging Face folder', () => {
  const runs: [string, TokenizerFiles, WeightFiles?][] = [
    ['bert', 'vocab.txt'],
    ['bert', 'tokenizer.json'],
    ['roberta', 'bpe'],
    ['xlm-roberta', 'tokenizer.json'],
    ['distilbert', 'vocab.txt', 'pytorch_model.bin'],
    ['electra', 'tokenizer.json'],
  ];
  for (const [family, tokenizer, weights] of runs) {
    const files = tokenizer === 'bpe' ? 'vocab.json + merges.txt' : tokenizer;
    it(`${family} with ${files} and ${weights ?? 'model.safetensors'}: trains, saves, loads back and predicts`, async () => {
      const out = await finetuneFolder(family, tokenizer, weights);
      const config = JSON.parse(readFileSync(path.join(out, 'last', 'config.json'), 'utf8')) as { model_type: string };
      assert.equal(config.model_type, family, 'the checkpoint keeps the family');
    });
  }
});
