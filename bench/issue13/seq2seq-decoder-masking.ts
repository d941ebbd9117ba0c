/**
 * Negative controls of the decoder-only seq2seq masking (issue 13; docs/results/issue13-seq2seq-decoder.md):
 * the run of tests/tasks/seq2seq-decoder-run.test.ts (a GPT-2 of 2 layers × 64 from scratch learns to
 * reverse 3–5 of 8 letters; 2,000 training pairs, 60 dev pairs, 600 steps of 32, seed 5) with the
 * task's labels as built (`correct`) or broken on purpose in collation:
 *   `shifted`: every label one position early (the next-token shift applied twice);
 *   `no-eos`: the final end token out of the loss (the model is never taught to stop);
 *   `prompt`: the prompt in the loss too (labels = input ids on every real token).
 *   node --import tsx bench/issue13/seq2seq-decoder-masking.ts MODE [STEPS]
 * Prints one JSON line: mode, steps, dev exact match and F1 of greedy generation, the last logged
 * training loss, wall seconds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readMetrics } from '../../src/io/checkpoint.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { seq2seq, taskTypes, type Features } from '../../src/tasks/index.js';
import { longest, paddedInt64 } from '../../src/tasks/features.js';
import { train } from '../../src/train/trainer.js';

const [mode = 'correct', stepsArg = '600'] = process.argv.slice(2);
const LABELS: Record<string, ((f: Features) => number[]) | undefined> = {
  correct: undefined,
  shifted: (f) => [...f.labels!.slice(1), -100],
  'no-eos': (f) => f.labels!.map((y, t) => (t === f.labels!.length - 1 ? -100 : y)),
  prompt: (f) => [...f.inputIds],
};
if (!(mode in LABELS)) throw new Error(`MODE must be one of ${Object.keys(LABELS).join(', ')}, got ${mode}`);
const relabel = LABELS[mode];
if (relabel !== undefined) {
  const collate = seq2seq.collate.bind(seq2seq);
  seq2seq.collate = (task, features, inputs) => {
    const batch = collate(task, features, inputs);
    if (batch.labels === undefined) return batch;
    batch.labels.dispose();
    return { ...batch, labels: paddedInt64(features.length, longest(features), -100, (i) => relabel(features[i]!)) };
  };
}

/** "source\ttarget" lines: 3–5 random letters of a–h, then the same reversed (an LCG, as the test's). */
function reversals(n: number, seed: number): string {
  let s = seed;
  const uniform = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const letters = 'abcdefgh';
  const rows = Array.from({ length: n }, () => {
    const w = Array.from({ length: 3 + Math.floor(uniform() * 3) }, () => letters[Math.floor(uniform() * 8)]!);
    return `${w.join(' ')}\t${w.toReversed().join(' ')}`;
  });
  return ['source\ttarget', ...rows, ''].join('\n');
}

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-s2s-masking-'));
writeFileSync(path.join(dir, 'train.tsv'), reversals(2000, 1));
writeFileSync(path.join(dir, 'dev.tsv'), reversals(60, 2));
const steps = Number(stepsArg);
const config = parseTrainingConfig(
  `seed: 5
output_dir: out
encoder: { model_type: gpt2, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 256,
           max_position_embeddings: 32, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }
tokenizer: { train: { vocab_size: 48, min_frequency: 1 } }
max_length: 20
tasks:
  - { name: reverse, type: seq2seq, data: { format: tsv, train: train.tsv, dev: dev.tsv }, input: { text: source },
      label: { field: target }, options: { prefix: "reverse: ", metrics: [squad], max_target_length: 8 } }
training: { max_steps: ${steps}, batch_size: 32, learning_rate: 2.0e-3, warmup_steps: 20, eval_every: ${steps}, log_every: 100 }
`,
  { taskTypes, source: path.join(dir, 'config.yaml') },
);
const started = performance.now();
try {
  await train(config, {});
  const records = readMetrics(path.join(dir, 'out', 'metrics.jsonl'));
  const dev = (records.filter((m) => m.split === 'dev').at(-1)!.metrics as Record<string, Record<string, number>>).reverse!;
  const loss = records.filter((m) => m.type === 'train').at(-1)!.loss;
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ mode, steps, exactMatch: dev.exactMatch, f1: dev.f1, loss, seconds }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
