// Child process of tests/distributed/overlapped-reduction.test.ts: a tiny multi-task network (a tanh
// trunk 6 → 16 → 16 and three heads: a (3 classes), b (2), c (4)) trained for a few SGD steps of
// `accum` micro-batches of 4 rows, and one JSON line printed: the parameters, for each step whether
// head c's weight had a gradient when the optimizer stepped, and the overlapped reduction's buckets at
// the end (parameter indices: trunk 0 weight, bias = 0, 1; trunk 1 = 2, 3; heads a, b, c = 4 … 9).
// argv: rank worldSize port readyDir mode schedule steps accum
//   mode (worldSize 2): 'overlap' (DataParallel.prepareBackward before the last micro-batch's backward,
//     the reduction during it, the buckets rebuilt after step 0, the flags in the last bucket), 'plain'
//     (the same without rebuild and with the flags' own all-reduce, as before both existed) or 'after'
//     (the all-reduce after the backward); worldSize 1: one process
//     back-propagating every rank's micro-batches of the step (port, readyDir and mode unused).
//   mode 'die' / 'stall': rank 1 is killed (SIGKILL) / sleeps 60 s after preparing step 1's backward;
//     rank 0 prints { error, seconds } (from its backward to the rejection) and exits 3.
//   schedule 'same': every micro-batch trains heads a and b. 'split': rank 0's micro-batches train a,
//     rank 1's train b, and head c only step 1's first micro-batch of rank 0 — unused on rank 1, unused
//     in rank 0's last micro-batch (its gradient from the first), unused everywhere in steps 0 and 2.
// Micro-batch m of rank r in step s is block (s·accum + m)·2 + r, as src/train/step.ts numbers positions;
// each block's loss is the sum of its heads' mean cross-entropies divided by accum, and a 2-rank step
// averages the ranks' gradients, so one process back-propagating every block divided by 2·accum matches.
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { register } from 'tsx/esm/api';
import { joinLoopbackGroup } from './loopback-group.mjs';

register();
const T = await import('../../src/tensor/index.ts');
const { DataParallel } = await import('../../src/distributed/data-parallel.ts');
const { Linear } = await import('../../src/nn/linear.ts');
const { SGD } = await import('../../src/optim/sgd.ts');
const { mulberry32 } = await import('../../src/random.ts');

const [rank, worldSize, port] = process.argv.slice(2, 5).map(Number);
const [readyDir, mode, schedule, stepsText, accumText] = process.argv.slice(5);
const steps = Number(stepsText);
const accum = Number(accumText);
const ROWS = 4;
const CLASSES = { a: 3, b: 2, c: 4 };

let dp;
if (worldSize > 1) {
  const timeoutMs = mode === 'stall' ? 3_000 : 20_000;
  const group = await joinLoopbackGroup({ rank, worldSize, port, timeoutMs, readyDir });
  // overlapped: buckets of 512 bytes, so there are several and some start during the backward
  dp =
    mode === 'after'
      ? new DataParallel(group, undefined, false)
      : new DataParallel(group, 512, true, mode === 'plain' ? { rebuildBuckets: false, foldFlags: false } : { rebuildBuckets: true });
}

T.manualSeed(5);
const trunk = [new Linear(6, 16), new Linear(16, 16)];
const heads = { a: new Linear(16, CLASSES.a), b: new Linear(16, CLASSES.b), c: new Linear(16, CLASSES.c) };
const modules = [...trunk, heads.a, heads.b, heads.c];
const params = modules.flatMap((m) => m.parameters());
const optimizer = new SGD(params, { lr: 0.5 });

/** The heads block `block` of step `step` trains (micro-batch `micro` of rank `r`). */
function headsOf(step, micro, r) {
  if (schedule === 'same') return ['a', 'b'];
  const own = r === 0 ? ['a'] : ['b'];
  return step === 1 && micro === 0 && r === 0 ? [...own, 'c'] : own;
}

/** Block `block`'s loss: each of `names`' mean cross-entropy on its 4 rows, summed, divided by `divisor`. */
function blockLoss(block, names, divisor) {
  const random = mulberry32(100 + block);
  const x = T.tensor(Array.from({ length: ROWS }, () => Array.from({ length: 6 }, () => 2 * random() - 1)));
  const hidden = trunk.reduce((h, layer) => T.tanh(layer.forward(h)), x);
  const losses = names.map((name) => {
    const labels = T.tensor(
      Array.from({ length: ROWS }, () => Math.floor(random() * CLASSES[name])),
      { dtype: 'int64' },
    );
    return T.crossEntropy(heads[name].forward(hidden), labels);
  });
  return losses.reduce((sum, l) => sum.add(l)).div(divisor);
}

const cHadGradient = [];
for (let s = 0; s < steps; s++) {
  for (let m = 0; m < accum; m++) {
    const ranks = worldSize === 1 ? [0, 1] : [rank];
    for (const r of ranks) {
      const block = (s * accum + m) * 2 + r;
      const last = m === accum - 1;
      const loss = T.tidy(() => blockLoss(block, headsOf(s, m, r), worldSize === 1 ? 2 * accum : accum));
      if (dp !== undefined && last) dp.prepareBackward(params, [loss]);
      if (last && s === 1 && rank === 1 && mode === 'die') process.kill(process.pid, 'SIGKILL');
      if (last && s === 1 && rank === 1 && mode === 'stall') await new Promise((resolve) => setTimeout(resolve, 60_000));
      loss.backward();
      loss.dispose();
    }
  }
  const started = performance.now();
  try {
    if (dp !== undefined) await dp.allReduceGradients(params);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: e.message, seconds: (performance.now() - started) / 1000 })}\n`);
    process.exit(3);
  }
  const g = heads.c.weight.grad;
  cHadGradient.push(g !== undefined);
  g?.dispose();
  optimizer.step();
  optimizer.zeroGrad();
}

process.stdout.write(
  `${JSON.stringify({
    rank: dp?.rank ?? 0,
    overlapped: dp?.overlapsBackward ?? false,
    buckets: dp?.overlapBuckets,
    shares: dp?.overlapShares,
    assignment: dp?.gradientBuckets?.map((b) => b.map((t) => params.findIndex((p) => p.id === t.id))),
    parameters: params.map((p) => p.toFlatArray()),
    cHadGradient,
  })}\n`,
);
dp?.destroy();
dp?.group.destroy();
