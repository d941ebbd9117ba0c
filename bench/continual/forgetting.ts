/**
 * Forgetting on a sequence of tasks: SNIPS intent from scratch (stage 1, examples/continual/snips-intent.yaml),
 * then Banking77 added to that model (stage 2, `mtl train examples/continual/banking77.yaml --from` stage 1's
 * best), then SST-2 added to stage 2's model (stage 3, examples/continual/sst2.yaml --from stage 2's best of
 * the same variant), with no protection, with rehearsal (a buffer of N examples per task, or `per-class`: N
 * per class of each classification task), with EWC, and with both (`both`: per task, `per-class-ewc`: per
 * class; ./forgetting-variants.ts); every task's test
 * accuracy after each stage, per seed (the seed of every stage). Each stage evaluates once, at its end, so
 * its best checkpoint is its last.
 *
 *   nice -n 10 node --import tsx bench/continual/forgetting.ts [--seeds 1,2,3] [--rehearsal 1000] [--per-class 25]
 *     [--lambda 1e4] [--variants none,rehearsal,ewc,both,per-class,per-class-ewc] [--stages banking77,sst2] [--steps 300] [--out runs/continual]
 *
 * `--steps` sets every stage's max_steps (and its one evaluation), the same for all variants. Finished runs
 * are reused (their test_metrics.json and timing.json), so an interrupted measurement continues. Writes
 * OUT/forgetting.json (settings, per-run accuracies, wall and CPU seconds, load averages) and prints the
 * tables (./forgetting-table.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTrainingConfig, type TrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';
import { loadContinualConfig } from '../../src/train/continual-config.js';
import { train } from '../../src/train/trainer.js';
import { forgettingTables, type StageRun } from './forgetting-table.js';
import { variantSettings } from './forgetting-variants.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    rehearsal: { type: 'string', default: '1000' },
    'per-class': { type: 'string', default: '25' },
    lambda: { type: 'string', default: '10000' },
    variants: { type: 'string', default: 'none,rehearsal,ewc,both' },
    stages: { type: 'string', default: 'banking77,sst2' },
    steps: { type: 'string' },
    out: { type: 'string', default: 'runs/continual' },
  },
});
const seeds = values.seeds.split(',').map(Number);
const out = path.resolve(values.out);
const steps = values.steps === undefined ? undefined : Number(values.steps);
const variants = values.variants.split(',');
const settings = variantSettings(variants, {
  examples: Number(values.rehearsal),
  examplesPerClass: Number(values['per-class']),
  lambda: Number(values.lambda),
});
/** The later stages, in order: the task each adds and its config file. */
const STAGE_FILES: Record<string, string> = { banking77: 'examples/continual/banking77.yaml', sst2: 'examples/continual/sst2.yaml' };
const later = values.stages.split(',');
for (const s of later)
  if (STAGE_FILES[s] === undefined) throw new Error(`--stages: unknown stage '${s}'; known: ${Object.keys(STAGE_FILES).join(', ')}`);

/** `config` with `--steps` applied (max_steps and the one evaluation at the end). */
function withSteps(config: TrainingConfig): TrainingConfig {
  if (steps === undefined) return config;
  return { ...config, training: { ...config.training, maxSteps: steps, evalEvery: steps } };
}

const loadavg = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/** Trains `config` unless its test_metrics.json is there; each task's test accuracy, and the stage's timing. */
async function run(config: TrainingConfig): Promise<Omit<StageRun, 'seed' | 'variant' | 'stage'>> {
  const file = path.join(config.outputDir, 'test_metrics.json');
  const timingFile = path.join(config.outputDir, 'timing.json');
  if (!existsSync(file)) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const loadBefore = loadavg();
    await train(config, { overwrite: true });
    const used = process.cpuUsage(cpu);
    const timing = {
      wallSeconds: (performance.now() - started) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      load: [loadBefore, loadavg()],
    };
    writeFileSync(timingFile, `${JSON.stringify(timing)}\n`);
    console.error(
      `${config.outputDir}: ${timing.wallSeconds.toFixed(0)} s wall, ${timing.cpuSeconds.toFixed(0)} s CPU, load ${timing.load.join(' → ')}`,
    );
  }
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { metrics: Record<string, { accuracy: number }> };
  const timing = existsSync(timingFile) ? (JSON.parse(readFileSync(timingFile, 'utf8')) as StageRun['timing']) : undefined;
  return { accuracy: Object.fromEntries(Object.entries(saved.metrics).map(([task, m]) => [task, m.accuracy])), timing };
}

const rows: StageRun[] = [];
for (const seed of seeds) {
  const first = loadTrainingConfig(path.join(ROOT, 'examples/continual/snips-intent.yaml'), { taskTypes });
  const stage1Dir = path.join(out, `seed${seed}`, 'snips');
  const stage1 = await run(withSteps({ ...first, seed, outputDir: stage1Dir }));
  for (const variant of variants) {
    rows.push({ seed, variant, stage: 'snips', ...stage1 });
    let from = stage1Dir;
    for (const stage of later) {
      const config = await loadContinualConfig(path.join(ROOT, STAGE_FILES[stage]!), path.join(from, 'best'), {
        seed,
        continual: settings[variant],
      });
      from = path.join(out, `seed${seed}`, `${later.slice(0, later.indexOf(stage) + 1).join('-')}-${variant}`);
      const result = await run(withSteps({ ...config, outputDir: from }));
      rows.push({ seed, variant, stage, ...result });
      console.error(`seed ${seed} ${variant} after ${stage}: ${JSON.stringify(result.accuracy)}`);
    }
  }
}

console.log(forgettingTables(rows, ['snips', ...later], variants));
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'forgetting.json'), `${JSON.stringify({ settings, steps, stages: ['snips', ...later], rows }, null, 2)}\n`);
