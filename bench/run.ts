/**
 * Runs each benchmark side by side with its Python torch peer, alternating processes, and reports
 * medians and the ratio ours/peer as a Markdown table (stdout) and JSON (bench/out/<name>.json).
 * Usage: npm run bench [-- --repeats 5 --threads 1]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '5' }, threads: { type: 'string', default: '1' } } });
const repeats = Number(values.repeats);
const common = ['--threads', values.threads];

interface Bench {
  name: string;
  ours: string[];
  peer: string[];
  /** metric key → [label, unit]; lower is better for all of these. */
  metrics: Record<string, [string, string]>;
}

const benches: Bench[] = [
  {
    name: 'tensor_overhead',
    ours: [process.execPath, '--import', 'tsx', 'bench/tensor_overhead.ts', ...common],
    peer: ['/usr/bin/python3', 'bench/peer/tensor_overhead.py', ...common],
    metrics: { addUs: ['small add, result freed at once', 'µs/op'], mlpStepMs: ['MLP training step (B 64, 256→512→10, AdamW)', 'ms/step'] },
  },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const run = (cmd: string[]) =>
  JSON.parse(
    execFileSync(cmd[0] as string, cmd.slice(1), { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop() as string,
  );

mkdirSync('bench/out', { recursive: true });
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${values.threads} libtorch thread(s)`;
console.log(`${new Date().toISOString().slice(0, 10)} · ${machine} · ${repeats} alternating runs per side, medians\n`);
for (const bench of benches) {
  const ours: Record<string, number[]> = {};
  const peer: Record<string, number[]> = {};
  for (let r = 0; r < repeats; r++) {
    for (const [side, into] of [
      [bench.ours, ours],
      [bench.peer, peer],
    ] as const) {
      const out = run(side);
      for (const k of Object.keys(out)) (into[k] ??= []).push(out[k]);
    }
  }
  const rows = Object.entries(bench.metrics).map(([key, [label, unit]]) => {
    const o = median(ours[key] ?? []);
    const p = median(peer[key] ?? []);
    return { key, label, unit, ours: o, peer: p, ratio: o / p };
  });
  console.log(`| ${bench.name} | multitask-lm | PyTorch (Python) | ours/peer |\n| --- | ---: | ---: | ---: |`);
  for (const r of rows)
    console.log(`| ${r.label} | ${r.ours.toFixed(3)} ${r.unit} | ${r.peer.toFixed(3)} ${r.unit} | ${r.ratio.toFixed(2)}× |`);
  console.log('');
  writeFileSync(
    `bench/out/${bench.name}.json`,
    `${JSON.stringify({ date: new Date().toISOString(), machine, repeats, rows, raw: { ours, peer } }, null, 2)}\n`,
  );
}
