/**
 * The tables of the forgetting measurement (./forgetting.ts): every task's test accuracy after each stage
 * from the one that adds it, and its forgetting (accuracy after its own stage minus after the last, per
 * seed), as mean ± sample standard deviation over the seeds in percent; then wall and CPU seconds per stage.
 */
import { mean, sampleStd } from '../../src/metrics/spread.js';

/** One stage of one variant and seed: the test accuracy (0–1) of each task in the model after it. */
export interface StageRun {
  readonly seed: number;
  readonly variant: string;
  /** The task the stage adds (stage 1: the first task). */
  readonly stage: string;
  readonly accuracy: Readonly<Record<string, number>>;
  /** Seconds of wall and CPU (user + sys) time of the stage's training, and the 1-minute load average before and after. */
  readonly timing?: { readonly wallSeconds: number; readonly cpuSeconds: number; readonly load: readonly number[] } | undefined;
}

/** Mean ± sample standard deviation of fractions, in percent with 2 decimals ("—" for none; no ± for one). */
export function percent(xs: readonly number[]): string {
  if (xs.length === 0) return '—';
  return `${(100 * mean(xs)).toFixed(2)}${xs.length > 1 ? ` ± ${(100 * sampleStd(xs)).toFixed(2)}` : ''}`;
}

/** The accuracy of `task` after `stage` in each seed of `variant`, in seed order (seeds without it left out). */
function after(rows: readonly StageRun[], variant: string, stage: string, task: string): Map<number, number> {
  const found = rows.filter((r) => r.variant === variant && r.stage === stage && r.accuracy[task] !== undefined);
  return new Map(found.map((r) => [r.seed, r.accuracy[task]!]));
}

/**
 * The accuracy table (one row per variant; a column per task and stage from the task's own, then the
 * forgetting of every task but the last) and the timing table, in Markdown.
 * @param stages the stages in order, each named by the task it adds.
 */
export function forgettingTables(rows: readonly StageRun[], stages: readonly string[], variants: readonly string[]): string {
  const columns: { task: string; stage: string }[] = [];
  stages.forEach((task, i) => stages.slice(i).forEach((stage) => columns.push({ task, stage })));
  const last = stages[stages.length - 1]!;
  const forgetting = stages.slice(0, -1);
  const head = [
    'variant',
    ...columns.map((c) => `${c.task} after ${c.stage}`),
    ...forgetting.map((t) => `${t} forgetting (${t} → ${last}, points)`),
    'seeds',
  ];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const variant of variants) {
    const cells = columns.map((c) => percent([...after(rows, variant, c.stage, c.task).values()]));
    const forgot = forgetting.map((task) => {
      const own = after(rows, variant, task, task);
      const end = after(rows, variant, last, task);
      return percent([...own].filter(([seed]) => end.has(seed)).map(([seed, a]) => a - end.get(seed)!));
    });
    const seeds = [...new Set(rows.filter((r) => r.variant === variant && r.stage === last).map((r) => r.seed))];
    lines.push(`| ${[variant, ...cells, ...forgot, seeds.join(', ')].join(' | ')} |`);
  }
  const timed = ['| variant | stage | wall s (per seed) | CPU s (per seed) | load (before → after) |', '| --- | --- | --- | --- | --- |'];
  for (const variant of variants)
    for (const stage of stages) {
      const r = rows.filter((x) => x.variant === variant && x.stage === stage && x.timing !== undefined);
      if (r.length === 0) continue;
      const list = (f: (x: StageRun) => number) => r.map((x) => f(x).toFixed(0)).join(', ');
      const load = r.map((x) => x.timing!.load.map((l) => l.toFixed(1)).join(' → ')).join('; ');
      timed.push(`| ${variant} | ${stage} | ${list((x) => x.timing!.wallSeconds)} | ${list((x) => x.timing!.cpuSeconds)} | ${load} |`);
    }
  return `${lines.join('\n')}\n\n${timed.join('\n')}`;
}
