/**
 * Batch-1 latency of both sides measured in turn: one long-lived process per side (`--mode latency`
 * of bench/model/ours.ts and bench/peer/model.py), asked for one single-example prediction at a time,
 * the two sides alternating which goes first. Each pair of predictions is milliseconds apart, so the
 * load drifting on a shared machine hits both sides alike — separate runs of one side seconds apart
 * moved by 25 % here. Each side times its own prediction (wall clock, inside the process), so the
 * pipe between the processes is not counted.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';

/** A child process spoken to one line at a time: write a line to its stdin, read one from its stdout. */
class LineProcess {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines: AsyncIterator<string>;
  private readonly exited: Promise<number | null>;

  constructor(
    private readonly cmd: readonly string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(cmd[0] as string, cmd.slice(1), { env, stdio: ['pipe', 'pipe', 'inherit'] });
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', resolve);
    });
    this.child.stdin.on('error', () => undefined); // a process that died is reported by next() and finish()
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  /**
   * The next line the process prints.
   * @throws Error when its output ends first.
   */
  async next(): Promise<string> {
    const r = await this.lines.next();
    if (r.done === true)
      throw new Error(`'${this.cmd.join(' ')}' ended its output before answering (exit code ${String(await this.exited)})`);
    return r.value;
  }

  /** Writes `line` to the process and returns the line it answers. */
  async ask(line: string): Promise<string> {
    this.child.stdin.write(`${line}\n`);
    return this.next();
  }

  /** Stops the process if it still runs (after an error on either side). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }

  /**
   * Ends the process's input and returns the last line it prints before exiting.
   * @throws Error when it exits with a non-zero code.
   */
  async finish(): Promise<string> {
    this.child.stdin.end();
    let last = '';
    for (;;) {
      const r = await this.lines.next();
      if (r.done === true) break;
      last = r.value;
    }
    const code = await this.exited;
    if (code !== 0) throw new Error(`'${this.cmd.join(' ')}' exited with code ${String(code)}`);
    return last;
  }
}

/** Latencies of one side (ms, single example i at index i) and the JSON of its last line. */
export interface SideLatency {
  latenciesMs: number[];
  summary: Record<string, unknown>;
}

/**
 * Predicts single examples 0 … `count` − 1 on both sides in turn: for example i, `ours` first when i
 * is even, the peer first when odd.
 * @param ours, peer command lines of the two `--mode latency` processes.
 * @returns each side's latencies (ms, per example) and its final JSON line (peak RSS, matmul GFLOP/s).
 * @throws Error when either process fails to start, answers something else than a number, or exits non-zero.
 */
export async function interleavedLatency(
  ours: readonly string[],
  peer: readonly string[],
  env: NodeJS.ProcessEnv,
  count: number,
): Promise<{ ours: SideLatency; peer: SideLatency }> {
  const start = (cmd: readonly string[]) => ({ cmd, process: new LineProcess(cmd, env), latenciesMs: [] as number[] });
  const a = start(ours);
  const b = start(peer);
  try {
    for (const side of [a, b]) {
      const line = await side.process.next();
      if (line !== 'ready') throw new Error(`'${side.cmd.join(' ')}' printed '${line}' where 'ready' was expected`);
    }
    for (let i = 0; i < count; i++) {
      for (const side of i % 2 === 0 ? [a, b] : [b, a]) {
        const answer = await side.process.ask(String(i));
        const ms = Number(answer);
        if (answer === '' || !Number.isFinite(ms))
          throw new Error(`'${side.cmd.join(' ')}' answered '${answer}' where a latency in ms was expected`);
        side.latenciesMs.push(ms);
      }
    }
    const [oursLast, peerLast] = await Promise.all([a.process.finish(), b.process.finish()]);
    return {
      ours: { latenciesMs: a.latenciesMs, summary: JSON.parse(oursLast) as Record<string, unknown> },
      peer: { latenciesMs: b.latenciesMs, summary: JSON.parse(peerLast) as Record<string, unknown> },
    };
  } finally {
    a.process.kill();
    b.process.kill();
  }
}
