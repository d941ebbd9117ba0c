/**
 * Forgetting on a sequence of tasks: SNIPS intent from scratch (stage 1, examples/continual/snips-intent.yaml),
 * then Banking77 added to that model (stage 2, `mtl train examples/continual/banking77.yaml --from` stage 1's
 * best) with no protection, with rehearsal, with EWC, and with both; every task's test accuracy after each
 * stage, per seed (the seed of both stages). Each stage evaluates once, at its end, so its best checkpoint is its last.
 *
 *   nice -n 10 node --import tsx bench/continual/forgetting.ts [--seeds 1,2,3] [--rehearsal 1000] [--lambda 1e4]
 *     [--variants none,rehearsal,ewc,both] [--out runs/continual]
 *
 * Finished runs are reused (their test_metrics.json), so an interrupted measurement continues.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTrainingConfig, type TrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';
import { loadContinualConfig } from '../../src/train/continual-config.js';
import { train } from '../../src/train/trainer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    rehearsal: { type: 'string', default: '1000' },
    lambda: { type: 'string', default: '10000' },
    variants: { type: 'string', default: 'none,rehearsal,ewc,both' },
    out: { type: 'string', default: 'runs/continual' },
  },
});
const seeds = values.seeds.split(',').map(Number);
const out = path.resolve(values.out);
const settings: Record<string, Record<string, unknown>> = {
  none: { rehearsal: null, ewc: null },
  rehearsal: { rehearsal: { examples: Number(values.rehearsal) }, ewc: null },
  ewc: { rehearsal: null, ewc: { lambda: Number(values.lambda), examples: 200 } },
  both: { rehearsal: { examples: Number(values.rehearsal) }, ewc: { lambda: Number(values.lambda), examples: 200 } },
};
const variants = values.variants.split(',');

type Accuracies = Record<string, number>;

/** Trains `config` unless its test_metrics.json is there; each task's test accuracy. */
async function accuracies(config: TrainingConfig): Promise<Accuracies> {
  const file = path.join(config.outputDir, 'test_metrics.json');
  if (!existsSync(file)) {
    const started = performance.now();
    await train(config, { overwrite: true });
    console.error(`${config.outputDir}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { metrics: Record<string, { accuracy: number }> };
  return Object.fromEntries(Object.entries(saved.metrics).map(([task, m]) => [task, m.accuracy]));
}

const rows: { seed: number; variant: string; stage1: Accuracies; stage2: Accuracies }[] = [];
for (const seed of seeds) {
  const first = loadTrainingConfig(path.join(ROOT, 'examples/continual/snips-intent.yaml'), { taskTypes });
  const stage1Dir = path.join(out, `seed${seed}`, 'snips');
  const stage1 = await accuracies({ ...first, seed, outputDir: stage1Dir });
  for (const variant of variants) {
    const config = await loadContinualConfig(path.join(ROOT, 'examples/continual/banking77.yaml'), path.join(stage1Dir, 'best'), {
      seed,
      continual: settings[variant],
    });
    const stage2 = await accuracies({ ...config, outputDir: path.join(out, `seed${seed}`, `banking77-${variant}`) });
    rows.push({ seed, variant, stage1, stage2 });
    console.error(`seed ${seed} ${variant}: after stage 1 ${JSON.stringify(stage1)}, after stage 2 ${JSON.stringify(stage2)}`);
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
const pct = (xs: number[]) => `${(100 * mean(xs)).toFixed(2)}${xs.length > 1 ? ` ± ${(100 * sd(xs)).toFixed(2)}` : ''}`;
const lines = [
  `| stage 2 | SNIPS test acc. after stage 1 | SNIPS after stage 2 | forgetting (points) | Banking77 test acc. after stage 2 | seeds |`,
  '| --- | --- | --- | --- | --- | --- |',
];
for (const variant of variants) {
  const r = rows.filter((x) => x.variant === variant);
  const s1 = r.map((x) => x.stage1.snips!);
  const s2 = r.map((x) => x.stage2.snips!);
  const forgot = r.map((x) => x.stage1.snips! - x.stage2.snips!);
  lines.push(`| ${variant} | ${pct(s1)} | ${pct(s2)} | ${pct(forgot)} | ${pct(r.map((x) => x.stage2.banking77!))} | ${r.length} |`);
}
console.log(lines.join('\n'));
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'forgetting.json'), `${JSON.stringify({ settings, rows }, null, 2)}\n`);
