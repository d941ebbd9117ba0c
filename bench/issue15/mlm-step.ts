/**
 * CPU time per masked-LM training step on the demo's config (examples/wordnet-pretrain.yaml, its
 * `glosses` task alone: batch 32, vocabulary 8,000, 2 × 128), with one libtorch thread: 20 warm-up
 * steps, then `STEPS` timed (process.cpuUsage, user + system). Prints one JSON line.
 *   node --import tsx bench/issue15/mlm-step.ts [STEPS=100] [CHECKOUT=.]
 * CHECKOUT: the repository whose src/ is timed (an older commit's worktree, for a before/after).
 */
import path from 'node:path';

const steps = Number(process.argv[2] ?? 100);
const root = path.resolve(process.argv[3] ?? '.');
const from = (file: string) => import(path.join(root, 'src', file));
const { loadTrainingConfig } = await from('io/config/index.ts');
const { taskTypes } = await from('tasks/index.ts');
const { singleTaskConfig } = await from('experiments/single-task.ts');
const { setUpRun } = await from('train/setup.ts');
const { loopParts } = await from('train/components.ts');
const { trainStep } = await from('train/step.ts');
const { setNumThreads } = await from('tensor/index.ts');

setNumThreads(1);
const loaded = singleTaskConfig(loadTrainingConfig(path.join(root, 'examples', 'wordnet-pretrain.yaml'), { taskTypes }), 'glosses');
const config = { ...loaded, training: { ...loaded.training, maxSteps: steps + 20 } };
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const { prepared, model } = await setUpRun(config, {}, quiet);
const parts = loopParts(config, prepared, model);
model.train();
for (let s = 1; s <= 20; s++) await trainStep(parts, s);
const cpu = process.cpuUsage();
const started = performance.now();
for (let s = 21; s <= 20 + steps; s++) await trainStep(parts, s);
const used = process.cpuUsage(cpu);
console.log(
  JSON.stringify({
    checkout: root,
    steps,
    cpuMsPerStep: (used.user + used.system) / 1000 / steps,
    wallMsPerStep: (performance.now() - started) / steps,
  }),
);
process.exit(0);
