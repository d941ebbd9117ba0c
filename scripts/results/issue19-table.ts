/**
 * The table of docs/results/issue19-robustness.md from runs/issue19 (scripts/results/issue19-robustness.sh):
 * per arm, the mean ± sample standard deviation over the seeds of the test metrics of each run's
 * checkpoint (test_metrics.json), and the wall time of each run.
 * Usage: node --import tsx scripts/results/issue19-table.ts [RUNS_DIR]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'runs/issue19';
const walls = readFileSync(path.join(dir, 'wall.txt'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split(' '))
  .map(([arm, seed, seconds]) => ({ arm: arm!, seed: seed!, seconds: Number(seconds) }));

interface TestMetrics {
  metrics: { intent: { accuracy: number }; slots: { f1: number } };
  joint: { 'intent+slots': { sentenceAccuracy: number } };
}

const stats = (xs: number[]): string => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return `${(100 * mean).toFixed(2)} ± ${(100 * sd).toFixed(2)}`;
};

const arms = [...new Set(walls.map((w) => w.arm))];
console.log('| arm | seeds | test intent accuracy | test slot F1 | test sentence accuracy | per-seed slot F1 | wall per run (s) |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const arm of arms) {
  const runs = walls
    .filter((w) => w.arm === arm)
    .map((w) => ({ ...w, file: path.join(dir, `${arm}-${w.seed}`, 'test_metrics.json') }))
    .filter((w) => existsSync(w.file))
    .map((w) => ({ ...w, m: JSON.parse(readFileSync(w.file, 'utf8')) as TestMetrics }));
  const col = (f: (m: TestMetrics) => number) => stats(runs.map((r) => f(r.m)));
  console.log(
    `| ${arm} | ${runs.map((r) => r.seed).join(', ')} | ${col((m) => m.metrics.intent.accuracy)} | ${col((m) => m.metrics.slots.f1)} | ` +
      `${col((m) => m.joint['intent+slots'].sentenceAccuracy)} | ${runs.map((r) => (100 * r.m.metrics.slots.f1).toFixed(2)).join(', ')} | ` +
      `${runs.map((r) => r.seconds.toFixed(0)).join(', ')} |`,
  );
}
