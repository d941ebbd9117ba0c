// Run from the repository root: TREE=$PWD SEED=5 STEPS=300 node --import tsx bench/issue13/llama-lm-head-run.mts
// Before/after of issue 13's lm_head change on a from-scratch llama (config default tie_word_embeddings false):
// the reverse-letters seq2seq-decoder run of tests/tasks/seq2seq-decoder-fixture.ts with model_type llama, same seed and steps.
import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
const R = process.env.TREE!;
const steps = Number(process.env.STEPS ?? 300);
const { parseTrainingConfig } = await import(`${R}/src/io/config/index.ts`);
const { taskTypes } = await import(`${R}/src/tasks/index.ts`);
const { train } = await import(`${R}/src/train/trainer.ts`);
const { readMetrics } = await import(`${R}/src/io/checkpoint.ts`);
const { reversalPairs } = await import(`${R}/tests/tasks/seq2seq-decoder-fixture.ts`);
const dir = mkdtempSync(path.join(tmpdir(), 'avg16-llama-'));
writeFileSync(path.join(dir, 'train.tsv'), reversalPairs(2000, 1));
writeFileSync(path.join(dir, 'dev.tsv'), reversalPairs(60, 2));
const config = parseTrainingConfig(
  `seed: ${process.env.SEED ?? 5}
output_dir: out
encoder: { model_type: llama, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128,
           max_position_embeddings: 32 }
tokenizer: { train: { vocab_size: 48, min_frequency: 1 } }
max_length: 20
tasks:
  - { name: reverse, type: seq2seq, data: { format: tsv, train: train.tsv, dev: dev.tsv }, input: { text: source },
      label: { field: target }, options: { prefix: "reverse: ", metrics: [squad], max_target_length: 8 } }
training: { max_steps: ${steps}, batch_size: 32, learning_rate: 2.0e-3, warmup_steps: 20, eval_every: ${steps / 2}, log_every: 100 }
`,
  { taskTypes, source: path.join(dir, 'config.yaml') },
);
/** A metrics.jsonl record, as this script reads it. */
type Rec = {
  split?: string;
  type?: string;
  step: number;
  loss?: number;
  losses?: Record<string, number>;
  metrics: Record<string, Record<string, number>>;
};
const t0 = Date.now();
const result = await train(config, {});
const dev = readMetrics(path.join(dir, 'out', 'metrics.jsonl')).filter((m: Rec) => m.split === 'dev');
const train_ = readMetrics(path.join(dir, 'out', 'metrics.jsonl')).filter((m: Rec) => m.type === 'train');
console.log(
  JSON.stringify({
    tree: R,
    seed: process.env.SEED ?? 5,
    steps,
    status: result.status,
    wall_s: (Date.now() - t0) / 1000,
    dev: dev.map((m: Rec) => ({ step: m.step, em: m.metrics.reverse?.exactMatch, loss: m.losses?.reverse ?? m.loss })),
    lastTrainLoss: train_.at(-1)?.loss,
  }),
);
