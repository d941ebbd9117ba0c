/**
 * The table of `mtl compare`: per arm (the single-task baselines together, each strategy) and over
 * its seeds, each task's main test metric, their average and the multi-task gain Δ over the
 * single-task baselines (./mtl-gain.ts) as mean ± sample std with 95 % Student-t confidence
 * intervals (./seed-stats.ts), the paired difference to the baselines per task, and what each arm
 * cost: steps, examples per task, wall and CPU time, parameters and encoder passes per request. As JSON and
 * as Markdown; pure functions of the runs' records.
 */
import { mean } from '../metrics/spread.js';
import { multiTaskGain } from './mtl-gain.js';
import { pairedDifference, summarize, type SeedSummary } from './seed-stats.js';

/** One task's main metric in one run. */
export interface TaskMetric {
  readonly metric: string;
  readonly value: number;
  readonly greaterIsBetter: boolean;
}

/** What one training run of a comparison gave (plain JSON; saved as compare_run.json in its folder). */
export interface CompareRun {
  /** The arm: `single-<task>` for a baseline, else the strategy's name. */
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  /** task → its main test metric at the best dev checkpoint (a single-task run has one task). */
  readonly tasks: Record<string, TaskMetric>;
  /** Seconds from start to end of the run: data, training, evaluations, checkpoints. */
  readonly wallSeconds: number;
  /**
   * CPU seconds (user + system, every thread of the process) the run took, from the same start and end
   * as wallSeconds: what it cost on a shared machine, where wall time measures the load. Absent in
   * records written before it was measured.
   */
  readonly cpuSeconds?: number;
  readonly trainSeconds: number;
  /** Optimizer steps run (fewer than planned when early stopping ended the run). */
  readonly steps: number;
  readonly bestStep: number | null;
  readonly status: string;
  /** task → training examples it was trained on. */
  readonly examplesPerTask: Record<string, number>;
  readonly parameters: number;
  readonly trainableParameters: number;
  /** Encoder passes to answer every task of the run for one input (1; one per task with per-task adapters). */
  readonly encoderPasses: number;
}

/** What an arm cost per seed (the single-task arm: its K models together). */
export interface CompareCost {
  /** Models served. */
  readonly models: number;
  readonly steps: SeedSummary;
  readonly wallSeconds: SeedSummary;
  /** CPU seconds per seed, summed over the arm's models; null when a run's record lacks them. */
  readonly cpuSeconds: SeedSummary | null;
  /** task → training examples per seed (null: the arm did not train the task). */
  readonly examplesPerTask: Record<string, SeedSummary | null>;
  readonly parameters: number;
  readonly trainableParameters: number;
  readonly encoderPasses: number;
}

/** A row of the table: one arm over its seeds. */
export interface CompareRow {
  readonly name: string;
  readonly description: string;
  readonly seeds: readonly number[];
  /** task → main test metric over the seeds (null: the row did not train that task). */
  readonly values: Record<string, SeedSummary | null>;
  /** Per seed, the mean of the row's task values. */
  readonly average: SeedSummary;
  /** Per seed, Δ in percent over the single-task runs of that seed, over the table's gainTasks; null without any. */
  readonly delta: SeedSummary | null;
  /** task → the paired difference value − single-task value over the seeds, in the metric's units; null without a baseline. */
  readonly differences: Record<string, SeedSummary | null>;
  readonly cost: CompareCost;
}

export interface CompareTable {
  /** The tasks, with their main metric's name (null: no run has a test metric for the task, e.g. a helper task without test data). */
  readonly tasks: readonly { readonly name: string; readonly metric: string | null }[];
  readonly seeds: readonly number[];
  /** The tasks that have single-task baselines (the paired differences are over these). */
  readonly baselineTasks: readonly string[];
  /**
   * The baseline tasks Δ averages over: those whose single-task metric is finite and non-zero in every
   * seed (Δ divides by it). A task left out still has its paired difference in points.
   */
  readonly gainTasks: readonly string[];
  readonly rows: readonly CompareRow[];
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** An arm's runs, grouped by seed (one run per seed; the single-task arm, K). */
type SeedRuns = ReadonlyMap<number, readonly CompareRun[]>;

function bySeed(runs: readonly CompareRun[]): Map<number, CompareRun[]> {
  const out = new Map<number, CompareRun[]>();
  for (const r of runs) out.set(r.seed, [...(out.get(r.seed) ?? []), r]);
  return out;
}

/** task → metric of the runs of one seed. */
const metricsOf = (runs: readonly CompareRun[]): Map<string, TaskMetric> => new Map(runs.flatMap((r) => Object.entries(r.tasks)));

/**
 * The table of `strategies` (multi-task runs, one per strategy and seed) against `singles` (one run
 * per task with a baseline and seed; may be empty). The single-task row combines the baselines of each
 * seed: each task's value from its own run; steps, wall time and parameters summed over the K models.
 * Δ and the per-task differences pair each seed's run with the baselines of the same seed.
 */
export function compareTable(
  taskNames: readonly string[],
  singles: readonly CompareRun[],
  strategies: readonly CompareRun[],
): CompareTable {
  const all = [...singles, ...strategies];
  const tasks = taskNames.map((name) => ({ name, metric: all.find((r) => r.tasks[name] !== undefined)?.tasks[name]?.metric ?? null }));
  const seeds = [...new Set(all.map((r) => r.seed))];
  const baseline = bySeed(singles);
  const baselineTasks = taskNames.filter((t) => seeds.every((s) => metricsOf(baseline.get(s) ?? []).has(t)));
  const gainTasks = baselineTasks.filter((t) =>
    seeds.every((s) => {
      const b = metricsOf(baseline.get(s)!).get(t)!.value;
      return Number.isFinite(b) && b !== 0;
    }),
  );

  const row = (name: string, description: string, runs: SeedRuns): CompareRow => {
    const rowSeeds = [...runs.keys()];
    const perSeed = rowSeeds.map((s) => metricsOf(runs.get(s)!));
    const bases = rowSeeds.map((s) => metricsOf(baseline.get(s) ?? []));
    const present = taskNames.filter((t) => perSeed.every((m) => m.has(t)));
    const paired = present.filter((t) => baselineTasks.includes(t));
    const gained = paired.filter((t) => gainTasks.includes(t));
    const difference = (t: string): SeedSummary =>
      pairedDifference(
        perSeed.map((m) => m.get(t)!.value),
        bases.map((b) => b.get(t)!.value),
      );
    const runsOf = (s: number) => runs.get(s)!;
    const first = runsOf(rowSeeds[0]!);
    return {
      name,
      description,
      seeds: rowSeeds,
      values: Object.fromEntries(taskNames.map((t) => [t, present.includes(t) ? summarize(perSeed.map((m) => m.get(t)!.value)) : null])),
      average: summarize(perSeed.map((m) => mean(present.map((t) => m.get(t)!.value)))),
      delta:
        gained.length === 0
          ? null
          : summarize(
              perSeed.map((m, i) =>
                multiTaskGain(
                  gained.map((t) => ({
                    task: t,
                    value: m.get(t)!.value,
                    baseline: bases[i]!.get(t)!.value,
                    greaterIsBetter: m.get(t)!.greaterIsBetter,
                  })),
                ),
              ),
            ),
      differences: Object.fromEntries(taskNames.map((t) => [t, paired.includes(t) ? difference(t) : null])),
      cost: {
        models: first.length,
        steps: summarize(rowSeeds.map((s) => sum(runsOf(s).map((r) => r.steps)))),
        wallSeconds: summarize(rowSeeds.map((s) => sum(runsOf(s).map((r) => r.wallSeconds)))),
        cpuSeconds: rowSeeds.every((s) => runsOf(s).every((r) => r.cpuSeconds !== undefined))
          ? summarize(rowSeeds.map((s) => sum(runsOf(s).map((r) => r.cpuSeconds!))))
          : null,
        examplesPerTask: Object.fromEntries(
          taskNames.map((t) => {
            const seen = rowSeeds.map((s) => runsOf(s).find((r) => r.examplesPerTask[t] !== undefined)?.examplesPerTask[t]);
            return [t, seen.every((n) => n !== undefined) ? summarize(seen) : null];
          }),
        ),
        parameters: sum(first.map((r) => r.parameters)),
        trainableParameters: sum(first.map((r) => r.trainableParameters)),
        encoderPasses: sum(first.map((r) => r.encoderPasses)),
      },
    };
  };
  const arms = new Map<string, CompareRun[]>();
  for (const r of strategies) arms.set(r.name, [...(arms.get(r.name) ?? []), r]);
  const rows = [
    ...(singles.length > 0 ? [row('single-task', `each task alone (${baseline.get(seeds[0]!)?.length ?? 0} models)`, baseline)] : []),
    ...[...arms.values()].map((runs) => row(runs[0]!.name, runs[0]!.description, bySeed(runs))),
  ];
  return { tasks, seeds, baselineTasks, gainTasks, rows };
}

/** 100·x with two decimals; '—' for null. */
const pct = (v: number | null): string => (v === null ? '—' : (100 * v).toFixed(2));
/** '+1.23' / '-1.23'; rounding to 0 gives '+0.00' (never '-0.00'). */
function signed(v: number | null): string {
  if (v === null) return '—';
  const x = Math.round(v * 100) / 100 + 0; // + 0 turns −0 into 0
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}
/** 'mean ± std' (just the mean for one seed) with `show` formatting each number. */
function meanStd(s: SeedSummary | null, show: (v: number) => string, showStd: (v: number) => string = show): string {
  if (s === null) return '—';
  return s.std === null ? show(s.mean) : `${show(s.mean)} ± ${showStd(s.std)}`;
}
const ci = (s: SeedSummary | null, show: (v: number) => string): string =>
  s?.ci95 == null ? '—' : `[${show(s.ci95[0])}, ${show(s.ci95[1])}]`;
const count = (v: number): string => Math.round(v).toLocaleString('en-US');

function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ];
}

/**
 * The table in Markdown: metrics in percent, Δ in percent, each as mean ± sample std over the seeds
 * (the value alone for one seed); with several seeds, a second table of 95 % confidence intervals
 * and paired differences to single-task (percentage points); then what each arm cost.
 */
export function compareMarkdown(table: CompareTable): string {
  const measured = table.tasks.filter((t) => t.metric !== null); // a task without test metrics shows only in the cost table
  const quality = markdownTable(
    ['strategy', ...measured.map((t) => `${t.name} ${t.metric}`), 'average', 'Δ vs single-task (%)'],
    table.rows.map((r) => [
      r.name,
      ...measured.map((t) => meanStd(r.values[t.name] ?? null, pct)),
      meanStd(r.average, pct),
      meanStd(r.delta, signed, (v) => v.toFixed(2)),
    ]),
  );
  const parts = [quality];
  if (table.seeds.length > 1) {
    const pts = (v: number): string => signed(100 * v);
    parts.push(
      markdownTable(
        [
          'strategy',
          ...measured.map((t) => `${t.name} 95 % CI`),
          ...table.baselineTasks.map((t) => `${t} − single-task (points)`),
          'Δ 95 % CI',
        ],
        table.rows.map((r) => [
          r.name,
          ...measured.map((t) => ci(r.values[t.name] ?? null, pct)),
          ...table.baselineTasks.map((t) => {
            const d = r.differences[t] ?? null;
            return d === null ? '—' : `${meanStd(d, pts, (v) => (100 * v).toFixed(2))} ${ci(d, pts)}`;
          }),
          ci(r.delta, signed),
        ]),
      ),
    );
  }
  parts.push(
    markdownTable(
      [
        'strategy',
        'models',
        'steps',
        'examples per task',
        'wall time (s)',
        'CPU time (s)',
        'parameters',
        'trainable parameters',
        'encoder passes per request',
      ],
      table.rows.map((r) => [
        r.name,
        String(r.cost.models),
        meanStd(r.cost.steps, count),
        table.tasks
          .flatMap((t) => {
            const n = r.cost.examplesPerTask[t.name] ?? null;
            return n === null ? [] : [`${t.name} ${meanStd(n, count)}`];
          })
          .join('; '),
        meanStd(r.cost.wallSeconds, (v) => v.toFixed(0)),
        meanStd(r.cost.cpuSeconds, (v) => v.toFixed(0)),
        count(r.cost.parameters),
        count(r.cost.trainableParameters),
        String(r.cost.encoderPasses),
      ]),
    ),
  );
  const seeds = `Seeds ${table.seeds.join(', ')}: mean ± sample std over the seeds; 95 % CI: Student t with n − 1 degrees of freedom; Δ and the differences pair each seed with the single-task runs of the same seed.`;
  const left = table.baselineTasks.filter((t) => !table.gainTasks.includes(t));
  const gain =
    left.length === 0
      ? ''
      : `Δ is over ${table.gainTasks.length === 0 ? 'no task' : table.gainTasks.join(', ')}: the single-task ${left.join(', ')} ${left.length === 1 ? 'is' : 'are'} 0 (or not finite) in a seed, and Δ divides by the baseline (their differences in points are in the table).\n\n`;
  return `${table.seeds.length > 1 ? `${seeds}\n\n` : ''}${gain}${parts.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
