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

/** Runs `mtl generate ARGS…` (main(argv) with its `write`): its exit code, the text it wrote, and what it printed as errors. */
export async function runGenerateCli(args: readonly string[]): Promise<{ code: number; text: string; errors: string[] }> {
  const pieces: string[] = [];
  const errors: string[] = [];
  const error = mock.method(console, 'error', (m: string) => void errors.push(m));
  try {
    const code = await main(['generate', ...args], { write: (t) => void pieces.push(t) });
    return { code, text: pieces.join(''), errors };
  } finally {
    error.mock.restore();
  }
}
