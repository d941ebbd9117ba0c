/**
 * One `kill -9` during checkpointing: `mtl train` on the tiny run, saving last/ at every step
 * (eval_every 1, so a checkpoint is being written most of the time), is killed with SIGKILL at a
 * random moment after its first checkpoint; then last/ and best/ must load, and `--resume` must
 * continue the run to two steps past where it stopped. Used by tests/faults/kill-checkpoint.test.ts
 * (a few trials) and bench/faults/kill-checkpoint.ts (many).
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { tinyYaml, type RunFolder } from '../../tests/train/trainer-fixture.js';

const MTL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'mtl.js');

export interface KillTrial {
  /** ms between the first checkpoint appearing and the SIGKILL. */
  readonly delayMs: number;
  /** The step of the last/ checkpoint found after the kill. */
  readonly step: number;
  /** Whether a best/ checkpoint was there (it loaded if so). */
  readonly best: boolean;
  /** The exit code of `mtl train --resume --max-steps step+2`, and its stderr when not 0. */
  readonly resumeCode: number;
  readonly resumeError: string;
}

/** Whether `folder` or its mid-swap sibling (.name.previous) is there. */
const present = (folder: string) => existsSync(folder) || existsSync(path.join(path.dirname(folder), `.${path.basename(folder)}.previous`));

/**
 * Runs one trial in `run`'s folder under output `name` (a fresh folder per trial).
 * @param delayMs how long after the first checkpoint appears to kill, ms.
 * @throws what loading last/ or best/ throws (an unloadable checkpoint).
 */
export async function killDuringCheckpoint(run: RunFolder, name: string, delayMs: number): Promise<KillTrial> {
  const config = path.join(run.dir, `${name}.yaml`);
  const out = path.join(run.dir, name);
  writeFileSync(config, tinyYaml(name, { training: '  max_steps: 100000\n  batch_size: 8\n  eval_every: 1\n  log_every: 1000' }));
  const child = spawn(process.execPath, [MTL, 'train', config], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  while (!gone && !present(path.join(out, 'last'))) await new Promise((r) => setTimeout(r, 5));
  if (gone) throw new Error(`mtl train ${config} ended before its first checkpoint`);
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill('SIGKILL');
  await exited;
  const step = (() => {
    using last = loadCheckpoint(path.join(out, 'last'));
    return last.trainerState?.step ?? 0;
  })();
  const best = present(path.join(out, 'best'));
  if (best) loadCheckpoint(path.join(out, 'best'), { optimizer: false }).dispose();
  const err: string[] = [];
  const log = mock.method(console, 'log', () => undefined);
  const error = mock.method(console, 'error', (...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const resumeCode = await main(['train', config, '--resume', '--max-steps', String(step + 2)]);
    return { delayMs, step, best, resumeCode, resumeError: err.join('\n') };
  } finally {
    log.mock.restore();
    error.mock.restore();
  }
}
