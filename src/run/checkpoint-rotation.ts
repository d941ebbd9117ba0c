/**
 * Numbered checkpoints (`training.save_steps`): `<output_dir>/checkpoint-<step>/`, each a complete
 * checkpoint folder, and `save_total_limit`'s rotation with Hugging Face Trainer's rule
 * (`Trainer._sorted_checkpoints` / `_rotate_checkpoints`): the folders ordered by step, the best
 * step's moved to the second-to-last place (so it outlives every older one and all but the newest),
 * the oldest deleted until `limit` remain; with limit 1 and a best that is not the newest, 2 remain
 * (the best, and the newest, which a resume needs).
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

const NUMBERED = /^checkpoint-(\d+)$/;

/** The folder of the numbered checkpoint of `step`. */
export function numberedCheckpoint(outputDir: string, step: number): string {
  return path.join(outputDir, `checkpoint-${step}`);
}

/** The steps of the numbered checkpoints in `outputDir`, ascending. */
export function numberedSteps(outputDir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(outputDir);
  } catch {
    return []; // no output folder yet: no checkpoints
  }
  return names
    .map((n) => NUMBERED.exec(n)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * The folders of the last `k` numbered checkpoints of a run's output folder, by step (oldest first):
 * what `mtl average RUN_DIR --last K` averages (Vaswani et al. 2017, §6.1: the last 5 checkpoints).
 * @param k how many (≥ 1).
 * @throws ConfigError when `outputDir` holds fewer than `k` numbered checkpoints (listing the steps it holds).
 */
export function lastNumberedCheckpoints(outputDir: string, k: number): string[] {
  if (!Number.isInteger(k) || k < 1) throw new ConfigError(`the number of checkpoints must be a positive integer, got ${k}`);
  const steps = numberedSteps(outputDir);
  if (steps.length < k)
    throw new ConfigError(
      `${outputDir} holds ${steps.length === 0 ? 'no numbered checkpoints' : `${steps.length} numbered checkpoint${steps.length > 1 ? 's' : ''} (checkpoint-${steps.join(', checkpoint-')})`}, ` +
        `fewer than the ${k} asked for; a run writes checkpoint-<step>/ every training.save_steps steps`,
    );
  return steps.slice(-k).map((step) => numberedCheckpoint(outputDir, step));
}

/**
 * The steps whose checkpoints `save_total_limit` deletes (Hugging Face's rule; see the file comment).
 * @param steps the numbered checkpoints' steps.
 * @param limit save_total_limit (≥ 1).
 * @param bestStep the step of the best dev evaluation so far, or null.
 */
export function stepsToDelete(steps: readonly number[], limit: number, bestStep: number | null): number[] {
  const order = [...steps].sort((a, b) => a - b);
  const at = bestStep === null ? -1 : order.indexOf(bestStep);
  if (at >= 0 && at < order.length - 1) {
    order.splice(at, 1);
    order.splice(order.length - 1, 0, bestStep as number); // second-to-last
  }
  const newest = order[order.length - 1];
  const keep = limit === 1 && at >= 0 && bestStep !== newest ? 2 : limit;
  return order.slice(0, Math.max(0, order.length - keep));
}

/** Deletes the numbered checkpoints beyond `limit` in `outputDir`. @returns the steps deleted. */
export function rotateCheckpoints(outputDir: string, limit: number, bestStep: number | null): number[] {
  const gone = stepsToDelete(numberedSteps(outputDir), limit, bestStep);
  for (const step of gone) rmSync(numberedCheckpoint(outputDir, step), { recursive: true, force: true });
  return gone;
}
