/**
 * The 1-vs-all cross-entropy with N3 and reciprocal relations against scripts/fixtures/kg.py, which writes
 * it as Lacroix et al. (ICML 2018) define it on one batch of 2B queries; and reciprocal relations in the
 * ranking path (a head query scored as the tail query of the inverse relation).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { embedding, grad, liveTensorCount, tensor, tidy, type Tensor } from '../../../src/tensor/index.js';
import { cubedModuli, oneVsAllLoss } from '../../../src/tasks/kg/one-vs-all.js';
import { candidateScores } from '../../../src/tasks/kg/model.js';
import { complEx, distMult } from '../../../src/tasks/kg/scoring.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../../helpers/fixtures.js';

interface OneVsAllCase {
  scoring: 'complex' | 'distmult';
  reciprocal: boolean;
  n3: number;
  entities: TensorFixture;
  relations: TensorFixture;
  heads: TensorFixture;
  rels: TensorFixture;
  tails: TensorFixture;
  loss: TensorFixture;
  grad_entities: TensorFixture;
  grad_relations: TensorFixture;
}
const fixtures = loadFixture<Record<string, OneVsAllCase>>('kg');
const ids = (f: TensorFixture) => f.data as number[];

for (const [name, c] of Object.entries(fixtures).filter(([k]) => k.startsWith('one_vs_all_'))) {
  test(`${name}: loss and gradients equal the reference's`, () => {
    const base = liveTensorCount();
    tidy(() => {
      const entities = fromFixture(c.entities).requiresGrad_();
      const relations = fromFixture(c.relations).requiresGrad_();
      const [headIds, tailIds, relationIds] = [c.heads, c.tails, c.rels].map((f) => tensor(ids(f), { dtype: 'int64' })) as [
        Tensor,
        Tensor,
        Tensor,
      ];
      const lookup = (xs: Tensor) => embedding(entities, xs);
      const scoring = c.scoring === 'complex' ? complEx() : distMult();
      const loss = oneVsAllLoss(
        scoring,
        entities,
        relations,
        { h: lookup(headIds), t: lookup(tailIds), headIds, tailIds, relationIds },
        { reciprocal: c.reciprocal, n3: c.n3 },
      );
      assertClose(loss, c.loss, { rtol: 1e-12, atol: 1e-12, what: 'loss' });
      const [gE, gR] = grad(loss, [entities, relations]);
      assertClose(gE!, c.grad_entities, { rtol: 1e-10, atol: 1e-12, what: 'd loss / d entities' });
      assertClose(gR!, c.grad_relations, { rtol: 1e-10, atol: 1e-12, what: 'd loss / d relations' });
    });
    assert.equal(liveTensorCount(), base);
  });
}

test('cubed moduli by hand: ComplEx 3 + 4i has modulus 5 (125); real coordinates −2 and 1 give 8 + 1', () => {
  tidy(() => {
    assert.equal((cubedModuli(tensor([[3, 4]], { dtype: 'float64' }), true).toFlatArray() as number[])[0], 125);
    assert.equal((cubedModuli(tensor([[-2, 1]], { dtype: 'float64' }), false).toFlatArray() as number[])[0], 9);
  });
});

test('with reciprocal relations a head query (?, r, t) is scored as the tail query (t, r + R, ?)', () => {
  tidy(() => {
    const entity = fromFixture(fixtures.one_vs_all_complex_reciprocal_n3!.entities, 'float32');
    const relation = fromFixture(fixtures.one_vs_all_complex_reciprocal_n3!.relations, 'float32'); // (2R, D), R = 2
    const all = tensor([0, 1, 2, 3, 4, 5, 6], { dtype: 'int64' });
    const query = [{ head: 4, relation: 1, tail: 2 }];
    const viaInverse = candidateScores(entity, relation, complEx(), query, 'head', all, true);
    const asTailQuery = candidateScores(entity, relation, complEx(), [{ head: 2, relation: 3, tail: 4 }], 'tail', all);
    assert.deepEqual(viaInverse.toFlatArray(), asTailQuery.toFlatArray());
    const plain = candidateScores(entity, relation, complEx(), query, 'head', all);
    assert.notDeepEqual(plain.toFlatArray(), viaInverse.toFlatArray(), 'without reciprocal, r itself scores (e, r, t)');
  });
});
