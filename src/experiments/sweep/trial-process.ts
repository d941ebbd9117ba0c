/**
 * One trial's training as a child process: `mtl train <trial>/config.yaml --stop-at BUDGET`, with
 * `--resume` when its run has a `last/` checkpoint (a promotion, or a trial interrupted mid-rung) and
 * `--overwrite` otherwise; its output appended to `<trial>/train.log`. What it reached is read back
 * from the run's metrics.jsonl and the command's closing line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../package-root.js';

export interface TrialPaths {
  readonly dir: string;
  readonly config: string;
  readonly run: string;
  readonly log: string;
}

export const trialPaths = (sweepDir: string, id: number): TrialPaths => {
  const dir = path.join(sweepDir, 'trials', String(id).padStart(3, '0'));
  return { dir, config: path.join(dir, 'config.yaml'), run: path.join(dir, 'run'), log: path.join(dir, 'train.log') };
};

/** How a trial's process ended. */
export interface TrialOutcome {
  /** The trainer's status ('paused' at a rung), or 'failed' (an exit code other than 0 and 130, or no closing line). */
  readonly status: 'completed' | 'early-stopped' | 'paused' | 'interrupted' | 'failed';
  /** Optimizer steps done. */
  readonly step: number;
  /** The best dev selection value up to `budget` (undefined when no evaluation was recorded). */
  readonly value: number | undefined;
  readonly seconds: number;
  /** The log's last lines, when it failed. */
  readonly error?: string;
}

/** The `mtl` command of this package (bin/mtl.js: the sources through tsx in a checkout, dist/ when installed). */
const mtlBin = (): string => path.join(packageRoot(import.meta.url), 'bin', 'mtl.js');

/** Whether the run in `runDir` has a checkpoint to resume from. */
export const resumable = (runDir: string): boolean =>
  existsSync(path.join(runDir, 'last')) || existsSync(path.join(runDir, '.last.previous'));

/** Starts the trial's process towards `budget` steps; `env` is added to this process's environment. */
export function startTrial(p: TrialPaths, budget: number, env: Readonly<Record<string, string>> = {}): ChildProcess {
  const log = openSync(p.log, 'a');
  try {
    const args = [mtlBin(), 'train', p.config, '--stop-at', String(budget), resumable(p.run) ? '--resume' : '--overwrite'];
    return spawn(process.execPath, args, { stdio: ['ignore', log, log], env: { ...process.env, ...env } });
  } finally {
    closeSync(log);
  }
}

/** The last eval record's `selection.best` at or before `budget` in the run's metrics.jsonl. */
export function valueAt(runDir: string, budget: number): number | undefined {
  const file = path.join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) return undefined;
  let value: number | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as { type: string; step: number; selection?: { best: number | null } };
    if (r.type === 'eval' && r.step <= budget && r.selection?.best !== null && r.selection?.best !== undefined) value = r.selection.best;
  }
  return value;
}

/** The log's size in bytes before a process appends to it (its own lines start there). */
export const logOffset = (p: TrialPaths): number => (existsSync(p.log) ? statSync(p.log).size : 0);

/**
 * Settles when `child` exits, with what the trial reached (`started`: performance.now() at its start;
 * `from`: the log offset where its lines start).
 */
export function trialOutcome(child: ChildProcess, p: TrialPaths, budget: number, started: number, from: number): Promise<TrialOutcome> {
  return new Promise((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      const seconds = (performance.now() - started) / 1000;
      const log = existsSync(p.log) ? readFileSync(p.log).subarray(from).toString('utf8') : '';
      const closing = [...log.matchAll(/^(completed|early-stopped|interrupted|paused) after (\d+) of \d+ steps/gm)].at(-1);
      const value = valueAt(p.run, budget);
      if ((code !== 0 && code !== 130) || closing === undefined) {
        const tail = log.trimEnd().split('\n').slice(-8).join('\n');
        resolve({ status: 'failed', step: 0, value, seconds, error: `exit ${code ?? signal}: ${tail}` });
        return;
      }
      resolve({ status: closing[1] as TrialOutcome['status'], step: Number(closing[2]), value, seconds });
    };
    child.once('exit', finish);
    child.once('error', (e) => resolve({ status: 'failed', step: 0, value: undefined, seconds: 0, error: e.message }));
  });
}
