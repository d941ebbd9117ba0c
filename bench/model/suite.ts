/**
 * The model benchmark: multitask-lm (bench/model/ours.ts) and the Python peer (bench/peer/model.py)
 * side by side on the same encoder sizes, initial weights, batches (bench/model/export.ts, written
 * once) and thread count, the two sides' processes taking turns one training step or prediction at
 * a time (bench/model/interleave.ts). Each figure is the median over the repeats, with the ratio
 * ours/peer. Both sides get the same environment, OpenBLAS kernel choice included
 * (src/tensor/blas-core.ts), so the comparison is of the two front ends over one libtorch.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { openSafetensors } from '../../src/io/safetensors.js';
import { ensureOpenBlasCore } from '../../src/tensor/blas-core.js';
import { ensurePassiveOmpWait } from '../../src/tensor/omp-wait-policy.js';
import { interleaved, type SideRun } from './interleave.js';
import { median, percentile } from './measure.js';
import { ENCODER_SIZES, modelFlops, type BenchBatch, type BenchData, type EncoderSize, type FlopModel } from './shared.js';

/** One row of the table: a figure of both sides. */
export interface Row {
  size: EncoderSize;
  label: string;
  unit: string;
  /** Whether a larger value is better (throughput) or a smaller one (latency, memory). */
  higherIsBetter: boolean;
  ours: number;
  peer: number;
  /** median(ours) / median(peer). */
  ratio: number;
  /** The median over repeats of ours/peer within a repeat (adjacent runs, so both saw about the same load). */
  pairedRatio: number;
  oursRuns: number[];
  peerRuns: number[];
}

export interface SuiteResult {
  matmulGflops: number;
  blasCore: string;
  /** Per encoder size, each side's mean training loss over the pass, per repeat: equal to float rounding when both did the same work (same seed, so the same dropout masks). */
  meanLoss: Record<string, { ours: number[]; peer: number[] }>;
  rows: Row[];
}

/** Examples, non-padding tokens and model FLOPs of a list of batches. */
function work(batches: readonly BenchBatch[], flops: FlopModel, training: boolean): { examples: number; tokens: number; flops: number } {
  let examples = 0;
  let tokens = 0;
  let total = 0;
  for (const b of batches) {
    const B = b.inputIds.length;
    examples += B;
    tokens += b.attentionMask.reduce((s, row) => s + row.reduce((x, y) => x + y, 0), 0);
    total += modelFlops(flops, { B, T: b.inputIds[0]?.length ?? 0 }, training);
  }
  return { examples, tokens, flops: total };
}

function flopModel(size: EncoderSize, dir: string): FlopModel {
  const reader = openSafetensors(`${dir}/init-${size}.safetensors`);
  try {
    const nonEmbeddingParams = reader.names
      .filter((n) => !n.includes('.embeddings.'))
      .reduce((s, n) => s + reader.info(n).shape.reduce((x, y) => x * y, 1), 0);
    return { nonEmbeddingParams, numLayers: ENCODER_SIZES[size].numHiddenLayers, hiddenSize: ENCODER_SIZES[size].hiddenSize };
  } finally {
    reader.close();
  }
}

/**
 * Runs the suite.
 * @param options.repeats sessions of each kind (training, batch 32, batch 1) per encoder size, each with fresh processes.
 * @param options.threads libtorch intra-op threads and OpenBLAS threads of both sides.
 * @param options.dir where export.ts wrote the shared files (bench/out); written first when missing.
 */
export async function runModelSuite(options: {
  repeats: number;
  threads: number;
  dir: string;
  log: (line: string) => void;
}): Promise<SuiteResult> {
  const { repeats, threads, dir, log } = options;
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  ensureOpenBlasCore(env); // the same kernels for both sides
  ensurePassiveOmpWait(env); // and the same OpenMP wait policy (as our side sets for itself)
  if (!existsSync(`${dir}/snips-batches.json`))
    execFileSync(process.execPath, ['--import', 'tsx', 'bench/model/export.ts', '--out', dir], { env, stdio: 'inherit' });
  const data = JSON.parse(readFileSync(`${dir}/snips-batches.json`, 'utf8')) as BenchData;
  // Our side runs compiled (npm run build), as a Node service would, not through tsx's loader (which
  // holds about 33 MiB more and would count in peak RSS); the build is redone here so it is current.
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { env, stdio: 'inherit' });
  const ours = (args: string[]) => [process.execPath, 'dist/bench/model/ours.js', '--threads', String(threads), '--data', dir, ...args];
  const peer = (args: string[]) => ['/usr/bin/python3', 'bench/peer/model.py', '--threads', String(threads), '--data', dir, ...args];

  const peaks: number[] = [];
  let blasCore = '';
  const runs = new Map<string, number[]>(); // `${size}/${side}/${mode}/${key}` → values
  const keep = (prefix: string, out: Record<string, unknown>) => {
    peaks.push(out.matmulGflops as number);
    if (typeof out.blas === 'string') blasCore = out.blas;
    for (const [k, v] of Object.entries(out))
      if (typeof v === 'number') runs.set(`${prefix}/${k}`, [...(runs.get(`${prefix}/${k}`) ?? []), v]);
  };
  const sum = (xs: readonly number[]) => xs.reduce((x, y) => x + y, 0);
  /** Runs `sides` in turn (interleave.ts) and keeps each one's summary and `figures` of its unit times under its prefix. */
  const session = async (
    sides: { prefix: string; cmd: string[]; units: number }[],
    figures: (timesMs: number[]) => Record<string, number>,
  ) => {
    const done = await interleaved(sides, env);
    sides.forEach((side, k) => {
      const { timesMs, summary } = done[k] as SideRun;
      keep(side.prefix, { ...summary, ...figures(timesMs) });
    });
  };
  const seconds = (timesMs: number[]) => ({ seconds: sum(timesMs) / 1000 });
  for (let r = 0; r < repeats; r++) {
    for (const size of Object.keys(ENCODER_SIZES) as EncoderSize[]) {
      log(`repeat ${r + 1}/${repeats}, ${size}`);
      const mode = (m: string) => ['--mode', m, '--size', size];
      await session(
        [
          { prefix: `${size}/ours/train`, cmd: ours(mode('train')), units: data.random.length },
          { prefix: `${size}/peer/train`, cmd: peer(mode('train')), units: data.random.length },
          { prefix: `${size}/ours/bucketed`, cmd: ours([...mode('train'), '--batches', 'bucketed']), units: data.bucketed.length },
        ],
        seconds,
      );
      await session(
        [
          { prefix: `${size}/ours/infer`, cmd: ours(mode('infer')), units: data.devBatches.length },
          { prefix: `${size}/peer/infer`, cmd: peer(mode('infer')), units: data.devBatches.length },
        ],
        seconds,
      );
      await session(
        [
          { prefix: `${size}/ours/latency`, cmd: ours(mode('latency')), units: data.singles.length },
          { prefix: `${size}/peer/latency`, cmd: peer(mode('latency')), units: data.singles.length },
        ],
        (timesMs) => ({ p50Ms: percentile(timesMs, 50), p95Ms: percentile(timesMs, 95) }),
      );
    }
  }
  const matmulGflops = Math.max(...peaks);
  const rows: Row[] = [];
  for (const size of Object.keys(ENCODER_SIZES) as EncoderSize[]) {
    const fm = flopModel(size, dir);
    const train = work(data.random, fm, true);
    const bucketed = work(data.bucketed, fm, true);
    const infer = work(data.devBatches, fm, false);
    const get = (side: string, mode: string, key: string) => runs.get(`${size}/${side}/${mode}/${key}`) ?? [];
    const add = (label: string, unit: string, higherIsBetter: boolean, oursRuns: number[], peerRuns: number[]) => {
      const o = median(oursRuns);
      const p = median(peerRuns);
      const pairedRatio = median(oursRuns.map((x, i) => x / (peerRuns[i] as number)));
      rows.push({ size, label, unit, higherIsBetter, ours: o, peer: p, ratio: o / p, pairedRatio, oursRuns, peerRuns });
    };
    /** A row of one measurement of both sides, each run's value mapped by `f`. */
    const both = (label: string, unit: string, higherIsBetter: boolean, mode: string, key: string, f = (v: number) => v) =>
      add(label, unit, higherIsBetter, get('ours', mode, key).map(f), get('peer', mode, key).map(f));
    const per = (amount: number) => (seconds: number) => amount / seconds;
    const mfu = (flops: number) => (seconds: number) => (100 * flops) / seconds / (matmulGflops * 1e9);
    both('training throughput', 'examples/s', true, 'train', 'seconds', per(train.examples));
    both('training throughput', 'tokens/s', true, 'train', 'seconds', per(train.tokens));
    both('training MFU', '%', true, 'train', 'seconds', mfu(train.flops));
    both('training peak RSS', 'MiB', false, 'train', 'peakRssMiB');
    both('inference latency, batch 1, p50', 'ms', false, 'latency', 'p50Ms');
    both('inference latency, batch 1, p95', 'ms', false, 'latency', 'p95Ms');
    both('inference throughput, batch 32', 'examples/s', true, 'infer', 'seconds', per(infer.examples));
    both('inference MFU, batch 32', '%', true, 'infer', 'seconds', mfu(infer.flops));
    both('inference peak RSS', 'MiB', false, 'infer', 'peakRssMiB');
    add(
      'end to end: ours length-bucketed vs peer padded to each batch’s longest',
      'examples/s',
      true,
      get('ours', 'bucketed', 'seconds').map(per(bucketed.examples)),
      get('peer', 'train', 'seconds').map(per(train.examples)),
    );
  }
  const meanLoss = Object.fromEntries(
    (Object.keys(ENCODER_SIZES) as EncoderSize[]).map((size) => [
      size,
      { ours: runs.get(`${size}/ours/train/meanLoss`) ?? [], peer: runs.get(`${size}/peer/train/meanLoss`) ?? [] },
    ]),
  );
  return { matmulGflops, blasCore, rows, meanLoss };
}

/**
 * The result as a Markdown table (figures with 3 significant digits): medians of each side and their
 * ratio, and the median of the ratios within each repeat, which the load's drift between repeats
 * moves less; then each side's mean training loss, a check that both did the same work.
 */
export function modelTable(result: SuiteResult): string {
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
  const lines = [
    '| encoder | figure | multitask-lm | PyTorch (Python) | ours/peer | ours/peer per repeat | better |',
    '| --- | --- | ---: | ---: | ---: | ---: | :---: |',
  ];
  for (const r of result.rows)
    lines.push(
      `| ${r.size} | ${r.label} | ${fmt(r.ours)} ${r.unit} | ${fmt(r.peer)} ${r.unit} | ${r.ratio.toFixed(2)} | ${r.pairedRatio.toFixed(2)} | ${r.higherIsBetter ? '≥ 1' : '≤ 1'} |`,
    );
  const losses = Object.entries(result.meanLoss).map(
    ([size, l]) => `${size} ${l.ours.map((x) => x.toFixed(5)).join(', ')} (ours) vs ${l.peer.map((x) => x.toFixed(5)).join(', ')} (peer)`,
  );
  lines.push(
    '',
    `Mean training loss over the pass, per repeat (both sides seeded alike, so the same dropout masks: equal up to float rounding when both did the same work): ${losses.join('; ')}.`,
  );
  return lines.join('\n');
}
