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
