/**
 * Inference paths of our side, A/B in one process: the SNIPS joint model's prediction (forward +
 * argmax of both heads read back, as ours.ts `infer`) op by op or with the fused encoder layer, under
 * `noGrad` or `inferenceMode`. The four variants take turns on every example and batch, so the
 * machine's drifting load hits them alike; each figure is CPU time per prediction (ms), the median
 * over the repeats. An own `forward` on each layer makes the encoder run op by op, as an adapter would.
 * Reads what bench/model/export.ts wrote. Prints one line per variant and one JSON line.
 * Usage: npm run build && node dist/bench/model/infer-paths.js [--size 2x256] [--repeats 5] [--singles 100]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadSafetensors } from '../../src/io/safetensors.js';
import { BertModel } from '../../src/models/bert/index.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import { taskSpec, type TaskSpecFields } from '../../src/tasks/index.js';
import * as T from '../../src/tensor/index.js';
import { encoderConfig, type BenchBatch, type BenchData, type EncoderSize } from './shared.js';

const { values: a } = parseArgs({
  options: {
    size: { type: 'string', default: '2x256' },
    repeats: { type: 'string', default: '5' },
    singles: { type: 'string', default: '100' },
    data: { type: 'string', default: 'bench/out' },
  },
});
T.setNumThreads(1);
const size = a.size as EncoderSize;
const data = JSON.parse(readFileSync(`${a.data}/snips-batches.json`, 'utf8')) as BenchData;
const bert = new BertModel(encoderConfig(size, data.vocabSize));
const model = MultiTaskModel.fromSpecs(
  bert,
  data.specs.map((s) => taskSpec(s as TaskSpecFields)),
);
{
  const { tensors } = loadSafetensors(`${a.data}/init-${size}.safetensors`);
  model.loadSavedStateDict(tensors);
  for (const t of tensors.values()) t.dispose();
}
model.eval();
const TASKS = ['intent', 'slots'];
const inputs = (b: BenchBatch) => ({
  inputIds: T.tensor(b.inputIds, { dtype: 'int64' }),
  attentionMask: T.tensor(b.attentionMask, { dtype: 'int64' }),
});
const pools = { batch1: data.singles.slice(0, Number(a.singles)).map(inputs), batch32: data.devBatches.map(inputs) };

/** Op by op (an own forward on every layer) or fused (the class's forward, so the encoder may fuse). */
function setOpByOp(on: boolean): void {
  for (const layer of bert.encoder.layer.items) {
    if (on) layer.forward = Object.getPrototypeOf(layer).forward.bind(layer);
    else Reflect.deleteProperty(layer, 'forward');
  }
}

const VARIANTS = [
  { name: 'op by op, noGrad', opByOp: true, mode: T.noGrad },
  { name: 'op by op, inferenceMode', opByOp: true, mode: T.inferenceMode },
  { name: 'fused, noGrad', opByOp: false, mode: T.noGrad },
  { name: 'fused, inferenceMode', opByOp: false, mode: T.inferenceMode },
] as const;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const times = new Map<string, { batch1: number[]; batch32: number[] }>(VARIANTS.map((v) => [v.name, { batch1: [], batch32: [] }]));
for (let r = -1; r < Number(a.repeats); r++) {
  // r = -1 warms up
  for (const kind of ['batch1', 'batch32'] as const) {
    const sums = new Map<string, number>();
    for (const b of pools[kind]) {
      for (const v of VARIANTS) {
        setOpByOp(v.opByOp);
        const t0 = cpuMs();
        v.mode(() =>
          T.tidy(() => {
            const logits = model.forward(b, TASKS);
            for (const task of TASKS) (logits.get(task) as T.Tensor).argmax(-1).toFlatArray();
          }),
        );
        sums.set(v.name, (sums.get(v.name) ?? 0) + cpuMs() - t0);
      }
    }
    if (r >= 0) for (const v of VARIANTS) times.get(v.name)?.[kind].push((sums.get(v.name) as number) / pools[kind].length);
  }
}
setOpByOp(false);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
const result = VARIANTS.map((v) => {
  const t = times.get(v.name) as { batch1: number[]; batch32: number[] };
  return { variant: v.name, batch1Ms: median(t.batch1), batch32Ms: median(t.batch32) };
});
for (const r of result)
  console.log(`${size} ${r.variant.padEnd(24)} batch 1: ${r.batch1Ms.toFixed(2)} ms  batch 32: ${r.batch32Ms.toFixed(1)} ms`);
console.log(JSON.stringify({ size, repeats: Number(a.repeats), cpuMsPerPrediction: result }));
