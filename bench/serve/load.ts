/**
 * `mtl serve` under load, as issue 17 asks: requests/s and latency p50/p99 of one-utterance requests
 * at 1, 4, 16 and 32 concurrent connections; then the heavy request (100 texts of ".," x 5,000,
 * a 1 MB body) sent by `--heavy` clients in a loop while /health is probed every 10 ms and one client
 * keeps sending one-utterance requests: /health p50/p99/max, the heavy and light latencies, the
 * server's RSS (at start, peak under the heavy load, 3 s after). Each server is its own process started
 * from a tree's src/cli/main.ts (`--mains label=path,…`, so main before and after a change are compared
 * on one checkpoint), the trees taking turns `--repeats` times; the table gives medians over the
 * repeats. The clients run in this process on keep-alive node:http connections.
 * Usage: node --import tsx bench/serve/load.ts --checkpoint DIR [--mains before=/tmp/base/src/cli/main.ts,after=src/cli/main.ts]
 *   [--repeats 2] [--seconds 8] [--heavy-seconds 20] [--heavy 4]
 */
import { Agent } from 'node:http';
import { parseArgs } from 'node:util';
import { median } from '../model/measure.js';
import { closedLoop, probe, rssMiB, send, startServer, summary, utterances } from './client.js';

const { values: a } = parseArgs({
  options: {
    checkpoint: { type: 'string' },
    mains: { type: 'string', default: 'this=src/cli/main.ts' },
    repeats: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '8' },
    'heavy-seconds': { type: 'string', default: '20' },
    heavy: { type: 'string', default: '4' },
    connections: { type: 'string', default: '1,4,16,32' },
    data: { type: 'string', default: '../shared/datasets/snips/dev/seq.in' },
  },
});
if (a.checkpoint === undefined) throw new Error('--checkpoint DIR is required (a trained run, e.g. runs/snips/best)');
const checkpoint = a.checkpoint;
const seconds = Number(a.seconds);
const heavySeconds = Number(a['heavy-seconds']);
const texts = utterances(a.data);
let next = 0;
const light = () => JSON.stringify({ inputs: [texts[next++ % texts.length]] });
const HEAVY = JSON.stringify({ inputs: Array.from({ length: 100 }, () => '.,'.repeat(5000)) });
const mains = a.mains.split(',').map((m) => m.split('=') as [string, string]);

/** One run of the whole load on the server of `main`: figure name → value. */
async function measure(main: string): Promise<Map<string, number>> {
  const figures = new Map<string, number>();
  const server = await startServer(['--import', 'tsx', main], checkpoint);
  try {
    await send(new Agent(), `${server.base}/predict`, JSON.stringify({ inputs: texts.slice(0, 8) })); // warm-up
    figures.set('RSS at start, MiB', rssMiB(server.pid));
    for (const c of a.connections.split(',').map(Number)) {
      const s = summary(await closedLoop(`${server.base}/predict`, light, c, seconds), seconds);
      figures.set(`${c} conn.: requests/s`, s.perSecond);
      figures.set(`${c} conn.: p50 ms`, s.p50);
      figures.set(`${c} conn.: p99 ms`, s.p99);
      figures.set(`${c} conn.: not 200`, s.n - s.ok);
    }
    let rssPeak = 0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(server.pid))), 100);
    const heavyRun = closedLoop(`${server.base}/predict`, () => HEAVY, Number(a.heavy), heavySeconds);
    const lightRun = closedLoop(`${server.base}/predict`, light, 1, heavySeconds);
    const healthRun = probe(`${server.base}/health`, 10, heavyRun);
    const [h, l, p] = [
      summary(await heavyRun, heavySeconds),
      summary(await lightRun, heavySeconds),
      summary(await healthRun, heavySeconds),
    ];
    clearInterval(sampler);
    figures.set('heavy load: /health answered', p.ok);
    figures.set('heavy load: /health p50 ms', p.p50);
    figures.set('heavy load: /health p99 ms', p.p99);
    figures.set('heavy load: /health max ms', p.max);
    figures.set('heavy load: heavy requests answered', h.ok);
    figures.set('heavy load: heavy p50 ms', h.p50);
    figures.set('heavy load: heavy not 200', h.n - h.ok);
    figures.set('heavy load: one-utterance answered (1 client)', l.ok);
    figures.set('heavy load: one-utterance p50 ms', l.p50);
    figures.set('heavy load: RSS peak, MiB', rssPeak);
    await new Promise((r) => setTimeout(r, 3000));
    figures.set('RSS 3 s after, MiB', rssMiB(server.pid));
  } finally {
    await server.stop();
  }
  return figures;
}

const runs = new Map<string, Map<string, number>[]>(mains.map(([label]) => [label, []]));
for (let r = 0; r < Number(a.repeats); r++) {
  for (const [label, main] of r % 2 === 0 ? mains : [...mains].reverse()) {
    const figures = await measure(main);
    runs.get(label)?.push(figures);
    console.error(`${label} (repeat ${r + 1}): ${JSON.stringify(Object.fromEntries(figures))}`);
  }
}
const names = [...(runs.get(mains[0]![0])?.[0]?.keys() ?? [])];
const f = (x: number) => (Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toFixed(1)) : '-');
console.log(
  `${checkpoint}; one-utterance requests ${seconds} s per setting; ${a.heavy} heavy clients (100 texts of '.,' x 5,000, ` +
    `${(HEAVY.length / 1e6).toFixed(2)} MB) for ${heavySeconds} s with /health probed every 10 ms; medians of ${a.repeats} repeats`,
);
console.log(`| figure | ${mains.map(([label]) => label).join(' | ')} |\n| --- |${mains.map(() => ' ---: |').join('')}`);
for (const name of names)
  console.log(`| ${name} | ${mains.map(([label]) => f(median((runs.get(label) ?? []).map((m) => m.get(name) ?? NaN)))).join(' | ')} |`);
