/**
 * The table of docs/results/issue19-back-translation.md from runs/issue19-bt
 * (scripts/results/issue19-back-translation.sh): per arm, the mean ± sample standard deviation over the
 * seeds of the test accuracy and macro-F1 of each run's checkpoint (test_metrics.json), the dev
 * accuracy at the end (metrics.jsonl), the training examples, and each run's wall time and load.
 * Usage: node --import tsx scripts/results/issue19-back-translation-table.ts [RUNS_DIR]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mean, sampleStd } from '../../src/metrics/spread.js';

const dir = process.argv[2] ?? 'runs/issue19-bt';
const walls = readFileSync(path.join(dir, 'wall.txt'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split(' '))
  .map(([arm, seed, seconds, load]) => ({ arm: arm!, seed: seed!, seconds: Number(seconds), load: load ?? '?' }));

interface Scores {
  accuracy: number;
  f1Macro: number;
}

/** The dev scores of a run's last evaluation and its training examples (metrics.jsonl). */
function devOf(run: string): { dev: Scores; train: number } {
  const records = readFileSync(path.join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const start = records.find((r) => r.type === 'start') as { examples: { sentiment: { train: number } } };
  const dev = records.filter((r) => r.split === 'dev').at(-1) as { metrics: { sentiment: Scores } };
  return { dev: dev.metrics.sentiment, train: start.examples.sentiment.train };
}

const pct = (xs: number[]): string => {
  return `${(100 * mean(xs)).toFixed(2)} ± ${(100 * sampleStd(xs)).toFixed(2)}`;
};

console.log(
  '| arm | seeds | training examples | test accuracy | test macro-F1 | dev accuracy | per-seed test accuracy | wall per run (s) | load average at the end |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const arm of [...new Set(walls.map((w) => w.arm))]) {
  const runs = walls
    .filter((w) => w.arm === arm)
    .map((w) => ({ ...w, run: path.join(dir, `${arm}-${w.seed}`) }))
    .filter((w) => existsSync(path.join(w.run, 'test_metrics.json')))
    .map((w) => ({
      ...w,
      test: (JSON.parse(readFileSync(path.join(w.run, 'test_metrics.json'), 'utf8')) as { metrics: { sentiment: Scores } }).metrics
        .sentiment,
      ...devOf(w.run),
    }));
  console.log(
    `| ${arm} | ${runs.map((r) => r.seed).join(', ')} | ${runs.map((r) => r.train).join(', ')} | ${pct(runs.map((r) => r.test.accuracy))} | ` +
      `${pct(runs.map((r) => r.test.f1Macro))} | ${pct(runs.map((r) => r.dev.accuracy))} | ` +
      `${runs.map((r) => (100 * r.test.accuracy).toFixed(2)).join(', ')} | ${runs.map((r) => r.seconds.toFixed(0)).join(', ')} | ${runs.map((r) => r.load).join(', ')} |`,
  );
}
