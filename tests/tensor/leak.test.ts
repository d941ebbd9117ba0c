/**
 * Leak check: 5,000 steps of a small training loop (a 2-layer MLP, cross-entropy, manual SGD under
 * noGrad, every step inside tidy) must leave the live-tensor count at its baseline and RSS nearly flat.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { tensorMemory } from '../../src/tensor/scope.js';

const { tidy, noGrad, liveTensorCount } = T;

const [N, B, D, H, C] = [256, 32, 16, 32, 4]; // examples, batch, features, hidden, classes
const STEPS = 5000;
const WARMUP = 300;
const LR = 0.1;
const MiB = 1024 * 1024;

test(`${STEPS} training steps leak no tensors and under 50 MB of RSS`, (t) => {
  const baseline = liveTensorCount();
  T.manualSeed(0);
  // A learnable task: labels are the argmax of a fixed random projection of the inputs.
  const [x, y] = tidy(() => {
    const inputs = T.randn([N, D]);
    return [inputs, inputs.matmul(T.randn([D, C])).argmax(1)];
  });
  const params = tidy(() => [T.randn([H, D]).mul(0.3), T.zeros([H]), T.randn([C, H]).mul(0.3), T.zeros([C])].map((p) => p.requiresGrad_()));
  const [w1, b1, w2, b2] = params as [T.Tensor, T.Tensor, T.Tensor, T.Tensor];

  const step = (i: number): number =>
    tidy(() => {
      const start = (i * B) % N;
      const [xb, yb] = [x.narrow(0, start, B), y.narrow(0, start, B)]; // (B, D), (B)
      const logits = T.linear(T.linear(xb, w1, b1).relu(), w2, b2); // (B, C)
      const loss = T.crossEntropy(logits, yb);
      loss.backward();
      noGrad(() => {
        for (const p of params) p.add_(p.grad as T.Tensor, -LR);
      });
      for (const p of params) p.zeroGrad();
      return loss.item() as number;
    });

  const first = step(0);
  for (let i = 1; i < WARMUP; i++) step(i);
  const rssBefore = process.memoryUsage.rss();
  const liveBefore = liveTensorCount();
  let last = first;
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) last = step(WARMUP + i);
  const seconds = (performance.now() - t0) / 1000;
  const growth = (process.memoryUsage.rss() - rssBefore) / MiB;
  t.diagnostic(
    `${STEPS} steps in ${seconds.toFixed(1)} s; RSS growth ${growth.toFixed(1)} MiB; loss ${first.toFixed(3)} -> ${last.toFixed(3)}`,
  );

  assert.equal(liveTensorCount(), liveBefore, 'each step frees every tensor it makes');
  assert.ok(growth < 50, `RSS grew by ${growth.toFixed(1)} MiB over ${STEPS} steps`);
  assert.ok(last < first * 0.7, `the loop trains (loss ${first} -> ${last}), so the updates really happen`);
  assert.ok(tensorMemory().tensorBytes < 4 * MiB, 'only data and parameters hold memory');
  T.dispose([x, y, params]);
  assert.equal(liveTensorCount(), baseline);
});

test('per-task gradients with grad(), dropout and layer norm leak nothing either', (t) => {
  T.manualSeed(1);
  const [w, gamma, beta, headA, headB] = tidy(() => [
    T.randn([H, D]).mul(0.3).requiresGrad_(),
    T.ones([H]).requiresGrad_(),
    T.zeros([H]).requiresGrad_(),
    T.randn([C, H]).mul(0.3).requiresGrad_(),
    T.randn([1, H]).mul(0.3).requiresGrad_(),
  ]) as [T.Tensor, T.Tensor, T.Tensor, T.Tensor, T.Tensor];
  const shared = [w, gamma, beta];
  const step = () =>
    tidy(() => {
      const xb = T.randn([B, D]);
      const h = T.dropout(T.layerNorm(T.linear(xb, w).gelu(), [H], gamma, beta), 0.1, true); // (B, H)
      const lossA = T.crossEntropy(T.linear(h, headA), T.randint(0, C, [B]));
      const lossB = T.mseLoss(T.linear(h, headB).squeeze(1), T.randn([B]));
      // One gradient per task over the shared parameters (what gradient surgery needs), then a step.
      const gA = T.grad(lossA, shared, { retainGraph: true });
      const gB = T.grad(lossB, shared, { retainGraph: true });
      const [dA, dB] = T.grad(lossA.add(lossB), [headA, headB]);
      noGrad(() => {
        shared.forEach((p, i) => p.add_((gA[i] as T.Tensor).add(gB[i] as T.Tensor), -0.01));
        headA.add_(dA as T.Tensor, -0.01);
        headB.add_(dB as T.Tensor, -0.01);
      });
    });
  for (let i = 0; i < 200; i++) step();
  const [live, rss] = [liveTensorCount(), process.memoryUsage.rss()];
  for (let i = 0; i < 2000; i++) step();
  const growth = (process.memoryUsage.rss() - rss) / MiB;
  t.diagnostic(`2000 steps; RSS growth ${growth.toFixed(1)} MiB`);
  assert.equal(liveTensorCount(), live);
  assert.ok(growth < 50, `RSS grew by ${growth.toFixed(1)} MiB`);
  T.dispose([w, gamma, beta, headA, headB]);
});
