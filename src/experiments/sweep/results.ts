/**
 * A sweep's results: the trials ranked (the furthest rung first, then the metric there), as a
 * Markdown table and JSON, and the best trial's config.
 */
import type { ParameterValue } from './space.js';
import type { TrialRecord } from './state.js';

export interface SweepTable {
  readonly metric: string;
  readonly mode: 'max' | 'min';
  /** Rung budgets in optimizer steps. */
  readonly budgets: readonly number[];
  readonly parameters: readonly string[];
  /** Ranked, best first. */
  readonly trials: readonly TrialRecord[];
}

/**
 * The trials ranked: those that reached a later rung first (they trained more and were compared
 * there), then by their metric at that rung (`mode`), then by id; trials without a metric last.
 */
export function rankTrials(trials: readonly TrialRecord[], mode: 'max' | 'min'): TrialRecord[] {
  const last = (t: TrialRecord) => t.values.length - 1;
  return [...trials].sort((a, b) => {
    if (last(a) !== last(b)) return last(b) - last(a);
    if (last(a) < 0) return a.id - b.id;
    const d = (a.values[last(a)] as number) - (b.values[last(b)] as number);
    return d !== 0 ? (mode === 'max' ? -d : d) : a.id - b.id;
  });
}

/** A parameter's value as the sweep shows it: numbers to 3 significant digits ('' when absent). */
export const showValue = (v: ParameterValue | undefined): string =>
  typeof v === 'number' ? String(Number(v.toPrecision(3))) : v === undefined ? '' : String(v);

/** The table as Markdown: one row per trial, a column per parameter and per rung budget. */
export function sweepMarkdown(t: SweepTable): string {
  const head = ['rank', 'trial', ...t.parameters, ...t.budgets.map((b) => `${t.metric} @ ${b}`), 'steps', 'status'];
  const rows = t.trials.map((r, i) => [
    String(i + 1),
    String(r.id),
    ...t.parameters.map((p) => showValue(r.point[p])),
    ...t.budgets.map((_, k) => (r.values[k] === undefined ? '' : (r.values[k] as number).toFixed(4))),
    String(r.steps),
    r.status,
  ]);
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return `${[line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')}\n`;
}
