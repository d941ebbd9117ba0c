/**
 * One process of bench/distributed/scaling.ts. `train CONFIG OUT [overlap|after] [BUCKET_MIB] [rebuild|rebuild-last|initial]`:
 * trains CONFIG (as one rank of the environment's group when WORLD_SIZE is set; the gradients all-reduced
 * during the backward pass or after it, in buckets of BUCKET_MIB, default DDP's 25; during it, with the
 * buckets rebuilt after the first step and the flags in the last bucket (rebuild, the default: the small
 * cap on the first rebuilt bucket, as libtorch 1.13; rebuild-last: on the last, as PyTorch 2.x's
 * DDP_SET_LAST_BUCKET_CAP=1, whatever the environment says), or neither) and writes OUT.<rank>.json with
 * its step seconds, those of the steps after the first (the rebuilt buckets' steps) and their CPU seconds
 * (user + system of the whole process, Gloo's threads included), tokens, seconds waited for gradient
 * all-reduces, the overlap's shares and the buckets' sizes in MiB. `allreduce ELEMENTS REPEATS OUT`: times all-reduces of a float32
 * buffer of ELEMENTS (the gradients of the model) and of one element, and writes OUT.<rank>.json.
 */
import { writeFileSync } from 'node:fs';
import { bytesOf } from '../../src/distributed/buckets.js';
import { DataParallel } from '../../src/distributed/data-parallel.js';
import { distributedEnvironment } from '../../src/distributed/environment.js';
import { loadTrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';
import { zeros } from '../../src/tensor/index.js';
import { ProcessGroup } from '../../src/tensor/process-group.js';
import { train } from '../../src/train/trainer.js';

const [mode, ...args] = process.argv.slice(2);
const env = distributedEnvironment(process.env);
const group =
  env === undefined || env.worldSize === 1
    ? undefined
    : await ProcessGroup.create({
        rank: env.rank,
        worldSize: env.worldSize,
        timeoutMs: 600_000,
        rendezvous: { store: 'tcp', host: env.masterAddr, port: env.masterPort },
      });
const rank = group?.rank ?? 0;

if (mode === 'train') {
  const [configFile, out, reduction = 'overlap', bucketMiB = '25', buckets = 'rebuild'] = args as [
    string,
    string,
    string?,
    string?,
    string?,
  ];
  const rebuild = buckets === 'rebuild' || buckets === 'rebuild-last';
  const dataParallel =
    group === undefined
      ? undefined
      : new DataParallel(group, Number(bucketMiB) * 2 ** 20, reduction === 'overlap', {
          rebuildBuckets: rebuild,
          foldFlags: rebuild,
          smallLastBucket: buckets === 'rebuild-last',
        });
  // the steps after the first (which records the gradients' order; the buckets are rebuilt after it): step seconds and CPU
  let first: { seconds: number; cpu: NodeJS.CpuUsage } | undefined;
  let later = { seconds: 0, cpu: { user: 0, system: 0 } };
  // the buckets' sizes, read at the last step (the model, and so the parameters, are disposed when train returns)
  let bucketSizes: number[] | undefined;
  const result = await train(loadTrainingConfig(configFile, { taskTypes }), {
    overwrite: true,
    ...(dataParallel === undefined ? {} : { dataParallel }),
    onProgress: (p) => {
      if (p.step === 1) first = { seconds: p.elapsedSeconds, cpu: process.cpuUsage() };
      if (first !== undefined && p.step === p.totalSteps) {
        later = { seconds: p.elapsedSeconds - first.seconds, cpu: process.cpuUsage(first.cpu) };
        bucketSizes = dataParallel?.gradientBuckets?.map((b) => b.reduce((n, t) => n + bytesOf(t), 0) / 2 ** 20);
      }
    },
  });
  writeFileSync(
    `${out}.${rank}.json`,
    JSON.stringify({
      rank,
      steps: result.step,
      trainSeconds: result.trainSeconds,
      laterSeconds: later.seconds,
      laterCpuSeconds: (later.cpu.user + later.cpu.system) / 1e6,
      tokens: result.tokensPerSecond * result.trainSeconds,
      examples: result.examplesPerSecond * result.trainSeconds,
      commSeconds: dataParallel?.commSeconds ?? 0,
      overlapped: dataParallel?.overlapsBackward ?? false,
      buckets: dataParallel?.overlapBuckets,
      bucketMiB: bucketSizes,
      shares: dataParallel?.overlapShares,
      parameters: result.trainableParameters,
    }),
  );
} else if (mode === 'allreduce' && group !== undefined) {
  const [elements, repeats, out] = args as [string, string, string];
  const timed = async (n: number): Promise<number[]> => {
    const buffer = zeros([n]);
    await group.allReduce([buffer], 'avg'); // warm-up: connections, allocation
    const seconds: number[] = [];
    for (let i = 0; i < Number(repeats); i++) {
      const started = performance.now();
      await group.allReduce([buffer], 'avg');
      seconds.push((performance.now() - started) / 1000);
    }
    buffer.dispose();
    return seconds;
  };
  const seconds = await timed(Number(elements));
  const latency = await timed(1); // one float: the per-message cost α
  writeFileSync(`${out}.${rank}.json`, JSON.stringify({ rank, elements: Number(elements), seconds, latency }));
}
group?.destroy();
