/**
 * Data-parallel scaling on this machine: `mtl train`'s loop on the SNIPS joint model of
 * examples/snips.yaml (BERT 4 × 256 from scratch, intent + CRF slots; the training split only, no
 * evaluation) for a fixed number of steps, in 1 process and in 2 worker processes (launched as
 * `--nproc-per-node` does), one process in bf16 autocast, and the all-reduce of a buffer as large as the model's gradients on its own.
 * Reports tokens/s summed over the ranks, the share of the step time spent in gradient all-reduces, and
 * the all-reduce's time and bus bandwidth (2(N−1)/N × bytes / time, NCCL-tests' definition).
 *
 * Then the gradients' all-reduce during the backward pass against after it (DataParallel's overlap,
 * DDP's Reducer): 2 processes × 1 thread, batch 32 each, `--pairs` rounds in which every arm runs once,
 * the arms' order rotated each round; per arm the median step time and tokens/s, the time a step waited
 * for all-reduces after its backward pass, the share h of the gradients whose all-reduce started before
 * the last gradient came and the collectives k started after it (DDP's bucket rebuild and the flags
 * folded into the last bucket against neither), and the median over rounds of its step time over the
 * after-backward arm's in the same round. With --last-bucket, instead of those arms (and without the
 * scaling runs): the rebuilt buckets with DDP's small cap on the first bucket (libtorch 1.13) against on
 * the last (PyTorch 2.x's DDP_SET_LAST_BUCKET_CAP=1), at 25 and 4 MiB, each ratio against the first-cap
 * arm of the same bucket size in the same round; also over the steps after the first (those that run on
 * the rebuilt buckets), in wall and in CPU time.
 *
 * Usage: node --import tsx bench/distributed/scaling.ts [--steps 30] [--repeats 20] [--pairs 3] [--overlap-only | --last-bucket]
 * Writes bench/out/distributed.md and .json, with --overlap-only distributed-overlap.md and .json, with
 * --last-bucket distributed-last-bucket.md and .json (bench/out/ is not committed).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchWorkers } from '../../src/distributed/launcher.js';
import {
  bucketMode,
  LAST_BUCKET_ARMS,
  OVERLAP_ARMS,
  overlapHeader,
  overlapRows,
  runRounds,
  type ArmRun,
  type OverlapArm,
} from './overlap.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '30' },
    repeats: { type: 'string', default: '20' },
    pairs: { type: 'string', default: '3' },
    'overlap-only': { type: 'boolean', default: false },
    'last-bucket': { type: 'boolean', default: false },
  },
});
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKER = path.join(ROOT, 'bench', 'distributed', 'worker.ts');
const SNIPS = path.resolve(ROOT, '..', 'shared', 'datasets', 'snips', 'train');
const dir = mkdtempSync(path.join(tmpdir(), 'mtl-scaling-'));

function configFile(name: string, batchSize: number, precision: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `seed: 42
output_dir: ${path.join(dir, name)}
encoder: { hidden_size: 256, num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 1024, max_position_embeddings: 128 }
tokenizer: { train: { vocab_size: 8000, lowercase: true, min_frequency: 2 } }
max_length: 48
tasks:
  - { name: intent, type: sequence-classification, options: { pooling: cls }, data: &snips { format: joint-folder, train: ${SNIPS} } }
  - { name: slots, type: token-classification, crf: true, data: *snips }
training: { max_steps: ${values.steps}, batch_size: ${batchSize}, learning_rate: 1.0e-3, warmup_steps: 4, eval_every: 100000, log_every: 100000, precision: ${precision} }
`,
  );
  return file;
}

interface RankResult {
  rank: number;
  steps: number;
  trainSeconds: number;
  laterSeconds: number;
  laterCpuSeconds: number;
  tokens: number;
  examples: number;
  commSeconds: number;
  overlapped: boolean;
  buckets?: { total: number; launchedEarly: number };
  bucketMiB?: number[];
  shares?: { steps: number; elements: number; earlyElements: number; exposed: number };
  parameters: number;
}

async function workers(nproc: number, threads: number, args: string[], out: string, extra: string[] = []): Promise<unknown[]> {
  const code = await launchWorkers({
    nproc,
    args: ['--import', 'tsx', WORKER, ...args, out, ...extra],
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
  });
  if (code !== 0) throw new Error(`the workers of ${out} exited with ${code}`);
  return Array.from({ length: nproc }, (_, r) => JSON.parse(readFileSync(`${out}.${r}.json`, 'utf8')) as unknown);
}

const runs = [
  { name: '1 process × 2 threads, batch 32', nproc: 1, threads: 2, batch: 32, precision: 'fp32' },
  { name: '1 process × 1 thread, batch 32', nproc: 1, threads: 1, batch: 32, precision: 'fp32' },
  { name: '2 processes × 1 thread, batch 16 each (global 32)', nproc: 2, threads: 1, batch: 16, precision: 'fp32' },
  { name: '2 processes × 1 thread, batch 32 each (global 64)', nproc: 2, threads: 1, batch: 32, precision: 'fp32' },
  { name: '1 process × 2 threads, batch 32, bf16 autocast', nproc: 1, threads: 2, batch: 32, precision: 'bf16' },
];
const lastBucket = values['last-bucket'] === true;
const overlapOnly = values['overlap-only'] === true || lastBucket;
const load = [loadavg()[0]];
const rows: Record<string, unknown>[] = [];
let parameters = 0;
for (const r of overlapOnly ? [] : runs) {
  const tag = `run-${r.nproc}-${r.threads}-${r.batch}-${r.precision}`;
  const ranks = (await workers(r.nproc, r.threads, ['train', configFile(tag, r.batch, r.precision)], path.join(dir, tag))) as RankResult[];
  parameters = ranks[0]!.parameters;
  const seconds = Math.max(...ranks.map((k) => k.trainSeconds));
  const tokens = ranks.reduce((n, k) => n + k.tokens, 0);
  const examples = ranks.reduce((n, k) => n + k.examples, 0);
  const comm = ranks.reduce((n, k) => n + k.commSeconds, 0) / ranks.length;
  rows.push({
    ...r,
    steps: ranks[0]!.steps,
    seconds,
    tokensPerSecond: tokens / seconds,
    examplesPerSecond: examples / seconds,
    secondsPerStep: seconds / ranks[0]!.steps,
    allReduceShare: comm / seconds,
  });
  console.log(JSON.stringify(rows.at(-1)));
}
/** The all-reduce of `elements` float32 (and of one) between 2 processes: medians of the slower rank's time. */
async function timeAllReduce(elements: number) {
  const reduce = (await workers(2, 1, ['allreduce', String(elements), values.repeats as string], path.join(dir, 'allreduce'))) as {
    seconds: number[];
    latency: number[];
  }[];
  const medianOf = (key: 'seconds' | 'latency') => {
    const times = reduce[0]![key].map((s, i) => Math.max(s, reduce[1]![key][i] as number)).sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] as number;
  };
  const bytes = elements * 4;
  const medianSeconds = medianOf('seconds');
  return {
    parameters: elements,
    bytes,
    medianSeconds,
    latencySeconds: medianOf('latency'),
    busGBps: (((2 * (2 - 1)) / 2) * bytes) / medianSeconds / 1e9,
  };
}
const allReduce = overlapOnly ? undefined : await timeAllReduce(parameters);

let overlapRun = 0;
/** One 2-rank run (1 thread each, batch 32 each) of `arm`. */
async function armRun(arm: OverlapArm): Promise<ArmRun> {
  const tag = `overlap-${overlapRun++}`;
  const config = configFile(tag, 32, 'fp32');
  const ranks = (await workers(2, 1, ['train', config], path.join(dir, tag), [
    arm.reduction,
    String(arm.bucketMiB),
    bucketMode(arm),
  ])) as RankResult[];
  parameters = ranks[0]!.parameters;
  const seconds = Math.max(...ranks.map((k) => k.trainSeconds));
  const steps = ranks[0]!.steps;
  return {
    secondsPerStep: seconds / steps,
    tokensPerSecond: ranks.reduce((n, k) => n + k.tokens, 0) / seconds,
    waitPerStep: ranks.reduce((n, k) => n + k.commSeconds, 0) / ranks.length / steps,
    overlapped: ranks.every((k) => k.overlapped),
    launchedEarly:
      ranks.reduce((n, k) => n + (k.buckets === undefined ? 0 : k.buckets.launchedEarly / Math.max(1, k.buckets.total)), 0) / ranks.length,
    hiddenShare: ranks.reduce((n, k) => n + (k.shares?.steps ? k.shares.earlyElements / k.shares.elements : 0), 0) / ranks.length,
    exposedPerStep: ranks.reduce((n, k) => n + (k.shares?.steps ? k.shares.exposed / k.shares.steps : NaN), 0) / ranks.length,
    laterSecondsPerStep: Math.max(...ranks.map((k) => k.laterSeconds)) / (steps - 1),
    laterCpuPerStep: ranks.reduce((n, k) => n + k.laterCpuSeconds, 0) / (steps - 1),
    ...(ranks[0]!.bucketMiB === undefined ? {} : { bucketMiB: ranks[0]!.bucketMiB }),
  };
}
const arms = lastBucket ? LAST_BUCKET_ARMS : OVERLAP_ARMS;
const overlapRuns = await runRounds(arms, Number(values.pairs), armRun);
load.push(loadavg()[0]);
rmSync(dir, { recursive: true, force: true });

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const machine =
  `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; load average ${load[0]!.toFixed(1)} at the start, ${load[1]!.toFixed(1)} at the end. ` +
  `SNIPS joint model (${parameters.toLocaleString('en-US')} parameters), ${values.steps} steps a run; tokens/s summed over the ranks.`;
const overlapMd = [
  lastBucket
    ? `## Rebuilt buckets: small first vs small last bucket: 2 processes × 1 thread, batch 32 each, ${values.pairs} rounds`
    : `## All-reduce during vs after the backward pass: 2 processes × 1 thread, batch 32 each, ${values.pairs} rounds`,
  '',
  ...overlapHeader(lastBucket ? 'small first bucket' : 'after'),
  ...overlapRows(arms, overlapRuns),
];
const scalingMd =
  allReduce === undefined
    ? []
    : [
        '| run | s/step | tokens/s | examples/s | all-reduce share of step time |',
        '| --- | --- | --- | --- | --- |',
        ...rows.map(
          (r) =>
            `| ${String(r.name)} | ${(r.secondsPerStep as number).toFixed(3)} | ${(r.tokensPerSecond as number).toFixed(0)} | ${(r.examplesPerSecond as number).toFixed(0)} | ${pct(r.allReduceShare as number)} |`,
        ),
        '',
        `All-reduce of ${(allReduce.bytes / 2 ** 20).toFixed(1)} MiB (float32 gradients) between 2 processes on loopback: median ${(allReduce.medianSeconds * 1000).toFixed(1)} ms over ${values.repeats}, bus bandwidth ${allReduce.busGBps.toFixed(2)} GB/s; of one float: median ${(allReduce.latencySeconds * 1e6).toFixed(0)} µs.`,
        '',
      ];
const md = [`# Data-parallel scaling (${new Date().toISOString()})`, '', machine, '', ...scalingMd, ...overlapMd].join('\n');
const name = lastBucket ? 'distributed-last-bucket' : overlapOnly ? 'distributed-overlap' : 'distributed';
mkdirSync(path.join(ROOT, 'bench', 'out'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench', 'out', `${name}.md`), `${md}\n`);
writeFileSync(
  path.join(ROOT, 'bench', 'out', `${name}.json`),
  JSON.stringify({ load, rows, allReduce, overlap: { arms, runs: overlapRuns } }, null, 2),
);
console.log(md);
