import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import { gradientConflicts } from '../../src/mtl/conflict.js';

test('cosines and norm ratios from the Gramian, worked by hand for g1 = (1, 0), g2 = (1, 1), g3 = (-2, 0)', () => {
  // M_ij = g_i · g_j
  const m = [
    [1, 1, -2],
    [1, 2, -2],
    [-2, -2, 4],
  ];
  const { pairs, norms } = gradientConflicts(['a', 'b', 'c'], m);
  assert.deepEqual(Object.keys(pairs), ['a~b', 'a~c', 'b~c']);
  const close = (x: number | null, y: number) => assert.ok(x !== null && Math.abs(x - y) < 1e-12, `${x} vs ${y}`);
  close(pairs['a~b']!.cosine, Math.SQRT1_2); // 1 / (1 · √2)
  close(pairs['a~b']!.norm_ratio, Math.SQRT1_2);
  close(pairs['a~c']!.cosine, -1); // opposite directions
  close(pairs['a~c']!.norm_ratio, 0.5);
  close(pairs['b~c']!.cosine, -Math.SQRT1_2);
  close(pairs['b~c']!.norm_ratio, Math.SQRT2 / 2);
  assert.deepEqual(norms, { a: 1, b: Math.SQRT2, c: 2 });
});

test('a zero gradient leaves its cosine and the ratio over it undefined (null), and a bad Gramian is a ShapeError', () => {
  const { pairs } = gradientConflicts(
    ['a', 'b'],
    [
      [4, 0],
      [0, 0],
    ],
  );
  assert.deepEqual(pairs, { 'a~b': { cosine: null, norm_ratio: null } });
  assert.equal(
    gradientConflicts(
      ['a', 'b'],
      [
        [0, 0],
        [0, 9],
      ],
    ).pairs['a~b']!.norm_ratio,
    0,
  );
  assert.throws(() => gradientConflicts(['a', 'b'], [[1]]), ShapeError);
});
