/**
 * Our side of the tensor-engine benchmark (peer: bench/peer/tensor_overhead.py, same work):
 * the per-op cost of a small add, and one training step of a 2-layer MLP (B 64, 256 → 512 → 10,
 * cross-entropy, backward, AdamW, zero-grad). Prints one JSON line.
 * Usage: node --import tsx bench/tensor_overhead.ts --adds 100000 --steps 200 --threads 1
 */
import { parseArgs } from 'node:util';
import * as T from '../src/tensor/index.js';
import { AdamW } from '../src/optim/adamw.js';

const { values } = parseArgs({
  options: {
    adds: { type: 'string', default: '100000' },
    steps: { type: 'string', default: '200' },
    threads: { type: 'string', default: '1' },
  },
});
T.setNumThreads(Number(values.threads));

/** µs per `x.add(x)` whose result is disposed right away (as Python's refcount frees it). */
function smallAdds(n: number): number {
  const x = T.ones([1]);
  for (let i = 0; i < 1000; i++) x.add(x).dispose();
  const t = performance.now();
  for (let i = 0; i < n; i++) x.add(x).dispose();
  const us = ((performance.now() - t) / n) * 1e3;
  x.dispose();
  return us;
}

/** µs per add when results are freed by tidy() scopes of 100 ops (the library's usual style). */
function smallAddsTidy(n: number): number {
  const x = T.ones([1]);
  const t = performance.now();
  for (let i = 0; i < n; i += 100)
    T.tidy(() => {
      for (let j = 0; j < 100; j++) x.add(x);
    });
  const us = ((performance.now() - t) / n) * 1e3;
  x.dispose();
  return us;
}

/** ms per MLP training step, same shapes and update as the peer. */
function mlpSteps(n: number, batch = 64, dIn = 256, dHidden = 512, classes = 10): number {
  T.manualSeed(0);
  const params = T.tidy(() => [
    T.keep(T.randn([dHidden, dIn]).mul(0.05).requiresGrad_()),
    T.keep(T.zeros([dHidden], { requiresGrad: true })),
    T.keep(T.randn([classes, dHidden]).mul(0.05).requiresGrad_()),
    T.keep(T.zeros([classes], { requiresGrad: true })),
  ]);
  const [w1, b1, w2, b2] = params as [T.Tensor, T.Tensor, T.Tensor, T.Tensor];
  const optimizer = new AdamW(params, { lr: 1e-3, weightDecay: 0.01 });
  const x = T.randn([batch, dIn]);
  const y = T.randint(0, classes, [batch]);
  const step = () =>
    T.tidy(() => {
      const h = T.linear(x, w1, b1).relu();
      T.crossEntropy(T.linear(h, w2, b2), y).backward();
      optimizer.step();
      optimizer.zeroGrad();
    });
  for (let i = 0; i < 20; i++) step();
  const t = performance.now();
  for (let i = 0; i < n; i++) step();
  const ms = (performance.now() - t) / n;
  optimizer.dispose();
  T.dispose([params, x, y]);
  return ms;
}

console.log(
  JSON.stringify({
    addUs: smallAdds(Number(values.adds)),
    addTidyUs: smallAddsTidy(Number(values.adds)),
    mlpStepMs: mlpSteps(Number(values.steps)),
  }),
);
