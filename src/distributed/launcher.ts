/**
 * Starting the workers of a data-parallel run on this machine, as torchrun does for one node: N
 * processes of the same command, each with RANK = LOCAL_RANK = i, WORLD_SIZE = N, MASTER_ADDR =
 * 127.0.0.1 and a free MASTER_PORT, and OMP_NUM_THREADS = 1 unless set (N processes of several
 * threads each would oversubscribe the cores). SIGINT and SIGTERM are passed on to every worker (each
 * saves and stops); when one fails otherwise, the others are stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { constants } from 'node:os';

export interface LaunchOptions {
  /** Worker processes. */
  readonly nproc: number;
  /** Node's arguments for each worker (script and its arguments). */
  readonly args: readonly string[];
  /** The environment the workers start from (the launcher's own). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The rendezvous port; default: one the OS finds free. */
  readonly port?: number;
  /** Milliseconds the other workers get to stop after one failed, before SIGKILL. Default 10,000. */
  readonly graceMs?: number;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Whether a worker has neither exited nor been killed. */
const running = (w: ChildProcess): boolean => w.exitCode === null && w.signalCode === null;

/** The exit code a shell reports for a child: its code, or 128 + the signal's number. */
function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (constants.signals[signal ?? 'SIGTERM'] ?? 0);
}

/**
 * Runs `nproc` workers until all have exited.
 * @returns 0 when every worker exited 0; otherwise the exit code of the first that did not.
 */
export async function launchWorkers(options: LaunchOptions): Promise<number> {
  const port = options.port ?? (await freeLoopbackPort());
  const workers: ChildProcess[] = [];
  for (let rank = 0; rank < options.nproc; rank++) {
    const env = {
      ...options.env,
      RANK: String(rank),
      LOCAL_RANK: String(rank),
      WORLD_SIZE: String(options.nproc),
      LOCAL_WORLD_SIZE: String(options.nproc),
      MASTER_ADDR: '127.0.0.1',
      MASTER_PORT: String(port),
      OMP_NUM_THREADS: options.env.OMP_NUM_THREADS ?? '1',
    };
    // Own process group: a terminal's Ctrl-C reaches the launcher alone, which passes it on once.
    workers.push(spawn(process.execPath, [...options.args], { env, stdio: 'inherit', detached: true }));
  }
  let interrupting = false; // workers told to stop save and exit 130: not a failure to stop the others for
  const forward = (signal: NodeJS.Signals) => () => {
    interrupting = true;
    for (const w of workers) if (running(w)) w.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  let failed: number | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.on('exit', (code, signal) => {
              const status = exitCode(code, signal);
              if (status !== 0 && failed === undefined) {
                failed = status;
                if (interrupting) return resolve();
                for (const other of workers) if (running(other)) other.kill('SIGTERM');
                killTimer = setTimeout(() => {
                  for (const other of workers) if (running(other)) other.kill('SIGKILL');
                }, options.graceMs ?? 10_000);
              }
              resolve();
            });
          }),
      ),
    );
  } finally {
    clearTimeout(killTimer);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  return failed ?? 0;
}
