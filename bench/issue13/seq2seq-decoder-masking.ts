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
import { seq2seq, type Features } from '../../src/tasks/index.js';
import { longest, paddedInt64 } from '../../src/tasks/features.js';
import { train } from '../../src/train/trainer.js';
import { reversalPairs, reverseRunConfig } from '../../tests/tasks/seq2seq-decoder-fixture.js';

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

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-s2s-masking-'));
writeFileSync(path.join(dir, 'train.tsv'), reversalPairs(2000, 1));
writeFileSync(path.join(dir, 'dev.tsv'), reversalPairs(60, 2));
const steps = Number(stepsArg);
const config = reverseRunConfig(dir, steps);
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
