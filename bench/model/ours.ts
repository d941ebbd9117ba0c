/**
 * multitask-lm's side of the model benchmark (the peer is bench/peer/model.py, which mirrors it).
 * A process sets up one mode's work, prints `ready`, then does unit i for each line `i` read from
 * stdin and prints its wall time in ms (bench/model/interleave.ts asks both sides in turn); at the end
 * of stdin it prints one JSON line. Modes and their units:
 * - `train`: a training step of the joint intent + slot model (BertModel + the two task heads, from the
 *   exported initial weights) on batch i, after `--warmup` steps: forward, the two cross-entropies
 *   summed, backward, loss read back (as the trainer logs it), gradient clipping at 1.0, AdamW (lr 1e-3,
 *   weight decay 0.01 except biases and LayerNorm), gradients cleared. `--batches random` (padded to
 *   each batch's longest, as the peer's) or `bucketed` (multitask-lm's length bucketing). The default
 *   generator is seeded with `--seed` first, as the peer's: both sides draw the same dropout masks, so
 *   their losses agree up to float rounding.
 * - `infer`: a prediction of dev batch i (of 32) in evaluation mode under `inferenceMode` (libtorch's
 *   InferenceMode: no gradients; the encoder's layers run as libtorch's fused encoder layer): forward +
 *   argmax of both heads + the label ids read back. 2 warm-up batches.
 * - `latency`: the same prediction of single dev example i. 20 warm-up examples.
 * The JSON line: the mean loss of the steps (train), the process's peak resident memory (VmHWM) and,
 * measured after the work, the best float32 matmul throughput it sees (2048³, GFLOP/s): the suite
 * takes the largest over all processes of both sides as the machine's peak, the denominator of MFU.
 * Usage: node dist/bench/model/ours.js --mode train|infer|latency [--size 2x256] [--batches random|bucketed] [--threads 1] [--seed 0]
 * (compiled by `npm run build`, as the suite runs it; `node --import tsx bench/model/ours.ts …` runs the same code)
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadSafetensors } from '../../src/io/safetensors.js';
import { BertModel } from '../../src/models/bert/index.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import { taskSpec, type TaskSpecFields } from '../../src/tasks/index.js';
import * as T from '../../src/tensor/index.js';
import { clipGradNorm } from '../../src/optim/clip.js';
import { AdamW } from '../../src/optim/adamw.js';
import { paramGroupsNoDecay } from '../../src/optim/param-groups.js';
import { peakRssMiB, type TensorBatch } from './measure.js';
import { encoderConfig, type BenchBatch, type BenchData, type EncoderSize } from './shared.js';

const { values: a } = parseArgs({
  options: {
    mode: { type: 'string', default: 'train' },
    size: { type: 'string', default: '2x256' },
    batches: { type: 'string', default: 'random' },
    threads: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '3' },
    seed: { type: 'string', default: '0' },
    data: { type: 'string', default: 'bench/out' },
  },
});
if (!['train', 'infer', 'latency'].includes(a.mode as string))
  throw new Error(`unknown --mode '${a.mode}'; expected train, infer or latency`);
T.setNumThreads(Number(a.threads));

/** Best of a few 2048³ float32 matmuls, GFLOP/s. */
function matmulPeak(): number {
  const n = 2048;
  return T.tidy(() => {
    const x = T.randn([n, n]);
    const y = T.randn([n, n]);
    let best = 0;
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      T.matmul(x, y).dispose();
      best = Math.max(best, (2 * n ** 3) / ((performance.now() - t0) / 1000) / 1e9);
    }
    return best;
  });
}

const data = JSON.parse(readFileSync(`${a.data}/snips-batches.json`, 'utf8')) as BenchData;
const size = a.size as EncoderSize;
const model = MultiTaskModel.fromSpecs(
  new BertModel(encoderConfig(size, data.vocabSize)),
  data.specs.map((s) => taskSpec(s as TaskSpecFields)),
);
{
  const { tensors } = loadSafetensors(`${a.data}/init-${size}.safetensors`);
  model.loadSavedStateDict(tensors);
  for (const t of tensors.values()) t.dispose();
}
const TASKS = ['intent', 'slots'];
const toTensors = (b: BenchBatch): TensorBatch => ({
  inputIds: T.tensor(b.inputIds, { dtype: 'int64' }),
  attentionMask: T.tensor(b.attentionMask, { dtype: 'int64' }),
  intent: T.tensor(b.intent, { dtype: 'int64' }),
  slots: T.tensor(b.slots, { dtype: 'int64' }),
});

/** A mode's work: `run(i)` does unit i; `summary()` what it reports at the end besides memory and peak. */
interface Work {
  units: number;
  run(i: number): void;
  summary(): Record<string, number>;
}

/** Training steps on `batches`, after `warmup` steps; the summary is the mean loss of the steps asked for. */
function training(batches: TensorBatch[], warmup: number): Work {
  model.train();
  T.manualSeed(Number(a.seed)); // the peer seeds alike: the same dropout masks on both sides
  const optimizer = new AdamW(paramGroupsNoDecay(model.namedParameters(), 0.01), { lr: 1e-3 });
  const step = (b: TensorBatch): number => {
    const loss = T.tidy(() => {
      const logits = model.forward({ inputIds: b.inputIds, attentionMask: b.attentionMask }, TASKS);
      const slots = logits.get('slots') as T.Tensor;
      const total = T.crossEntropy(logits.get('intent') as T.Tensor, b.intent).add(
        T.crossEntropy(slots.reshape([-1, slots.shape[2] as number]), b.slots.reshape([-1])),
      );
      total.backward();
      return total.item() as number;
    });
    clipGradNorm(model.parameters(), 1.0).dispose();
    optimizer.step();
    optimizer.zeroGrad();
    return loss;
  };
  for (let i = 0; i < warmup; i++) step(batches[i % batches.length] as TensorBatch);
  let lossSum = 0;
  let steps = 0;
  return {
    units: batches.length,
    run: (i) => {
      lossSum += step(batches[i] as TensorBatch);
      steps++;
    },
    summary: () => ({ meanLoss: lossSum / steps }),
  };
}

/** One prediction: forward in evaluation mode, argmax of both heads, the label ids read back. */
const predict = (b: TensorBatch): void =>
  T.inferenceMode(() =>
    T.tidy(() => {
      const logits = model.forward({ inputIds: b.inputIds, attentionMask: b.attentionMask }, TASKS);
      for (const task of TASKS) (logits.get(task) as T.Tensor).argmax(-1).toFlatArray();
    }),
  );

/** Predictions of `batches`, after `warmup` of them. */
function inference(batches: TensorBatch[], warmup: number): Work {
  model.eval();
  for (let i = 0; i < warmup; i++) predict(batches[i % batches.length] as TensorBatch);
  return { units: batches.length, run: (i) => predict(batches[i] as TensorBatch), summary: () => ({}) };
}

const work =
  a.mode === 'train'
    ? training((a.batches === 'bucketed' ? data.bucketed : data.random).map(toTensors), Number(a.warmup))
    : a.mode === 'infer'
      ? inference(data.devBatches.map(toTensors), 2)
      : inference(data.singles.map(toTensors), 20);
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const i = Number(line);
  if (!Number.isInteger(i) || i < 0 || i >= work.units)
    throw new Error(`--mode ${a.mode}: no unit '${line}' (expected 0–${work.units - 1})`);
  const t0 = performance.now();
  work.run(i);
  console.log(String(performance.now() - t0));
}
const peakRss = peakRssMiB(); // before the matmuls below, which add their own buffers
console.log(JSON.stringify({ ...work.summary(), peakRssMiB: peakRss, matmulGflops: matmulPeak(), blas: T.blasInfo().core }));
