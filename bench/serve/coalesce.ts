/**
 * What running concurrent requests together gives `mtl serve`: the server (compiled, as a service
 * runs it) on a trained checkpoint, with `--max-batch 1` (each request alone, as a plain web handler
 * around a model runs) and `--max-batch 64` (requests that arrive while the model is busy run in its
 * next call, src/serve/coalesce.ts), taking turns, under the same load: `--clients` concurrent
 * clients, each sending one SNIPS dev utterance per request, one after another, `--requests` in all.
 * Reports requests/s and latency p50/p95 (wall clock at the client) per setting, medians over the
 * repeats, and the ratio. The client runs in this process, beside the server on the same machine.
 * Usage: npm run build && node dist/bench/serve/coalesce.js --checkpoint runs/snips/best [--clients 8] [--requests 400] [--repeats 3]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, percentile } from '../model/measure.js';
import { startServer } from './client.js';

const { values: a } = parseArgs({
  options: {
    checkpoint: { type: 'string' },
    clients: { type: 'string', default: '8' },
    requests: { type: 'string', default: '400' },
    repeats: { type: 'string', default: '3' },
    data: { type: 'string', default: '../shared/datasets/snips/dev/seq.in' },
  },
});
if (a.checkpoint === undefined) throw new Error('--checkpoint DIR is required (a trained run, e.g. runs/snips/best)');
const checkpoint = a.checkpoint;
const clients = Number(a.clients);
const requests = Number(a.requests);
const texts = readFileSync(a.data, 'utf8').trim().split('\n');
const MAIN = path.join('dist', 'src', 'cli', 'main.js');

/** Starts `mtl serve` (compiled) with `maxBatch`. */
const startWith = (maxBatch: number) =>
  startServer([MAIN], checkpoint, ['--max-batch', String(maxBatch)], { ...process.env, OMP_NUM_THREADS: '1' });

/** `clients` concurrent loops sending one text per request until `requests` are answered. */
async function load(base: string): Promise<{ requestsPerSecond: number; p50Ms: number; p95Ms: number }> {
  const latencies: number[] = [];
  let next = 0;
  const client = async () => {
    for (let i = next++; i < requests; i = next++) {
      const t0 = performance.now();
      const res = await fetch(`${base}/predict`, { method: 'POST', body: JSON.stringify({ inputs: [texts[i % texts.length]] }) });
      if (res.status !== 200) throw new Error(`request ${i}: status ${res.status}: ${await res.text()}`);
      await res.json();
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - t0) / 1000;
  return { requestsPerSecond: requests / seconds, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95) };
}

const SETTINGS = [1, 64];
const runs = new Map<number, { requestsPerSecond: number; p50Ms: number; p95Ms: number }[]>(SETTINGS.map((s) => [s, []]));
for (let r = 0; r < Number(a.repeats); r++) {
  for (const maxBatch of r % 2 === 0 ? SETTINGS : [...SETTINGS].reverse()) {
    const server = await startWith(maxBatch);
    try {
      await fetch(`${server.base}/predict`, { method: 'POST', body: JSON.stringify({ inputs: texts.slice(0, 8) }) }); // warm-up
      runs.get(maxBatch)?.push(await load(server.base));
    } finally {
      await server.stop();
    }
  }
}
const fig = (maxBatch: number, key: 'requestsPerSecond' | 'p50Ms' | 'p95Ms') => median((runs.get(maxBatch) ?? []).map((x) => x[key]));
const rows = (['requestsPerSecond', 'p50Ms', 'p95Ms'] as const).map((key) => ({ key, alone: fig(1, key), together: fig(64, key) }));
console.log(`${clients} clients, ${requests} requests of one utterance, ${a.repeats} repeats, medians; ${checkpoint}`);
console.log('| figure | --max-batch 1 | --max-batch 64 | 64 / 1 |\n| --- | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.key} | ${r.alone.toFixed(1)} | ${r.together.toFixed(1)} | ${(r.together / r.alone).toFixed(2)} |`);
console.log(JSON.stringify({ clients, requests, repeats: Number(a.repeats), checkpoint, runs: Object.fromEntries(runs) }));
