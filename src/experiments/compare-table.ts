/**
 * The table of `mtl compare`: per strategy, each task's main test metric, their average, the
 * multi-task gain Δ over the single-task baselines (./mtl-gain.ts), wall time and trainable
 * parameters; as JSON and as Markdown. Pure functions of the runs' records.
 */
import { multiTaskGain } from './mtl-gain.js';

/** One task's main test metric in one run. */
export interface TaskMetric {
  readonly metric: string;
  readonly value: number;
  readonly greaterIsBetter: boolean;
}

/** What one training run of a comparison gave (plain JSON; saved as compare_run.json in its folder). */
export interface CompareRun {
  readonly name: string;
  readonly description: string;
  /** task → its main test metric (a single-task run has one task). */
  readonly tasks: Record<string, TaskMetric>;
  /** Seconds from start to end of the run: data, training, evaluations, checkpoints. */
  readonly wallSeconds: number;
  readonly trainSeconds: number;
  readonly steps: number;
  readonly parameters: number;
  readonly trainableParameters: number;
}

/** A row of the table. */
export interface CompareRow {
  readonly name: string;
  readonly description: string;
  /** task → main test metric (null: the row did not train that task). */
  readonly values: Record<string, number | null>;
  /** Mean of the row's task values. */
  readonly average: number;
  /** Δ in percent over the single-task row; null without baselines (and for the baseline row itself: 0). */
  readonly delta: number | null;
  readonly wallSeconds: number;
  readonly trainableParameters: number;
}

export interface CompareTable {
  /** The tasks, with their main metric's name. */
  readonly tasks: readonly { readonly name: string; readonly metric: string }[];
  readonly rows: readonly CompareRow[];
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The table of `strategies` (multi-task runs) against `singles` (one run per task; may be empty).
 * The single-task row combines the baselines: each task's value from its own run, wall time and
 * trainable parameters summed over the K models.
 */
export function compareTable(
  taskNames: readonly string[],
  singles: readonly CompareRun[],
  strategies: readonly CompareRun[],
): CompareTable {
  const all = [...singles, ...strategies];
  const tasks = taskNames.map((name) => ({ name, metric: all.find((r) => r.tasks[name] !== undefined)?.tasks[name]?.metric ?? '?' }));
  const baseline = new Map(singles.flatMap((r) => Object.entries(r.tasks)));
  const row = (name: string, description: string, runs: readonly CompareRun[]): CompareRow => {
    const metrics = new Map(runs.flatMap((r) => Object.entries(r.tasks)));
    const present = taskNames.filter((t) => metrics.has(t));
    const hasBaselines = present.length > 0 && present.every((t) => baseline.has(t));
    return {
      name,
      description,
      values: Object.fromEntries(taskNames.map((t) => [t, metrics.get(t)?.value ?? null])),
      average: mean(present.map((t) => metrics.get(t)!.value)),
      delta: hasBaselines
        ? multiTaskGain(
            present.map((t) => ({
              task: t,
              value: metrics.get(t)!.value,
              baseline: baseline.get(t)!.value,
              greaterIsBetter: metrics.get(t)!.greaterIsBetter,
            })),
          )
        : null,
      wallSeconds: runs.reduce((s, r) => s + r.wallSeconds, 0),
      trainableParameters: runs.reduce((s, r) => s + r.trainableParameters, 0),
    };
  };
  const rows = [
    ...(singles.length > 0 ? [row('single-task', `each task alone (${singles.length} models)`, singles)] : []),
    ...strategies.map((r) => row(r.name, r.description, [r])),
  ];
  return { tasks, rows };
}

const pct = (v: number | null): string => (v === null ? '—' : (100 * v).toFixed(2));
/** '+1.23' / '-1.23'; rounding to 0 gives '+0.00' (never '-0.00'). */
function signed(v: number | null): string {
  if (v === null) return '—';
  const x = Math.round(v * 100) / 100 + 0; // + 0 turns −0 into 0
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

/** The table in Markdown: metrics in percent, Δ in percent, wall time in seconds. */
export function compareMarkdown(table: CompareTable): string {
  const head = [
    'strategy',
    ...table.tasks.map((t) => `${t.name} ${t.metric}`),
    'average',
    'Δ vs single-task (%)',
    'wall time (s)',
    'trainable parameters',
  ];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
  for (const r of table.rows) {
    const cells = [
      r.name,
      ...table.tasks.map((t) => pct(r.values[t.name] ?? null)),
      pct(r.average),
      signed(r.delta),
      r.wallSeconds.toFixed(0),
      r.trainableParameters.toLocaleString('en-US'),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
