/**
 * The client side of the serve benchmarks (load.ts, soak.ts): starting `mtl serve` as its own process,
 * closed-loop clients on keep-alive connections (node:http, one socket per client), a /health prober,
 * and the server's resident memory read from /proc. Latency is wall clock at the client, ms.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { percentile } from '../model/measure.js';

export interface RunningServer {
  readonly base: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `node ...node serve <checkpoint> --port 0 ...extra` and waits for its first line, which names
 * the address. `node` is how to run the CLI: `['--import', 'tsx', 'src/cli/main.ts']` (a tree's
 * sources, so two trees can be compared) or `['dist/src/cli/main.js']` (compiled, as a service runs it).
 */
export async function startServer(
  node: readonly string[],
  checkpoint: string,
  extra: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningServer> {
  const child = spawn(process.execPath, [...node, 'serve', checkpoint, '--port', '0', ...extra], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  const port = /on http:\/\/[^:]+:(\d+) /.exec(String(first.value))?.[1];
  if (port === undefined) throw new Error(`mtl serve printed '${String(first.value)}' where its address was expected`);
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident memory of process `pid` (VmRSS), MiB; NaN where there is no /proc. */
export function rssMiB(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line === undefined ? NaN : Number(line.split(/\s+/)[1]) / 1024;
  } catch {
    return NaN;
  }
}

/** One answer: its status and the time from sending to the last byte, ms. */
export interface Sample {
  readonly status: number;
  readonly ms: number;
}

/** Sends one request on `agent`; resolves with its status and latency (status 0 for a connection error). */
export function send(agent: Agent, url: string, body?: string): Promise<Sample> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request(
      url,
      { agent, method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
        res.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
    req.end(body);
  });
}

/** `connections` clients, each on its own keep-alive socket, sending `body()` to `url` one after another for `seconds`. */
export async function closedLoop(url: string, body: () => string, connections: number, seconds: number): Promise<Sample[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const samples: Sample[] = [];
  const end = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < end) samples.push(await send(agent, url, body()));
  };
  await Promise.all(Array.from({ length: connections }, client));
  agent.destroy();
  return samples;
}

/** GET `url` every `everyMs` (after the previous answer) until `stop()` resolves; the samples. */
export async function probe(url: string, everyMs: number, stop: Promise<unknown>): Promise<Sample[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: Sample[] = [];
  let done = false;
  void stop.then(() => (done = true));
  while (!done) {
    samples.push(await send(agent, url));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  agent.destroy();
  return samples;
}

/** Count, requests/s over `seconds`, p50/p99/max latency (ms) of the 200s, and the other statuses counted. */
export function summary(samples: readonly Sample[], seconds: number) {
  const ok = samples.filter((s) => s.status === 200).map((s) => s.ms);
  const others: Record<string, number> = {};
  for (const s of samples) if (s.status !== 200) others[s.status] = (others[s.status] ?? 0) + 1;
  const p = (q: number) => (ok.length === 0 ? NaN : percentile(ok, q));
  return { n: samples.length, ok: ok.length, perSecond: ok.length / seconds, p50: p(50), p99: p(99), max: p(100), others };
}

/** The lines of `file` (SNIPS utterances), or three fixed ones where the data set is absent. */
export function utterances(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').trim().split('\n');
  } catch {
    return ['play some jazz by miles davis on spotify', 'will it rain in paris tomorrow', 'rate this book five stars'];
  }
}
