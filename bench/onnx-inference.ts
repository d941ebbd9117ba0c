/**
 * Inference of one multi-task checkpoint side by side: our model (libtorch, inference mode) against
 * onnxruntime-node on the graph `mtl export --format onnx` writes from it, same weights and token ids,
 * both on one thread, alternating, median of `--repeats` timed runs after a warm-up. The checkpoint is a
 * BERT of `--layers` × `--hidden` trained one step from scratch (its weights' values do not change the
 * cost) with two heads (sequence and token classification), so one encoder pass serves both.
 * Usage: node --import tsx bench/onnx-inference.ts [--layers 4] [--hidden 256] [--length 32] [--repeats 20]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { main } from '../src/cli/main.js';
import { exportOnnx } from '../src/export/onnx/export.js';
import { loadCheckpoint } from '../src/io/checkpoint.js';
import { modelFromCheckpoint } from '../src/run/load-model.js';
import { inferenceMode, setNumThreads, tensor, tidy } from '../src/tensor/index.js';

const { values } = parseArgs({
  options: {
    layers: { type: 'string', default: '4' },
    hidden: { type: 'string', default: '256' },
    length: { type: 'string', default: '32' },
    repeats: { type: 'string', default: '20' },
  },
});
const [layers, hidden, T, repeats] = [values.layers, values.hidden, values.length, values.repeats].map(Number) as [
  number,
  number,
  number,
  number,
];
const dir = mkdtempSync(path.join(tmpdir(), 'mtl-bench-onnx-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** A tiny two-task data set and a from-scratch config of the chosen size. */
function writeRun(): string {
  const words = 'play some jazz music on the radio book a table for two tonight what is the weather in paris'.split(' ');
  const rows = Array.from({ length: 64 }, (_, i) => Array.from({ length: 6 + (i % 5) }, (_, j) => words[(i * 7 + j * 3) % words.length]));
  writeFileSync(path.join(dir, 'train.csv'), ['text,label', ...rows.map((r, i) => `${r.join(' ')},${['a', 'b', 'c'][i % 3]}`)].join('\n'));
  writeFileSync(path.join(dir, 'train.conll'), rows.map((r) => r.map((w, j) => `${w} ${j % 2 ? 'O' : 'B-x'}`).join('\n')).join('\n\n'));
  writeFileSync(
    path.join(dir, 'config.yaml'),
    `seed: 1
output_dir: ${path.join(dir, 'run')}
encoder: { model_type: bert, hidden_size: ${hidden}, num_hidden_layers: ${layers}, num_attention_heads: ${hidden / 64}, intermediate_size: ${hidden * 4}, max_position_embeddings: ${Math.max(64, T)} }
tokenizer: { train: { vocab_size: 200, min_frequency: 1 } }
max_length: ${T}
tasks:
  - { name: intent, type: sequence-classification, options: { pooling: cls }, data: { format: csv, train: train.csv }, input: { text: text }, label: { field: label } }
  - { name: slots, type: token-classification, data: { format: conll, train: train.conll } }
training: { max_steps: 1, batch_size: 8 }
`,
  );
  return path.join(dir, 'config.yaml');
}

async function measure(): Promise<void> {
  if ((await main(['train', writeRun()])) !== 0) throw new Error('mtl train failed');
  const checkpoint = path.join(dir, 'run', 'last');
  exportOnnx(checkpoint, path.join(dir, 'onnx'));
  setNumThreads(1);
  using ckpt = loadCheckpoint(checkpoint, { optimizer: false });
  using model = modelFromCheckpoint(ckpt).eval();
  const session = await ort.InferenceSession.create(path.join(dir, 'onnx', 'onnx', 'model.onnx'), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const rows: string[] = [];
  const V = Number(ckpt.encoderConfig.vocab_size);
  for (const B of [1, 32]) {
    const ids = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => 5 + ((b * 13 + t * 7) % (V - 5))));
    const mask = ids.map((r) => r.map(() => 1));
    const ours = () =>
      inferenceMode(() =>
        tidy(
          () =>
            void model.forward(
              { inputIds: tensor(ids, { dtype: 'int64' }), attentionMask: tensor(mask, { dtype: 'int64' }) },
              model.taskNames,
            ),
        ),
      );
    const int64 = (a: number[][]) =>
      new ort.Tensor(
        'int64',
        BigInt64Array.from(a.flat(), (v) => BigInt(v)),
        [B, T],
      );
    const feeds = { input_ids: int64(ids), attention_mask: int64(mask), token_type_ids: int64(ids.map((r) => r.map(() => 0))) };
    const theirs = () => session.run(feeds);
    const times: [number[], number[]] = [[], []];
    for (let i = 0; i < repeats + 3; i++) {
      let t0 = performance.now();
      ours();
      const a = performance.now() - t0;
      t0 = performance.now();
      await theirs();
      const b = performance.now() - t0;
      if (i < 3) continue; // warm-up
      times[0].push(a);
      times[1].push(b);
    }
    const [m0, m1] = times.map(median) as [number, number];
    rows.push(`| ${B} × ${T} | ${m0.toFixed(2)} | ${m1.toFixed(2)} | ${(m0 / m1).toFixed(2)} |`);
  }
  await session.release();
  console.log(
    `BERT ${layers} × ${hidden}, two heads, one thread each; ${cpus().length} × ${cpus()[0]?.model}; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  console.log('| batch × tokens | ours (ms, median) | onnxruntime-node (ms, median) | ours / ort |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

try {
  await measure();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
