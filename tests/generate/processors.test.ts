/**
 * The decoding rules on hand-checked small cases (each computed on paper from the rule's definition).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyRepetitionPenalty,
  banRepeatedNgrams,
  keepTopK,
  keepTopP,
  kthHighest,
  logSoftmax,
  softmax,
  sampleToken,
  seededUniform,
} from '../../src/generate/processors.js';

const f32 = (xs: number[]) => Float32Array.from(xs);

describe('decoding rules', () => {
  it('repetition penalty divides positive and multiplies negative scores of seen tokens, once each', () => {
    const s = f32([2, -1, 3, 0.5]);
    applyRepetitionPenalty(s, [0, 1, 1], 2);
    assert.deepEqual([...s], [1, -2, 3, 0.5]);
  });

  it('no-repeat n-grams bans the tokens that would repeat an n-gram', () => {
    // tokens 1 2 3 1 2: the bigram (2, 3) was seen, so after …2 the token 3 is banned (n = 2);
    // the trigram (1, 2, 3) was seen, so after …1 2 the token 3 is banned (n = 3)
    for (const n of [2, 3]) {
      const s = f32([0, 0, 0, 0, 0]);
      banRepeatedNgrams(s, [1, 2, 3, 1, 2], n);
      assert.deepEqual([...s], [0, 0, 0, -Infinity, 0], `n = ${n}`);
    }
    const s = f32([0, 0, 0]);
    banRepeatedNgrams(s, [1, 2], 3); // no complete trigram before: nothing banned
    assert.deepEqual([...s], [0, 0, 0]);
  });

  it('top-k keeps the k highest scores (ties at the k-th too)', () => {
    const s = f32([1, 5, 3, 3, 0]);
    keepTopK(s, 2);
    assert.deepEqual([...s], [-Infinity, 5, 3, 3, -Infinity]);
  });

  it('top-p keeps the fewest most likely tokens holding p', () => {
    // probabilities 0.5, 0.3, 0.2 (log-scores): p = 0.75 keeps 0.5 and 0.3 (0.5 < 0.75 before the second); p = 0.5 keeps the first only
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.2)];
    const a = f32(logits);
    keepTopP(a, 0.75);
    assert.deepEqual([...a].map(Number.isFinite), [true, true, false]);
    const b = f32(logits);
    keepTopP(b, 0.5);
    assert.deepEqual([...b].map(Number.isFinite), [true, false, false]);
  });

  it('top-k and top-p without a full sort equal the definitions by sorting, ties included (random scores)', () => {
    const u = seededUniform(7);
    // the definitions as written before the partial selections: sort all scores (or ids, stably) descending
    const topKBySort = (s: Float32Array, k: number) => {
      const kth = [...s].sort((a, b) => b - a)[k - 1]!;
      return s.map((x) => (x < kth ? -Infinity : x));
    };
    const topPBySort = (s: Float32Array, p: number) => {
      const probs = softmax(s);
      const order = [...probs.keys()].sort((a, b) => probs[b]! - probs[a]!);
      const out = s.slice();
      let before = 0;
      for (const i of order) {
        if (before >= p) out[i] = -Infinity;
        before += probs[i]!;
      }
      return out;
    };
    for (let trial = 0; trial < 200; trial++) {
      const V = 1 + Math.floor(u() * 300);
      // few distinct values in some trials, so ties at the k-th score and equal probabilities occur
      const levels = trial % 2 === 0 ? 4 : 1000;
      const s = Float32Array.from({ length: V }, () => (u() < 0.05 ? -Infinity : Math.floor(u() * levels) / 3));
      if (s.every((x) => x === -Infinity)) s[0] = 0;
      const k = 1 + Math.floor(u() * V);
      const a = s.slice();
      keepTopK(a, k);
      assert.deepEqual([...a], [...topKBySort(s, k)], `top-k trial ${trial} (V ${V}, k ${k})`);
      assert.equal(kthHighest(s, k), [...s].sort((x, y) => y - x)[k - 1], `k-th highest, trial ${trial}`);
      const p = [0.1, 0.5, 0.9, 0.999][trial % 4]!;
      const b = s.slice();
      keepTopP(b, p);
      assert.deepEqual([...b], [...topPBySort(s, p)], `top-p trial ${trial} (V ${V}, p ${p})`);
    }
  });

  it('log softmax and sampling follow the probabilities; the generator is seeded', () => {
    const lp = logSoftmax(f32([Math.log(1), Math.log(3)]));
    assert.ok(Math.abs(lp[0]! - Math.log(0.25)) < 1e-6 && Math.abs(lp[1]! - Math.log(0.75)) < 1e-6);
    const s = f32([Math.log(1), Math.log(3), -Infinity]);
    assert.equal(sampleToken(s, 0.2), 0);
    assert.equal(sampleToken(s, 0.3), 1);
    assert.equal(sampleToken(s, 0.9999999), 1); // never the banned token
    const u = seededUniform(42);
    const draws = Array.from({ length: 10000 }, u);
    assert.deepEqual(draws.slice(0, 5), Array.from({ length: 5 }, seededUniform(42)));
    assert.ok(draws.every((x) => x >= 0 && x < 1));
    const mean = draws.reduce((a, b) => a + b) / draws.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, `mean of U[0, 1) draws ${mean}`);
  });
});
