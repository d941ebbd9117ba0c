/**
 * A bounded soak of `mtl serve` (issue 17 item 7): `--rounds` rounds of `--seconds` each, every round
 * the same mixed load — `--clients` one-utterance clients and `--heavy` clients sending the issue's
 * heavy request (100 texts of ".," x 5,000) — with /health probed every 10 ms. Per round: requests/s and
 * p50/p99 of the one-utterance requests, heavy requests answered, /health p99 and max, answers that were
 * not 200, and the server's RSS at the round's end; then whether RSS grew over the second half of the
 * rounds (a leak shows as steady growth once the allocator has warmed up).
 * Usage: node --import tsx bench/serve/soak.ts --checkpoint DIR [--rounds 10] [--seconds 15] [--clients 8] [--heavy 1]
 */
import { parseArgs } from 'node:util';
import { closedLoop, probe, rssMiB, startServer, summary, utterances } from './client.js';

const { values: a } = parseArgs({
  options: {
    checkpoint: { type: 'string' },
    main: { type: 'string', default: 'src/cli/main.ts' },
    rounds: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '15' },
    clients: { type: 'string', default: '8' },
    heavy: { type: 'string', default: '1' },
    data: { type: 'string', default: '../shared/datasets/snips/dev/seq.in' },
  },
});
if (a.checkpoint === undefined) throw new Error('--checkpoint DIR is required (a trained run, e.g. runs/snips/best)');
const seconds = Number(a.seconds);
const texts = utterances(a.data);
let next = 0;
const light = () => JSON.stringify({ inputs: [texts[next++ % texts.length]] });
const HEAVY = JSON.stringify({
  inputs: Array.from({ length: 100 }, () => '.,'.repeat(5000)),
});
const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

const server = await startServer(['--import', 'tsx', a.main], a.checkpoint);
const rss: number[] = [];
try {
  console.log(
    `${a.checkpoint}: ${a.rounds} rounds of ${seconds} s, ${a.clients} one-utterance clients + ${a.heavy} heavy; RSS at start ${f(rssMiB(server.pid))} MiB`,
  );
  console.log('| round | requests/s | p50 ms | p99 ms | heavy answered | /health p99 ms | /health max ms | not 200 | RSS MiB |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
  for (let round = 1; round <= Number(a.rounds); round++) {
    const lightRun = closedLoop(`${server.base}/predict`, light, Number(a.clients), seconds);
    const heavyRun =
      Number(a.heavy) > 0 ? closedLoop(`${server.base}/predict`, () => HEAVY, Number(a.heavy), seconds) : Promise.resolve([]);
    const health = summary(await probe(`${server.base}/health`, 10, lightRun), seconds);
    const [l, h] = [summary(await lightRun, seconds), summary(await heavyRun, seconds)];
    rss.push(rssMiB(server.pid));
    const others = {
      ...l.others,
      ...Object.fromEntries(Object.entries(h.others).map(([k, v]) => [`heavy ${k}`, v])),
    };
    console.log(
      `| ${round} | ${f(l.perSecond)} | ${f(l.p50)} | ${f(l.p99)} | ${h.ok} | ${f(health.p99)} | ${f(health.max)} | ${JSON.stringify(others)} | ${f(rss.at(-1)!)} |`,
    );
  }
} finally {
  await server.stop();
}
const half = rss.slice(Math.floor(rss.length / 2));
console.log(
  `RSS over the second half of the rounds: ${f(half[0]!)} -> ${f(half.at(-1)!)} MiB (max ${f(Math.max(...half))}); over all rounds max ${f(Math.max(...rss))} MiB`,
);
