import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Triple } from '../../../src/data/readers/triples.js';
import { KnownTriples } from '../../../src/tasks/kg/known-triples.js';
import { sampleNegatives } from '../../../src/tasks/kg/negative-sampling.js';
import { Rng } from '../../../src/tensor/rng.js';

const positives: Triple[] = [
  { head: 0, relation: 0, tail: 1 },
  { head: 3, relation: 1, tail: 2 },
];

test('uniform corruption is seeded-repeatable, in range, and covers all entities', () => {
  const opts = { numNegatives: 500, numEntities: 6, side: 'tail' as const };
  const a = sampleNegatives(positives, opts, new Rng(7));
  const b = sampleNegatives(positives, opts, new Rng(7));
  const c = sampleNegatives(positives, opts, new Rng(8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(a.length, 1000);
  assert.deepEqual([...new Set(a)].sort(), [0, 1, 2, 3, 4, 5]);
});

test('with exclude, no negative is a known true triple (the positive included), on either side', () => {
  // (0, r0, ?) has true tails {1, 2, 4}; (?, r1, 2) has true heads {3, 5}
  const known = new KnownTriples(2, [
    ...positives,
    { head: 0, relation: 0, tail: 2 },
    { head: 0, relation: 0, tail: 4 },
    { head: 5, relation: 1, tail: 2 },
  ]);
  const tails = sampleNegatives([positives[0]!], { numNegatives: 300, numEntities: 6, side: 'tail', exclude: known }, new Rng(1));
  assert.deepEqual([...new Set(tails)].sort(), [0, 3, 5]);
  const heads = sampleNegatives([positives[1]!], { numNegatives: 300, numEntities: 6, side: 'head', exclude: known }, new Rng(1));
  assert.deepEqual([...new Set(heads)].sort(), [0, 1, 2, 4]);
  // an unknown positive still never gets itself back
  const own = sampleNegatives(
    [{ head: 1, relation: 1, tail: 4 }],
    { numNegatives: 300, numEntities: 6, side: 'tail', exclude: known },
    new Rng(2),
  );
  assert.ok(!own.includes(4));
});

test('bad counts and an exhausted candidate set are ConfigErrors', () => {
  assert.throws(() => sampleNegatives(positives, { numNegatives: 0, numEntities: 6, side: 'tail' }, new Rng(1)), /numNegatives/);
  const known = new KnownTriples(
    1,
    [0, 1, 2].map((tail) => ({ head: 0, relation: 0, tail })),
  );
  assert.throws(
    () =>
      sampleNegatives([{ head: 0, relation: 0, tail: 0 }], { numNegatives: 1, numEntities: 3, side: 'tail', exclude: known }, new Rng(1)),
    /could not draw a negative tail/,
  );
});
