/**
 * The exact-resume check the run tests share: a run stopped mid-way (as Ctrl-C stops it) and resumed must end
 * with the files of the run that was never stopped, byte for byte.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TrainingConfig } from '../../src/io/config/index.js';
import type { TrainOptions, TrainResult } from '../../src/train/trainer-options.js';
import { train } from '../../src/train/trainer.js';

/**
 * Trains `config` until the progress report of step `stopAt`, aborts it there, checks that it stopped as
 * 'interrupted' at that step, calls `between` (to look at the saved state), then resumes it with the same
 * `options` and returns the resumed run's result.
 */
export async function interruptAndResume(
  config: TrainingConfig,
  stopAt: number,
  options: TrainOptions = {},
  between: () => void = () => undefined,
): Promise<TrainResult> {
  const controller = new AbortController();
  const first = await train(config, { ...options, signal: controller.signal, onProgress: (p) => p.step === stopAt && controller.abort() });
  assert.equal(first.status, 'interrupted');
  assert.equal(first.step, stopAt);
  between();
  return train(config, { ...options, resume: true });
}

/** Asserts that `files` of two checkpoint folders are equal byte for byte, naming the first that differs. */
export function assertSameFiles(resumed: string, uninterrupted: string, files: readonly string[] = ['model.safetensors']): void {
  for (const file of files) {
    const same = readFileSync(path.join(resumed, file)).equals(readFileSync(path.join(uninterrupted, file)));
    assert.ok(same, `${file} of ${resumed} differs from the uninterrupted run's`);
  }
}
