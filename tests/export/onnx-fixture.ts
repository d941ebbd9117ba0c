/**
 * Tiny fine-tuned checkpoints of each encoder family for the ONNX export tests: a family's fixture
 * Hugging Face folder (tests/helpers/hf-folder.ts) fine-tuned for a few steps on three tasks — topic
 * (sequence classification, first token), slots (token classification) and qa (extractive QA) — and
 * our own outputs on a batch, to compare the exported graphs with.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { modelFromCheckpoint } from '../../src/run/load-model.js';
import { noGrad, tensor, tidy } from '../../src/tensor/index.js';
import { WORDS, tinyConll, tinyCsv, writeHfFolder, type TokenizerFiles } from '../helpers/hf-folder.js';

/** Tiny SQuAD v1.1: "what is played" about a context of WORDS whose answer is its third word. */
function tinySquad(n: number): string {
  const paragraphs = Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: 6 }, (_, j) => WORDS[(i * 5 + j * 7) % WORDS.length]!);
    const context = words.join(' ');
    const answer = words[2]!;
    return {
      context,
      qas: [{ id: `q${i}`, question: 'what is played', answers: [{ text: answer, answer_start: context.indexOf(` ${answer}`) + 1 }] }],
    };
  });
  return JSON.stringify({ version: '1.1', data: [{ title: 'tiny', paragraphs }] });
}

/** Writes the data and the fine-tuning config under `dir`: `steps` optimizer steps, inputs cut to `maxLength` tokens. */
export function writeFinetuneConfig(dir: string, steps: number, maxLength: number): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'train.csv'), tinyCsv(30));
  writeFileSync(path.join(dir, 'train.conll'), tinyConll(24));
  writeFileSync(path.join(dir, 'train.json'), tinySquad(12));
  const config = path.join(dir, `finetune-${steps}-${maxLength}.yaml`);
  writeFileSync(
    config,
    `seed: 1
max_length: ${maxLength}
output_dir: out/unused
tasks:
  - name: topic
    type: sequence-classification
    options: { pooling: cls }
    data: { format: csv, train: train.csv }
    input: { text: text }
    label: { field: category }
  - name: slots
    type: token-classification
    data: { format: conll, train: train.conll }
  - name: qa
    type: extractive-qa
    options: { docStride: 4, maxQuestionLength: 4 }
    data: { format: squad, train: train.json }
training: { max_steps: ${steps}, batch_size: 8, learning_rate: 1.0e-2 }
`,
  );
  return config;
}

/**
 * Fine-tunes the fixture folder of `family` (tokenizer files `tokenizer`) for `steps` steps on inputs of
 * at most `maxLength` tokens and returns the last checkpoint.
 * @throws Error when `mtl finetune` fails.
 */
export async function finetunedCheckpoint(
  dir: string,
  family: string,
  tokenizer: TokenizerFiles,
  steps = 4,
  maxLength = 24,
): Promise<string> {
  const config = writeFinetuneConfig(dir, steps, maxLength);
  const folder = writeHfFolder(path.join(dir, `hf-${family}`), family, tokenizer);
  const out = path.join(dir, `run-${family}`);
  const code = await main(['finetune', folder, config, '--output', out]);
  if (code !== 0) throw new Error(`mtl finetune of the ${family} fixture exited with ${code}`);
  return path.join(out, 'last');
}

/** A batch of rows of ids: (B, T) ids, mask (1 = real) and token types. */
export interface IdBatch {
  readonly ids: number[][];
  readonly mask: number[][];
  readonly types: number[][];
}

/** Rows of real ids (`lengths[i]` of them, from `start`) right-padded with `pad` to the longest; the second half of each row in segment 1. */
export function idBatch(lengths: readonly number[], pad: number, start = 5): IdBatch {
  const T = Math.max(...lengths);
  const ids = lengths.map((n, i) => Array.from({ length: T }, (_, j) => (j < n ? start + ((i * 11 + j * 7) % 90) : pad)));
  const mask = lengths.map((n) => Array.from({ length: T }, (_, j) => (j < n ? 1 : 0)));
  const types = lengths.map((n) => Array.from({ length: T }, (_, j) => (j < n && j >= n / 2 ? 1 : 0)));
  return { ids, mask, types };
}

/** Our outputs on `batch` (flat, row-major): `last_hidden_state` and each task's head output. */
export function ourOutputs(checkpoint: string, batch: IdBatch, withTypes: boolean): Map<string, number[]> {
  using ckpt = loadCheckpoint(checkpoint, { optimizer: false });
  using model = modelFromCheckpoint(ckpt).eval();
  return noGrad(() =>
    tidy(() => {
      const x = {
        inputIds: tensor(batch.ids, { dtype: 'int64' }),
        attentionMask: tensor(batch.mask, { dtype: 'int64' }),
        ...(withTypes ? { tokenTypeIds: tensor(batch.types, { dtype: 'int64' }) } : {}),
      };
      const out = new Map([...model.forward(x, model.taskNames)].map(([k, v]) => [k, v.toFlatArray() as number[]]));
      out.set('last_hidden_state', model.backbone.forward(x).lastHiddenState.toFlatArray() as number[]);
      return out;
    }),
  );
}
