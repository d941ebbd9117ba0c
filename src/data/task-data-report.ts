/** What reading the tasks' data gave, for the run's log and summary: examples per split, skipped lines, augmented copies. */
import { describeSkipped, type SkippedLine } from './index.js';
import { SPLITS, type Split } from './example.js';
import type { AugmentReport, TaskData } from './task-data.js';

/** Examples per split of a task (a streamed corpus: its training lines). */
export function splitCounts(d: TaskData): Partial<Record<Split, number>> {
  const counts: Partial<Record<Split, number>> = Object.fromEntries(Object.entries(d.splits).map(([s, v]) => [s, v.length]));
  if (d.corpus !== undefined) counts.train = d.corpus.lines;
  return Object.fromEntries(SPLITS.filter((s) => counts[s] !== undefined).map((s) => [s, counts[s]]));
}

/** Log lines for the skipped records of each task (one per task and split that skipped any). */
export function describeSkippedLines(data: readonly TaskData[]): string[] {
  const lines: string[] = [];
  const seen = new Set<readonly SkippedLine[]>();
  for (const d of data) {
    for (const split of SPLITS) {
      const skipped = d.skipped[split];
      if (skipped === undefined || skipped.length === 0 || seen.has(skipped)) continue;
      seen.add(skipped);
      lines.push(`task ${d.task.name} (${split}): ${describeSkipped(skipped)}`);
    }
  }
  return lines;
}

/** Log lines for what `data.augment` added (one per data source augmented). */
export function describeAugmented(data: readonly TaskData[]): string[] {
  const lines: string[] = [];
  const seen = new Set<AugmentReport>();
  for (const d of data) {
    const a = d.augmented;
    if (a === undefined || seen.has(a)) continue;
    seen.add(a);
    const tasks = data.filter((o) => o.augmented === a).map((o) => o.task.name);
    const cache = a.cacheFile === undefined ? '' : a.fromCache ? ` (read from ${a.cacheFile})` : ` (cached in ${a.cacheFile})`;
    const method = a.method === 'eda' ? 'EDA' : 'back-translation';
    const counts =
      a.method === 'eda'
        ? ''
        : `; ${a.translated} translated, ${a.cached} from the cache, ${a.unchanged} left out as equal to their source`;
    lines.push(
      `data.augment (${tasks.join(', ')}): ${method} added ${a.added} training examples to ${a.original}, ${a.original + a.added} in all${counts}${cache}`,
    );
  }
  return lines;
}

/** Number of skipped records per task and split (for the run's summary). */
export function skippedCounts(data: readonly TaskData[]): Record<string, Partial<Record<Split, number>>> {
  return Object.fromEntries(
    data.map((d) => [
      d.task.name,
      Object.fromEntries(SPLITS.filter((s) => d.skipped[s] !== undefined).map((s) => [s, d.skipped[s]!.length])),
    ]),
  );
}
