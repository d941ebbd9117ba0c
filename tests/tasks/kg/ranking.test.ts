import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filteredRank, rankingMetrics } from '../../../src/metrics/ranking.js';
import type { Triple } from '../../../src/data/readers/triples.js';
import { KnownTriples } from '../../../src/tasks/kg/known-triples.js';
import { filteredRanks, type CandidateScorer } from '../../../src/tasks/kg/filtered-ranks.js';
import { KgEmbeddingModel } from '../../../src/tasks/kg/model.js';
import { distMult, rotatE, transE } from '../../../src/tasks/kg/scoring.js';
import { index, liveTensorCount, manualSeed, tensor, tidy, zeros, type Tensor } from '../../../src/tensor/index.js';
import { Rng } from '../../../src/tensor/rng.js';

test('filtered rank on a tiny graph, by hand, under each tie policy', () => {
  // Query (0, r0, ?) with true tail 2; scores of tails 0..4. Known true tails of (0, r0): {2, 4}.
  const scores = [0.9, 0.5, 0.7, 0.7, 0.8];
  // raw: better {0, 4}, tied {3} → optimistic 3, pessimistic 4, realistic 3.5
  assert.equal(filteredRank(scores, 2, new Set(), 'optimistic'), 3);
  assert.equal(filteredRank(scores, 2, new Set(), 'pessimistic'), 4);
  assert.equal(filteredRank(scores, 2), 3.5);
  // filtered: 4 is another true tail and leaves the count → better {0}, tied {3}
  assert.equal(filteredRank(scores, 2, new Set([2, 4]), 'optimistic'), 2);
  assert.equal(filteredRank(scores, 2, new Set([2, 4]), 'pessimistic'), 3);
  assert.equal(filteredRank(scores, 2, new Set([2, 4])), 2.5);
});

test('MRR and Hits@k of ranks, by hand', () => {
  const m = rankingMetrics([1, 2, 4, 10.5]);
  assert.ok(Math.abs(m.mrr - (1 + 1 / 2 + 1 / 4 + 1 / 10.5) / 4) < 1e-12);
  assert.deepEqual(m.hits, { 1: 0.25, 3: 0.5, 10: 0.75 });
  assert.equal(m.meanRank, 17.5 / 4);
  assert.throws(() => rankingMetrics([]), /at least one rank/);
  assert.throws(() => rankingMetrics([0.5]), /≥ 1/);
});

/** Scores from a fixed table: score(h, r, e) = table[h][e] for side 'tail', score(e, r, t) = table[t][e] for 'head'. */
function tableScorer(table: number[][]): CandidateScorer {
  return {
    scoreCandidates: (queries, side, candidates) =>
      tidy(() => {
        const rows = tensor(
          queries.map((q) => (side === 'tail' ? q.head : q.tail)),
          { dtype: 'int64' },
        );
        const t = tensor(table);
        return index(index(t, [rows]), [null, candidates]);
      }),
  };
}

test('tensor filteredRanks equal the hand-computed filtered ranks on the tiny graph, for any chunking', () => {
  const base = liveTensorCount();
  const table = [
    [0.9, 0.5, 0.7, 0.7, 0.8],
    [0.1, 0.2, 0.3, 0.4, 0.5],
  ];
  const known = new KnownTriples(1, [
    { head: 0, relation: 0, tail: 2 },
    { head: 0, relation: 0, tail: 4 },
    { head: 1, relation: 0, tail: 0 },
  ]);
  const queries: Triple[] = [
    { head: 0, relation: 0, tail: 2 },
    { head: 1, relation: 0, tail: 0 },
  ];
  for (const chunkSize of [1, 2, 3, 5, 100]) {
    for (const batchSize of [1, 2]) {
      const ranks = filteredRanks(tableScorer(table), queries, 'tail', { numEntities: 5, known, chunkSize, batchSize });
      assert.deepEqual(ranks, [2.5, 5], `chunk ${chunkSize}, batch ${batchSize}`);
      const raw = filteredRanks(tableScorer(table), queries, 'tail', { numEntities: 5, chunkSize, batchSize, ties: 'pessimistic' });
      assert.deepEqual(raw, [4, 5]);
    }
  }
  assert.equal(liveTensorCount(), base);
});

test('chunked ranks equal unchunked ones and the plain-array definition, both sides, on a random model', () => {
  manualSeed(3);
  const E = 37;
  const rng = new Rng(5);
  const draw = (): Triple => ({
    head: Math.floor(rng.float() * E),
    relation: Math.floor(rng.float() * 3),
    tail: Math.floor(rng.float() * E),
  });
  const train = Array.from({ length: 120 }, draw);
  const test = Array.from({ length: 11 }, draw);
  const known = new KnownTriples(3, train, test);
  for (const scoring of [distMult(), transE(2), rotatE()]) {
    const model = new KgEmbeddingModel(E, 3, 8, scoring);
    const base = liveTensorCount();
    for (const side of ['head', 'tail'] as const) {
      const full = filteredRanks(model, test, side, { numEntities: E, known, chunkSize: E, batchSize: 64 });
      const chunked = filteredRanks(model, test, side, { numEntities: E, known, chunkSize: 5, batchSize: 3 });
      assert.deepEqual(chunked, full, `${scoring.name} ${side}`);
      // Reference: every candidate triple scored one at a time with scoreTriples, ranked by filteredRank.
      const reference = test.map((q) => {
        const cands = Array.from({ length: E }, (_, e) => (side === 'tail' ? { ...q, tail: e } : { ...q, head: e }));
        const s = tidy(() => model.scoreTriples(cands).toFlatArray() as number[]);
        return filteredRank(s, side === 'tail' ? q.tail : q.head, known.trueFillers(q, side));
      });
      assert.deepEqual(full, reference, `${scoring.name} ${side} vs reference`);
    }
    assert.equal(liveTensorCount(), base);
    model.dispose();
  }
});

test('a model that scores everything the same gets the realistic (middle) rank', () => {
  const zero: CandidateScorer = { scoreCandidates: (q, _s, c): Tensor => zeros([q.length, c.shape[0]!]) };
  const ranks = filteredRanks(zero, [{ head: 0, relation: 0, tail: 3 }], 'tail', { numEntities: 11, chunkSize: 4 });
  assert.deepEqual(ranks, [6]); // 10 others tied: 1 + 10/2
});

test('exact ties are counted as ties even when the target block scores the true entity a few ulps off (issue: DistMult/ComplEx ties miscounted)', () => {
  // A scorer whose scores are exact multiples of 1/8 (many ties), except that a block asked for as
  // many candidates as queries (the target block) comes out 2^-20 higher: as a GEMM of another shape
  // rounds differently. Ranks must follow the full score row, ties counted as realistic ranks.
  const E = 40;
  const rng = new Rng(11);
  const table = Array.from({ length: 6 }, () => Array.from({ length: E }, () => Math.floor(rng.float() * 4) / 8));
  const drifting: CandidateScorer = {
    scoreCandidates: (queries, side, candidates) =>
      tidy(() => {
        const exact = tableScorer(table).scoreCandidates(queries, side, candidates);
        return candidates.shape[0] === queries.length
          ? tensor(exact.toFlatArray() as number[])
              .reshape(exact.shape)
              .add(2 ** -20)
          : exact.clone();
      }),
  };
  const queries: Triple[] = Array.from({ length: 6 }, (_, h) => ({ head: h, relation: 0, tail: Math.floor(rng.float() * E) }));
  const known = new KnownTriples(1, queries, [{ head: 0, relation: 0, tail: 5 }]);
  const base = liveTensorCount();
  for (const chunkSize of [7, 40]) {
    const ranks = filteredRanks(drifting, queries, 'tail', { numEntities: E, known, chunkSize, batchSize: 6 });
    const expected = queries.map((q) => filteredRank(table[q.head]!, q.tail, known.trueFillers(q, 'tail')));
    assert.deepEqual(ranks, expected, `chunk ${chunkSize}`);
  }
  assert.equal(liveTensorCount(), base);
});
