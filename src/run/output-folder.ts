/**
 * Who may write into a run's output folder. A folder that already holds a run (a `best/` or `last/`
 * checkpoint, or the `.previous` sibling a crash mid-replacement leaves) is never taken over by
 * accident: a new run there must be asked for with `--overwrite`, a continued one with `--resume`.
 *
 * With `--overwrite` the earlier run stays whole until the new run has a checkpoint of its own: its
 * `best/`, `last/`, `checkpoint-<step>/` folders and `test_metrics.json` are removed only after the new run's first `last/` has
 * been written (which replaces the old `last/` atomically), so a crash or a bad config in between
 * leaves the earlier run as it was, resumable.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { previousOf } from '../io/checkpoint-atomic.js';
import { numberedCheckpoint, numberedSteps } from './checkpoint-rotation.js';

/** What a run writes into its output folder that another run's start must not destroy. */
const CHECKPOINTS = ['best', 'last'] as const;

/** The checkpoints of an earlier run in `dir` (`best`, `last`; a half-replaced one counts), in that order. */
export function earlierRunCheckpoints(dir: string): string[] {
  return CHECKPOINTS.filter((name) => existsSync(path.join(dir, name)) || existsSync(previousOf(path.join(dir, name))));
}

/** How the run treats what its output folder already holds. */
export interface OutputFolderPolicy {
  /** Continue the run in the folder (`--resume`). */
  readonly resume?: boolean;
  /** Start a new run over the one in the folder (`--overwrite`). */
  readonly overwrite?: boolean;
}

/**
 * Checks that a run may start in `dir` (before any data is read).
 * @returns the earlier run's checkpoints that a fresh run replaces (empty when there is none, or when resuming).
 * @throws ConfigError when both `resume` and `overwrite` are asked for, or when `dir` holds a run and neither is.
 */
export function claimOutputFolder(dir: string, policy: OutputFolderPolicy): string[] {
  if (policy.resume === true && policy.overwrite === true)
    throw new ConfigError(
      '--resume and --overwrite exclude each other: --resume continues the run in the output folder, --overwrite replaces it',
    );
  if (policy.resume === true) return [];
  const found = earlierRunCheckpoints(dir);
  if (found.length > 0 && policy.overwrite !== true)
    throw new ConfigError(
      `${dir} already holds a run (${found.map((f) => `${f}/`).join(' and ')}); nothing was changed. ` +
        'Pass --resume to continue it, --overwrite to replace it with a new run (its checkpoints are removed once the new run has saved its first), ' +
        'or choose another output folder (--output or output_dir)',
    );
  return found;
}

/**
 * Removes what an earlier run left in `dir` besides the `last/` the new run has just written:
 * `best/` (which would otherwise be taken for the new run's best), `test_metrics.json`, the
 * `.previous` siblings of both checkpoints, and its numbered `checkpoint-<step>/` folders (save_steps).
 * Call once, right after the new run's first `last/`.
 * @param keepSteps the numbered checkpoints the new run has already written, which stay.
 */
export function removeEarlierRun(dir: string, keepSteps: readonly number[] = []): void {
  for (const name of ['best', previousOf('best'), previousOf('last'), 'test_metrics.json'])
    rmSync(path.join(dir, name), { recursive: true, force: true });
  for (const step of numberedSteps(dir))
    if (!keepSteps.includes(step)) rmSync(numberedCheckpoint(dir, step), { recursive: true, force: true });
}
