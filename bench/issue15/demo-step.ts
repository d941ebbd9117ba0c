/**
 * Where a step of the demo's pre-training goes: CPU time per optimizer step of examples/wordnet-pretrain.yaml
 * (all three tasks, its sampler), split by the task the step trained, with one libtorch thread, after
 * 20 warm-up steps; also the CPU time of the set-up (reading WordNet, the tokenizer, features, the model).
 * Prints one JSON line.
 *   node --import tsx bench/issue15/demo-step.ts [STEPS=200] [CONFIG=examples/wordnet-pretrain.yaml]
 */
import path from 'node:path';
import { loadTrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';
import { setUpRun } from '../../src/train/setup.js';
import { loopParts } from '../../src/train/components.js';
import { trainStep } from '../../src/train/step.js';
import { setNumThreads } from '../../src/tensor/index.js';

const steps = Number(process.argv[2] ?? 200);
const configPath = path.resolve(process.argv[3] ?? 'examples/wordnet-pretrain.yaml');

setNumThreads(1);
const loaded = loadTrainingConfig(configPath, { taskTypes });
const config = {
  ...loaded,
  outputDir: path.join('/tmp', `demo-step-${process.pid}`),
  training: { ...loaded.training, maxSteps: steps + 20 },
};
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000; // ms
};
const setUpStarted = cpu();
const { prepared, model } = await setUpRun(config, {}, quiet);
const parts = loopParts(config, prepared, model);
const setUpMs = cpu() - setUpStarted;
model.train();
for (let s = 0; s < 20; s++) await trainStep(parts, s);
const perTask = new Map<string, { steps: number; cpuMs: number }>();
for (let s = 20; s < 20 + steps; s++) {
  const before = cpu();
  const stats = await trainStep(parts, s);
  const used = cpu() - before;
  const task = [...stats.taskExamples.keys()].join('+');
  const t = perTask.get(task) ?? { steps: 0, cpuMs: 0 };
  perTask.set(task, { steps: t.steps + 1, cpuMs: t.cpuMs + used });
}
const total = [...perTask.values()].reduce((a, v) => a + v.cpuMs, 0);
console.log(
  JSON.stringify({
    config: configPath,
    setUpCpuS: setUpMs / 1000,
    steps,
    perTask: Object.fromEntries(
      [...perTask].map(([k, v]) => [k, { steps: v.steps, cpuMsPerStep: v.cpuMs / v.steps, shareOfCpu: v.cpuMs / total }]),
    ),
    cpuMsPerStep: total / steps,
  }),
);
process.exit(0);
