/**
 * A sweep's state, `<sweep>/sweep_state.json`: the settings it was started with and every trial's
 * point, rung, metrics and status. Written atomically (a temporary file renamed over it) after every
 * change, so a sweep killed at any moment resumes from its last write: finished rungs are never
 * trained again, and a trial that was running continues from its run's `last/` checkpoint.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../../errors.js';
import type { Point } from './space.js';
import type { SweepConfig } from './sweep-config.js';

/**
 * queued: to be (re)started; running: a `mtl train` process is on it; paused: it finished its rung
 * and waits for promotion; completed: it trained all steps; early-stopped: its run stopped itself; failed.
 */
export type TrialStatus = 'queued' | 'running' | 'paused' | 'completed' | 'early-stopped' | 'failed';

export interface TrialRecord {
  readonly id: number;
  readonly point: Point;
  /** The rung the trial trains towards (running, queued) or finished last. */
  rung: number;
  /** The dev metric (the best of the run so far) at the end of each rung finished. */
  values: number[];
  status: TrialStatus;
  /** Optimizer steps trained, and seconds of wall time spent in its processes. */
  steps: number;
  seconds: number;
  /** The process training it (while running). */
  pid?: number;
  /** Why it failed: the end of its log. */
  error?: string;
}

export interface SweepState {
  readonly version: 1;
  /** What decides the trials' points and budgets: a resumed sweep must have the same. */
  readonly settings: Record<string, unknown>;
  readonly trials: TrialRecord[];
}

/** The settings of a sweep that a resume must find unchanged. */
export function sweepSettings(s: SweepConfig): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({
      config: s.configFile,
      base: s.base,
      sampler: s.sampler,
      seed: s.seed,
      space: s.space,
      tpe: s.tpe,
      metric: s.metric,
      mode: s.mode,
      budgets: s.budgets,
      reduction_factor: s.reductionFactor,
    }),
  ) as Record<string, unknown>;
}

export const stateFile = (dir: string): string => path.join(dir, 'sweep_state.json');

/**
 * The state in `dir`, or a new one. A state written by other settings is refused (`trials` may change).
 * @throws ConfigError when the folder holds another sweep.
 */
export function loadState(dir: string, settings: Record<string, unknown>): SweepState {
  const file = stateFile(dir);
  if (!existsSync(file)) return { version: 1, settings, trials: [] };
  const state = JSON.parse(readFileSync(file, 'utf8')) as SweepState;
  if (!isDeepStrictEqual(state.settings, settings)) {
    const changed = Object.keys(settings).filter((k) => !isDeepStrictEqual(settings[k], state.settings[k]));
    throw new ConfigError(
      `${file} belongs to a sweep with other settings (${changed.join(', ')} differ); give the space another output_dir, or remove that folder to start again`,
    );
  }
  return state;
}

/** Writes the state atomically. */
export function saveState(dir: string, state: SweepState): void {
  const file = stateFile(dir);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}
