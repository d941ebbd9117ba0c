/**
 * The transfer report's table (`mtl transfer`, ./transfer.ts): each downstream task's main test metric
 * under each encoder (mean ± sample std over seeds, every seed's value), the paired differences of the
 * multi-task arm against the two others (same seeds: same fine-tuning subset, head init and batch order),
 * and the issue-15 criterion — multi-task beats both by more than the seeds' spread.
 */
import { mean, sampleStd } from '../metrics/spread.js';
import { pairedDifference } from './seed-stats.js';

/** The encoders fine-tuned from, in the table's column order. */
export const TRANSFER_ARMS = ['multi-task', 'self-supervised', 'scratch'] as const;
export type TransferArm = (typeof TRANSFER_ARMS)[number];

/** One cell of the table: a downstream task's main test metric under one arm. */
export interface TransferCell {
  readonly config: string;
  readonly task: string;
  readonly metric: string;
  readonly arm: TransferArm;
  /** One value per seed, in `seeds` order (fractions). */
  readonly values: readonly number[];
  readonly mean: number;
  /** Sample standard deviation (n − 1); 0 for one seed. */
  readonly std: number;
  /** Fine-tuning seconds per seed. */
  readonly seconds: readonly number[];
}

/** The cell of `arm` with the per-seed `values` (fractions), its mean and sample std filled in. */
export function transferCell(
  at: Omit<TransferCell, 'arm' | 'values' | 'mean' | 'std'>,
  arm: TransferArm,
  values: readonly number[],
): TransferCell {
  return { ...at, arm, values, mean: mean(values), std: sampleStd(values) };
}

/**
 * Whether arm `a` beats arm `b` by more than the seeds' spread: the difference of the means exceeds
 * the larger of the two sample standard deviations (false with one seed, which has no spread).
 */
export function beatsBeyondSpread(a: TransferCell, b: TransferCell): boolean {
  return a.values.length > 1 && a.mean - b.mean > Math.max(a.std, b.std);
}

/** Fraction `x` in points (×100) with two decimals; a negative one with '−' (U+2212), and `signed`: '+' before the others. */
function points(x: number, signed = false): string {
  return `${x < 0 ? '−' : signed ? '+' : ''}${Math.abs(100 * x).toFixed(2)}`;
}

/**
 * "+1.23 ± 0.45 (a, b, c) wins|loses|within": the paired difference multi-task − other, in points (×100);
 * 'wins' when multi-task beats `other` beyond the spread, 'loses' when `other` beats multi-task so.
 */
function differenceCell(multiTask: TransferCell, other: TransferCell): string {
  const d = pairedDifference(multiTask.values, other.values);
  const std = d.std === null ? '' : ` ± ${points(d.std)}`;
  const verdict = beatsBeyondSpread(multiTask, other) ? 'wins' : beatsBeyondSpread(other, multiTask) ? 'loses' : 'within';
  return `${points(d.mean, true)}${std} (${d.values.map((v) => points(v, true)).join(', ')}) ${verdict}`;
}

/**
 * The markdown table of `cells`: one row per downstream task, one column per arm (mean ± sample std,
 * each seed's value), then the paired differences multi-task − self-supervised and multi-task − scratch with
 * whether each exceeds the seeds' spread either way (`beatsBeyondSpread`), and a closing count of the tasks on which
 * multi-task beats both.
 */
export function transferTable(cells: readonly TransferCell[], seeds: readonly number[]): string {
  let wins = 0;
  const keys = [...new Set(cells.map((c) => `${c.task}\u0000${c.metric}`))];
  const rows = keys.map((key) => {
    const [task, metric] = key.split('\u0000') as [string, string];
    const of = (arm: TransferArm) => cells.find((x) => x.task === task && x.metric === metric && x.arm === arm);
    const cols = TRANSFER_ARMS.map((arm) => {
      const c = of(arm);
      return c === undefined ? '–' : `${points(c.mean)} ± ${points(c.std)} (${c.values.map((v) => points(v)).join(', ')})`;
    });
    const [mt, selfSupervised, scratch] = TRANSFER_ARMS.map(of);
    const diffs = [selfSupervised, scratch].map((o) => (mt === undefined || o === undefined ? '–' : differenceCell(mt, o)));
    if (
      mt !== undefined &&
      selfSupervised !== undefined &&
      scratch !== undefined &&
      beatsBeyondSpread(mt, selfSupervised) &&
      beatsBeyondSpread(mt, scratch)
    )
      wins += 1;
    return `| ${task} | ${metric} | ${[...cols, ...diffs].join(' | ')} |`;
  });
  return [
    `| task | test metric (%) | ${TRANSFER_ARMS.map((a) => `from ${a}`).join(' | ')} | multi-task − self-supervised | multi-task − scratch |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `mean ± sample std over seeds ${seeds.join(', ')} (each seed's value in parentheses); the differences are paired by seed ` +
      "(points): 'wins' when multi-task's mean exceeds the other's by more than the larger of the two sample stds, 'loses' when the other's exceeds multi-task's so.",
    `multi-task beats both self-supervised and scratch beyond the seeds' spread on ${wins} of ${keys.length} task${keys.length === 1 ? '' : 's'}.`,
  ].join('\n');
}
