/**
 * Measurement helpers of the model benchmark's TypeScript side.
 */
import { readFileSync } from 'node:fs';
import type { Tensor } from '../../src/tensor/index.js';

/** A batch as tensors: (B, T) int64 ids and mask, (B) intent ids, (B, T) slot ids. */
export interface TensorBatch {
  inputIds: Tensor;
  attentionMask: Tensor;
  intent: Tensor;
  slots: Tensor;
}

/** The process's peak resident set (VmHWM of /proc/self/status), MiB; NaN where there is no /proc. */
export function peakRssMiB(): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    return line === undefined ? NaN : Number(line.split(/\s+/)[1]) / 1024;
  } catch {
    return NaN;
  }
}

/** The p-th percentile (0–100) of `xs`, linear between the nearest ranks (numpy's default). */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const rank = ((s.length - 1) * p) / 100;
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, s.length - 1);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (rank - lo);
}

/** The median of `xs`: the middle value, or the mean of the two middle ones for an even count. */
export const median = (xs: readonly number[]): number => percentile(xs, 50);
