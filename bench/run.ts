/**
 * Runs benchmark suites side by side with their Python torch peers, alternating processes, and reports
 * medians and the ratio ours/peer as Markdown (stdout and bench/out/<suite>.md) and JSON
 * (bench/out/<suite>.json).
 * - `overhead`: per-op cost (bench/tensor_overhead.ts vs bench/peer/tensor_overhead.py).
 * - `model`: training and inference of the SNIPS joint model, memory and MFU (bench/model/suite.ts).
 * - `generate`: decoding with a key/value cache (greedy at batch 1, 8, 16; 4 beams), training steps and
 *   peak memory of GPT-2- and T5-shaped models (bench/generate/suite.ts; --repeats is the generations
 *   per configuration and side, the training steps twice as many).
 * Usage: npm run bench [-- overhead|model|generate …] [--repeats 5] [--threads 1]   (no suite named: all)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { modelTable, runModelSuite } from './model/suite.js';
import { generateTable, runGenerateSuite } from './generate/suite.js';
import { ensureOpenBlasCore } from '../src/tensor/blas-core.js';
import { ensurePassiveOmpWait } from '../src/tensor/omp-wait-policy.js';

const { values, positionals } = parseArgs({
  options: { repeats: { type: 'string', default: '5' }, threads: { type: 'string', default: '1' } },
  allowPositionals: true,
});
const SUITES = ['overhead', 'model', 'generate'];
const suites = positionals.length === 0 ? SUITES : positionals;
for (const s of suites) if (!SUITES.includes(s)) throw new Error(`unknown benchmark suite '${s}'; the suites are ${SUITES.join(', ')}`);
const repeats = Number(values.repeats);
const threads = Number(values.threads);
const OUT = 'bench/out';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const env: NodeJS.ProcessEnv = { ...process.env };
ensureOpenBlasCore(env); // the same OpenBLAS kernels for both sides, as the model suite
ensurePassiveOmpWait(env); // and the same OpenMP wait policy (as our side sets for itself)
const run = (cmd: string[]) =>
  JSON.parse(
    execFileSync(cmd[0] as string, cmd.slice(1), { encoding: 'utf8', env })
      .trim()
      .split('\n')
      .pop() as string,
  );

const date = new Date().toISOString();
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${threads} libtorch thread(s)`;

/** Writes a suite's Markdown (with its header line) to stdout and bench/out/<name>.md, its JSON to bench/out/<name>.json. */
function report(name: string, header: string, table: string, json: object): void {
  const md = `${header}\n\n${table}\n`;
  console.log(md);
  writeFileSync(`${OUT}/${name}.md`, md);
  writeFileSync(`${OUT}/${name}.json`, `${JSON.stringify({ date, machine, repeats, ...json }, null, 2)}\n`);
}

function overhead(): void {
  const common = ['--threads', String(threads)];
  const ours = [process.execPath, '--import', 'tsx', 'bench/tensor_overhead.ts', ...common];
  const peer = ['/usr/bin/python3', 'bench/peer/tensor_overhead.py', ...common];
  const metrics: Record<string, [string, string]> = {
    addUs: ['small add, result freed at once', 'µs/op'],
    mlpStepMs: ['MLP training step (B 64, 256→512→10, AdamW)', 'ms/step'],
  };
  const o: Record<string, number[]> = {};
  const p: Record<string, number[]> = {};
  for (let r = 0; r < repeats; r++) {
    for (const [cmd, into] of [
      [ours, o],
      [peer, p],
    ] as const) {
      const out = run(cmd);
      for (const k of Object.keys(out)) (into[k] ??= []).push(out[k]);
    }
  }
  const rows = Object.entries(metrics).map(([key, [label, unit]]) => {
    const a = median(o[key] ?? []);
    const b = median(p[key] ?? []);
    return { key, label, unit, ours: a, peer: b, ratio: a / b };
  });
  const table = [
    '| tensor_overhead | multitask-lm | PyTorch (Python) | ours/peer |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.label} | ${r.ours.toFixed(3)} ${r.unit} | ${r.peer.toFixed(3)} ${r.unit} | ${r.ratio.toFixed(2)}× |`),
  ].join('\n');
  report('tensor_overhead', `${date.slice(0, 10)} · ${machine} · ${repeats} alternating runs per side, medians`, table, {
    rows,
    raw: { ours: o, peer: p },
  });
}

async function model(): Promise<void> {
  const result = await runModelSuite({ repeats, threads, dir: OUT, log: (line) => console.error(line) });
  const header =
    `${date.slice(0, 10)} · ${machine} · OpenBLAS core ${result.blasCore} (both sides) · float32 matmul peak ` +
    `${result.matmulGflops.toFixed(0)} GFLOP/s · ${repeats} repeats, the sides taking turns unit by unit, medians`;
  report('model', header, modelTable(result), result);
}

const loads = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');

async function generation(): Promise<void> {
  const newTokens = 64;
  const loadStart = loadavg();
  const threadEnv = { ...env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) }; // as the model suite
  const result = await runGenerateSuite({ repeats, threads, newTokens, dir: `${OUT}/generate`, env: threadEnv }, (line) =>
    console.error(line),
  );
  const header =
    `${date.slice(0, 10)} · ${machine} · ${newTokens} new tokens, KV cache on both sides · one process per model, mode and side, ` +
    `asked in turns, ${repeats} units per configuration, medians · load average (1, 5, 15 min) ${loads(loadStart)} at the start, ` +
    `${loads(loadavg())} at the end`;
  report('generate', header, generateTable(result, newTokens), result);
}

mkdirSync(OUT, { recursive: true });
const RUNS: Record<string, () => void | Promise<void>> = { overhead, model, generate: generation };
for (const s of suites) await (RUNS[s] as () => void | Promise<void>)();
