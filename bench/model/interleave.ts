/**
 * Both sides of the model benchmark measured in turn: one long-lived process per side and mode
 * (bench/model/ours.ts, bench/peer/model.py), each asked for one unit of work at a time (a training
 * step, a prediction), the sides taking turns and alternating which goes first. A unit of one side is
 * milliseconds from the same unit of the other, so the load drifting on a shared machine hits both
 * alike — runs of one side in separate processes seconds apart moved by 20–25 % here. Each side times
 * its own units (wall clock, inside the process), so the pipe between the processes is not counted.
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

/** One process taking part: its command line and how many units it is asked for (0 … units − 1). */
export interface Side {
  cmd: readonly string[];
  units: number;
  /** The line that asks for unit i (default: i itself), e.g. to run only some of a process's configurations. */
  unitLine?: (i: number) => number;
}

/** What one side did: the wall ms of each unit, in unit order, and the JSON of its last line. */
export interface SideRun {
  timesMs: number[];
  summary: Record<string, unknown>;
}

/**
 * Asks the processes in turn for their units: for unit i, every side that has a unit i, starting with
 * side i mod n (two sides: A B, B A, A B, …), each answering before the next is asked.
 * @returns per side, in the order given, the times of its units and its final JSON line (peak RSS, matmul GFLOP/s, …).
 * @throws Error when a process fails to start, does not print `ready` first, answers something other
 *   than a number, or exits non-zero; the others are stopped.
 */
export async function interleaved(sides: readonly Side[], env: NodeJS.ProcessEnv): Promise<SideRun[]> {
  const running = sides.map((side) => ({ ...side, process: new LineProcess(side.cmd, env), timesMs: [] as number[] }));
  try {
    for (const side of running) {
      const line = await side.process.next();
      if (line !== 'ready') throw new Error(`'${side.cmd.join(' ')}' printed '${line}' where 'ready' was expected`);
    }
    const most = Math.max(...sides.map((s) => s.units));
    for (let i = 0; i < most; i++) {
      const turn = [...running.slice(i % running.length), ...running.slice(0, i % running.length)];
      for (const side of turn) {
        if (i >= side.units) continue;
        const answer = await side.process.ask(String(side.unitLine?.(i) ?? i));
        const ms = Number(answer);
        if (answer === '' || !Number.isFinite(ms))
          throw new Error(`'${side.cmd.join(' ')}' answered '${answer}' where a time in ms was expected`);
        side.timesMs.push(ms);
      }
    }
    const lasts = await Promise.all(running.map((side) => side.process.finish()));
    return running.map((side, k) => ({ timesMs: side.timesMs, summary: JSON.parse(lasts[k] as string) as Record<string, unknown> }));
  } finally {
    for (const side of running) side.process.kill();
  }
}
