/**
 * The searches' libtorch paths (greedy's argmax of the logits, beam search's log-softmax + sums + topk)
 * against the host paths they replace when no rule reads a row's tokens: the same tokens, candidates
 * and order on random logits with ties, the banned ids (EOS before minNewTokens) never chosen.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestContinuations, bestContinuationsInTorch } from '../../src/generate/beam-search.js';
import { argmaxRows } from '../../src/generate/greedy.js';
import { argmax, banTokens, logSoftmax, seededUniform } from '../../src/generate/processors.js';
import { inferenceMode, tensor, tidy } from '../../src/tensor/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

/** R rows of V seeded logits; with `levels`, few distinct values (ties). */
function randomLogits(seed: number, R: number, V: number, levels?: number): Float32Array {
  const u = seededUniform(seed);
  return Float32Array.from({ length: R * V }, () => (levels === undefined ? 4 * u() - 2 : Math.floor(u() * levels)));
}
const rowsOf = (flat: Float32Array, R: number): Float32Array[] =>
  Array.from({ length: R }, (_, r) => flat.slice((r * flat.length) / R, ((r + 1) * flat.length) / R));

describe('decoding in libtorch = decoding on the host', () => {
  it('greedy: argmax of the logits with the banned ids at −∞, the first of equal maxima', () => {
    for (const [seed, levels] of [
      [1, undefined],
      [2, 3],
      [3, 1],
    ] as const) {
      const R = 5;
      const V = 40;
      const flat = randomLogits(seed, R, V, levels);
      for (const banned of [[], [0, 7], [39, 100]]) {
        const host = rowsOf(flat, R).map((s) => {
          banTokens(s, banned);
          return argmax(s);
        });
        const got = inferenceMode(() => tidy(() => argmaxRows(tensor(flat.slice(), {}, [R, V]), banned)));
        assert.deepEqual(got, host, `seed ${seed}, banned [${banned.join(', ')}]`);
      }
    }
  });

  it('beam search: the count best (beam, token) continuations per input row, in the host order, scores within 1e-12', () => {
    for (const [seed, levels] of [
      [4, undefined],
      [5, 4],
    ] as const) {
      const nb = 3;
      const rows = 2;
      const R = rows * nb;
      const V = 30;
      const flat = randomLogits(seed, R, V, levels);
      const u = seededUniform(seed + 100);
      const sums = Array.from({ length: R }, (_, r) => (r % nb === 0 ? 0 : levels === undefined ? -3 * u() : -1e9));
      const banned = [1];
      const count = 2 * nb;
      const host = rowsOf(flat, R).map((s, r) => {
        const lp = logSoftmax(s);
        banTokens(lp, banned);
        for (let i = 0; i < V; i++) lp[i] = lp[i]! + sums[r]!;
        return lp;
      });
      const expected = Array.from({ length: rows }, (_, b) => bestContinuations(host.slice(b * nb, (b + 1) * nb), count));
      const got = inferenceMode(() => tidy(() => bestContinuationsInTorch(tensor(flat.slice(), {}, [R, V]), sums, banned, nb, count)));
      for (let b = 0; b < rows; b++) {
        const e = expected[b]!;
        const g = got[b]!;
        assert.equal(g.length, count);
        // with ties at the count-th place either may be kept; every other candidate is the same, in order
        const tiedLast = e.filter((c) => Math.abs(c.score - e[count - 1]!.score) < 1e-12).length;
        for (let j = 0; j < count - (tiedLast > 1 ? tiedLast : 0); j++) {
          assert.equal(g[j]!.beam, e[j]!.beam, `seed ${seed} row ${b} candidate ${j} beam`);
          assert.equal(g[j]!.token, e[j]!.token, `seed ${seed} row ${b} candidate ${j} token`);
          assert.ok(
            Math.abs(g[j]!.score - e[j]!.score) < 1e-12,
            `seed ${seed} row ${b} candidate ${j} score ${g[j]!.score} vs ${e[j]!.score}`,
          );
        }
        assert.ok(g.every((c) => !banned.includes(c.token)));
      }
    }
  });
});
