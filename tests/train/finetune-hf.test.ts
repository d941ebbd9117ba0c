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
import { exportHf } from '../../src/export/hf.js';
import { loadSafetensors } from '../../src/io/safetensors.js';
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

/**
 * A SQuAD v1.1 file in the tiny vocabulary's words: "the weather in paris is <w> tomorrow ." with the
 * question "what is the weather in paris tomorrow", `n` paragraphs, the weather drawn from `seed`.
 */
function tinySquad(n: number, seed: number): string {
  const weathers = ['sunny', 'cold', 'rain'];
  const paragraphs = Array.from({ length: n }, (_, i) => {
    const answer = weathers[(i * 7 + seed) % weathers.length]!;
    const context = `play some jazz on the radio . the weather in paris is ${answer} tomorrow . book a table for two .`;
    const question = 'what is the weather in paris tomorrow';
    return {
      context,
      qas: [{ id: `q${seed}-${i}`, question, answers: [{ text: answer, answer_start: context.indexOf(` ${answer} `) + 1 }] }],
    };
  });
  return JSON.stringify({ version: '1.1', data: [{ title: 'weather', paragraphs }] });
}

describe('mtl finetune of a Hugging Face folder for extractive QA (issue 16 item 3: the real use)', () => {
  it("starts from the folder's encoder, trains a span head, answers with character offsets, exports BertForQuestionAnswering", async () => {
    const qa = path.join(dir, 'qa');
    const folder = writeHfFolder(path.join(qa, 'bert'), 'bert', 'tokenizer.json');
    writeFileSync(path.join(qa, 'train.json'), tinySquad(24, 1));
    writeFileSync(path.join(qa, 'dev.json'), tinySquad(6, 2));
    // The encoder at a learning rate too small to move it (AdamW moves a weight by about the rate a
    // step), the head at 1e-2: after the run the encoder must still be the folder's, the head not its init.
    writeFileSync(
      path.join(qa, 'finetune.yaml'),
      `seed: 1
max_length: 32
output_dir: out/unused
tasks:
  - name: qa
    type: extractive-qa
    data: { format: squad, train: train.json, dev: dev.json }
    options: { doc_stride: 8, max_answer_length: 3 }
training: { max_steps: 6, batch_size: 8, learning_rate: 1.0e-2, encoder_learning_rate: 1.0e-12, weight_decay: 0, eval_every: 6 }
`,
    );
    const out = path.join(qa, 'out');
    assert.equal(await main(['finetune', folder, path.join(qa, 'finetune.yaml'), '--output', out]), 0);

    const given = loadSafetensors(path.join(folder, 'model.safetensors')).tensors;
    const trained = loadSafetensors(path.join(out, 'last', 'model.safetensors')).tensors;
    try {
      const encoderNames = [...given.keys()].filter((n) => !n.startsWith('pooler.'));
      assert.ok(encoderNames.length > 30, `${encoderNames.length} encoder tensors`);
      for (const name of encoderNames) {
        const mine = trained.get(name) ?? trained.get(`bert.${name}`);
        assert.ok(mine !== undefined, `${name} in the fine-tuned checkpoint (${[...trained.keys()].slice(0, 4).join(', ')}, …)`);
        const diff = mine.sub(given.get(name)!).abs().max().item() as number;
        assert.ok(diff < 1e-9, `${name} moved by ${diff}: the encoder is the folder's`);
      }
      const head = [...trained.keys()].filter((n) => n.includes('qa_outputs'));
      assert.ok(head.length > 0, `a span head in the checkpoint: ${[...trained.keys()].filter((n) => !given.has(n)).join(', ')}`);
    } finally {
      for (const t of [...given.values(), ...trained.values()]) t.dispose();
    }

    const context = 'the weather in paris is cold tomorrow .';
    const predictor = Predictor.load(path.join(out, 'last'));
    try {
      const [record] = await predictor.predict([{ text: 'what is the weather in paris tomorrow', textPair: context }]);
      const p = record!.predictions.qa as { answer: string; start: number; end: number };
      assert.equal(context.slice(p.start, p.end), p.answer, 'the answer is the context between its offsets');
    } finally {
      predictor.dispose();
    }
    assert.equal(exportHf(path.join(out, 'last'), path.join(qa, 'hf'), { task: 'qa' }).architecture, 'BertForQuestionAnswering');
  });
});
