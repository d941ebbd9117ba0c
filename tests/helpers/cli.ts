/** Running the `mtl` command line inside a test's process (`main(argv)`), with what it prints captured. */
import { mock } from 'node:test';
import { main } from '../../src/cli/main.js';

/** Runs main(argv); its exit code and what it printed through console.log (stdout) and console.error (stderr). */
export async function runCli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = mock.method(console, 'log', (...a: unknown[]) => void out.push(a.join(' ')));
  const error = mock.method(console, 'error', (...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main(argv);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mock.restore();
    error.mock.restore();
  }
}
