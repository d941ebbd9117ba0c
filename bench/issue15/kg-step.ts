/**
 * Time per training step of examples/wn18rr-complex-n3.yaml (ComplEx + N3 + reciprocal, 1-vs-all
 * cross-entropy over all 40,943 entities, Adagrad): `WARM` warm-up steps, then `STEPS` timed
 * (process.cpuUsage, user + system, and wall), with `THREADS` libtorch threads. Prints one JSON line.
 *   node --import tsx bench/issue15/kg-step.ts [STEPS=10] [THREADS=2] [CONFIG=examples/wn18rr-complex-n3.yaml]
 */
import path from 'node:path';

const steps = Number(process.argv[2] ?? 10);
const threads = Number(process.argv[3] ?? 2);
const configPath = path.resolve(process.argv[4] ?? 'examples/wn18rr-complex-n3.yaml');
const warm = 2;
const { loadTrainingConfig } = await import('../../src/io/config/index.js');
const { taskTypes } = await import('../../src/tasks/index.js');
const { setUpRun } = await import('../../src/train/setup.js');
const { loopParts } = await import('../../src/train/components.js');
const { trainStep } = await import('../../src/train/step.js');
const { setNumThreads } = await import('../../src/tensor/index.js');
const { evaluateStreams } = await import('../../src/eval/index.js');

setNumThreads(threads);
const loaded = loadTrainingConfig(configPath, { taskTypes });
const config = { ...loaded, training: { ...loaded.training, maxSteps: steps + warm } };
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
let t0 = performance.now();
const { prepared, model } = await setUpRun(config, {}, quiet);
const parts = loopParts(config, prepared, model);
const setupMs = performance.now() - t0;
model.train();
for (let s = 0; s < warm; s++) await trainStep(parts, s);
const cpu = process.cpuUsage();
t0 = performance.now();
for (let s = warm; s < warm + steps; s++) await trainStep(parts, s);
const used = process.cpuUsage(cpu);
const wallMsPerStep = (performance.now() - t0) / steps;
const evalCpu = process.cpuUsage();
t0 = performance.now();
const dev = await evaluateStreams(model, prepared.streams, 'dev', parts.batching, { tokenizer: prepared.tokenizer });
const evalUsed = process.cpuUsage(evalCpu);
console.log(
  JSON.stringify({
    config: configPath,
    threads,
    steps,
    setupMs,
    cpuMsPerStep: (used.user + used.system) / 1000 / steps,
    wallMsPerStep,
    devEvalWallS: (performance.now() - t0) / 1000,
    devEvalCpuS: (evalUsed.user + evalUsed.system) / 1e6,
    devMetrics: dev.metrics,
  }),
);
process.exit(0);
