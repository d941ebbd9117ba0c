/**
 * Running a child process in tests: its exit code with everything it printed.
 */
import { spawn } from 'node:child_process';

export interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, ms. */
  readonly ms: number;
}

/** Runs `node args…` with `env` added to this process's; settles when it exits (killed after `limitMs`). */
export async function runNode(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  limitMs = 120_000,
): Promise<ChildResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}
