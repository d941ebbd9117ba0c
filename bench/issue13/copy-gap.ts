/**
 * The trainer-vs-direct-loop gap on a copy task (issue 13; docs/results/issue13-length-bucketing.md):
 * a tiny BART learns to copy N random sequences of WORDS letters (lengths LO–HI) through `train()`
 * and through a plain loop over the same prepared data, model, optimizer, schedule and clipping.
 *   node --import tsx bench/issue13/copy-gap.ts MODE [STEPS] [LO-HI]
 * MODE `trainer`: `train()` (TRAINING=", group_by_length: true" adds training keys). Otherwise a direct
 * loop whose MODE names its variants: `bucketed` batches from a LengthBucketBatcher (POOL=k: pools of
 * k examples, so POOL=16 = random batches of 16; NOISE=x: lengths scaled by 1 ± x before sorting,
 * AllenNLP's padding noise), else 16 examples drawn at random each step; `tokennorm` weighs each
 * batch's mean loss by its target tokens over the average; `padall` pads every batch to the data's
 * longest source and target; `noclip` skips gradient clipping; `nosched` the learning-rate schedule.
 * Environment: SEED (3), N (400), WORDS (8), MODEL (bart | t5), ENCODER (more encoder keys), REVERSE
 * (add a reverse task). Prints one JSON line: the loss curve (means of 10 steps, every 100th step),
 * the mean of the last 50 steps, mean gradient norms per 100 steps (direct loop), dev metrics (trainer).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LengthBucketBatcher } from '../../src/data/index.js';
import { readMetrics } from '../../src/io/checkpoint.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { taskLosses } from '../../src/mtl/multitask-model.js';
import { clipGradNorm } from '../../src/optim/clip.js';
import { applyLrSchedule } from '../../src/optim/schedules.js';
import { taskOfRun } from '../../src/run/build.js';
import { collateJoint, taskTypes } from '../../src/tasks/index.js';
import { paddedInt64 } from '../../src/tasks/features.js';
import { loopParts } from '../../src/train/components.js';
import { setUpRun } from '../../src/train/setup.js';
import { train } from '../../src/train/trainer.js';
import { dispose, manualSeed, tidy } from '../../src/tensor/index.js';
import { silentLogger } from '../../src/logger.js';
import { mulberry32 } from '../../src/random.js';

const [mode = 'trainer', stepsArg = '600', lengthsArg = '3-5'] = process.argv.slice(2);
const steps = Number(stepsArg);
const [lo, hi] = lengthsArg.split('-').map(Number) as [number, number];
const WORDS = 'a b c d e f g h i j k l m n o p q r s t u v w x y z'.split(' ').slice(0, Number(process.env.WORDS ?? 8));

function pairs(n: number, seed: number, reverse = false): string {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = Array.from({ length: n }, () => {
    const w = Array.from({ length: lo + Math.floor(next() * (hi - lo + 1)) }, () => WORDS[Math.floor(next() * WORDS.length)]!);
    return `${w.join(' ')}\t${(reverse ? [...w].reverse() : w).join(' ')}`;
  });
  return `source\ttarget\n${lines.join('\n')}\n`;
}

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-copy-gap-'));
writeFileSync(path.join(dir, 'copy.tsv'), pairs(Number(process.env.N ?? 400), 1));
writeFileSync(path.join(dir, 'copy-dev.tsv'), pairs(30, 2));
writeFileSync(path.join(dir, 'reverse.tsv'), pairs(Number(process.env.N ?? 400), 3, true));
writeFileSync(path.join(dir, 'reverse-dev.tsv'), pairs(30, 4, true));
const reverseTask = process.env.REVERSE
  ? `  - { name: reverse, type: seq2seq, data: { format: tsv, train: reverse.tsv, dev: reverse-dev.tsv }, input: { text: source },
      label: { field: target }, options: { prefix: "reverse: ", metrics: [squad], max_target_length: 8 } }\n`
  : '';
const extra = process.env.TRAINING ?? '';
const config = parseTrainingConfig(
  `seed: ${process.env.SEED ?? 3}
output_dir: out
encoder: ${process.env.MODEL === 't5' ? '{ model_type: t5, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, d_kv: 8' : '{ model_type: bart, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 32'}, hidden_dropout_prob: 0 ${process.env.ENCODER ?? ''} }
tokenizer: { train: { vocab_size: 48, min_frequency: 1 } }
max_length: 20
tasks:
  - { name: copy, type: seq2seq, data: { format: tsv, train: copy.tsv, dev: copy-dev.tsv }, input: { text: source }, label: { field: target },
      options: { prefix: "copy: ", metrics: [squad], max_target_length: 8 } }
${reverseTask}training: { max_steps: ${steps}, batch_size: 16, learning_rate: 3.0e-3, warmup_steps: 2, eval_every: ${steps}, log_every: 10 ${extra} }
`,
  { taskTypes, source: path.join(dir, 'config.yaml') },
);

const tail = (xs: number[]) => xs.slice(-5).reduce((a, b) => a + b, 0) / Math.min(5, xs.length);
const started = performance.now();
try {
  if (mode === 'trainer') {
    await train(config, {});
    const recs = readMetrics(path.join(dir, 'out', 'metrics.jsonl'));
    const losses = recs.filter((m) => m.type === 'train').map((m) => m.loss as number);
    const dev = recs.filter((m) => m.split === 'dev').at(-1)?.metrics;
    console.log(
      JSON.stringify({
        mode,
        lengths: lengthsArg,
        steps,
        first: losses[0],
        last50: tail(losses),
        curve: losses.filter((_, i) => i % 10 === 9),
        dev,
      }),
    );
  } else {
    const { prepared, model } = await setUpRun(config, {}, silentLogger);
    const parts = loopParts(config, prepared, model);
    const stream = prepared.streams[0]!;
    const trainSplit = stream.splits.train!;
    const run = stream.runs[0]!;
    const task = taskOfRun(run, model);
    const n = trainSplit.examples.length;
    const noise = Number(process.env.NOISE ?? 0);
    const jitter = mulberry32(99);
    const sortLengths = trainSplit.lengths.map((l) => Math.max(1, Math.round(1000 * l * (1 + noise * (2 * jitter() - 1)))));
    const bucketed = new LengthBucketBatcher(sortLengths, {
      batchSize: 16,
      seed: Number(process.env.SEED ?? 3),
      ...(process.env.POOL ? { poolSize: Number(process.env.POOL) } : {}),
    });
    const random = mulberry32(7 + Number(process.env.SEED ?? 3));
    const labelsOf = (i: number) => ((trainSplit.tasks[0]!.features[i] as { labels?: number[] }).labels ?? []).length;
    const meanTokens = Array.from({ length: n }, (_, i) => labelsOf(i)).reduce((a, b) => a + b, 0) / n;
    const feats = trainSplit.tasks[0]!.features as unknown as { inputIds: number[]; labels: number[] }[];
    const T = Math.max(...feats.map((f) => f.inputIds.length));
    const U = Math.max(...feats.map((f) => f.labels.length));
    /** The batch of `rows` padded to the data's longest source and target (as a mixed batch would often be). */
    const padAll = (rows: readonly number[]) => {
      const f = rows.map((r) => feats[r]!);
      const inputIds = paddedInt64(f.length, T, 0, (i) => f[i]!.inputIds);
      const attentionMask = paddedInt64(f.length, T, 0, (i) => f[i]!.inputIds.map(() => 1));
      const labels = paddedInt64(f.length, U, -100, (i) => f[i]!.labels);
      const b = { inputIds, attentionMask, labels, decoderLabels: labels, features: f };
      return { inputs: { inputIds, attentionMask, decoderLabels: labels }, batches: new Map([[run.spec.name, b]]) } as never as ReturnType<
        typeof collateJoint
      >;
    };
    const losses: number[] = [];
    const norms: number[] = [];
    const window: number[] = [];
    for (let step = 0; step < steps; step++) {
      const indices = mode.includes('bucketed') ? bucketed.next().indices : Array.from({ length: 16 }, () => Math.floor(random() * n));
      if (!mode.includes('noseed')) manualSeed(1000 + step);
      const batch = mode.includes('padall') ? padAll(indices) : collateJoint(trainSplit.tasks, indices);
      window.push(
        tidy(() => {
          const logits = model.forward(batch.inputs, [run.spec.name]);
          const mean = taskLosses(logits, batch, [task]).get(run.spec.name)!;
          const tokens = indices.reduce((a, i) => a + labelsOf(i), 0);
          const loss = mode.includes('tokennorm') ? mean.mul(tokens / (indices.length * meanTokens)) : mean;
          loss.backward();
          return mean.item() as number;
        }),
      );
      dispose(batch as never);
      if (!mode.includes('nosched')) applyLrSchedule(parts.optimizer, parts.schedule, step);
      const norm = clipGradNorm(model.parameters(), mode.includes('noclip') ? Infinity : 1);
      norms.push(norm.item() as number);
      norm.dispose();
      parts.optimizer.step();
      parts.optimizer.zeroGrad();
      if (window.length === 10) {
        losses.push(window.reduce((a, b) => a + b, 0) / 10);
        window.length = 0;
      }
    }
    const meanNorm = (a: number, b: number) => norms.slice(a, b).reduce((x, y) => x + y, 0) / (b - a);
    const gradNorms = [0, 100, 200, 300, 400, 500].map((a) => meanNorm(a, a + 100));
    console.log(
      JSON.stringify({
        mode,
        lengths: lengthsArg,
        steps,
        first: losses[0],
        last50: tail(losses),
        curve: losses.filter((_, i) => i % 10 === 9),
        gradNorms,
      }),
    );
    parts.optimizer.dispose?.();
    model.dispose();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  console.error(`wall ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
