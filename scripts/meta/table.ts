/**
 * The k-shot table of docs/results/issue19-meta.md from the fine-tunes of scripts/meta/finetunes.sh: per
 * encoder and k, the Banking77 dev accuracy of the last evaluation in EXP/runs/ft-NAME-kK-sS/metrics.jsonl,
 * mean ± sample standard deviation over seeds 1–3 in percent, the seeds' figures in brackets.
 * Usage: node --import tsx scripts/meta/table.ts EXP [NAMES=mtl,fomaml,reptile] [KS=5,10,20]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mean, sampleStd } from '../../src/metrics/spread.js';

const [exp = '/tmp/meta/exp', names = 'mtl,fomaml,reptile', ks = '5,10,20'] = process.argv.slice(2);
const kList = ks.split(',');

/** The banking77 accuracy of the run's last dev evaluation, or undefined when the run has none. */
function devAccuracy(run: string): number | undefined {
  const file = path.join(run, 'metrics.jsonl');
  if (!existsSync(file)) return undefined;
  const evals = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; split?: string; metrics?: Record<string, { accuracy: number }> })
    .filter((r) => r.type === 'eval' && r.split === 'dev');
  return evals.at(-1)?.metrics?.banking77?.accuracy;
}

console.log(`| encoder | ${kList.map((k) => `k = ${k}`).join(' | ')} |`);
console.log(`| --- | ${kList.map(() => '---').join(' | ')} |`);
for (const name of names.split(',')) {
  const cells = kList.map((k) => {
    const xs = [1, 2, 3].map((s) => devAccuracy(path.join(exp, 'runs', `ft-${name}-k${k}-s${s}`))).filter((x) => x !== undefined);
    if (xs.length === 0) return '—';
    return `${(100 * mean(xs)).toFixed(2)} ± ${(100 * sampleStd(xs)).toFixed(2)} (${xs.map((x) => (100 * x).toFixed(2)).join(', ')})`;
  });
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
