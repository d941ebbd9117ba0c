import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinearChainCrf } from '../../src/tasks/crf.js';
import { grad, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

/** scripts/fixtures/crf.py: every quantity by enumerating all tag paths (float64). */
interface CrfCase {
  emissions: TensorFixture;
  transitions: TensorFixture;
  start: TensorFixture;
  end: TensorFixture;
  tags: TensorFixture;
  lengths: number[];
  loss: number;
  grad_emissions: TensorFixture;
  grad_transitions: TensorFixture;
  grad_start: TensorFixture;
  grad_end: TensorFixture;
  best_paths: number[][];
}
const cases = loadFixture<Record<string, CrfCase>>('crf');

/** A CRF holding a case's parameters (float32). */
function crfOf(c: CrfCase): LinearChainCrf {
  const crf = new LinearChainCrf(c.transitions.shape[0] as number);
  tidy(() => {
    const state = new Map([
      ['transitions', fromFixture(c.transitions, 'float32')],
      ['start_transitions', fromFixture(c.start, 'float32')],
      ['end_transitions', fromFixture(c.end, 'float32')],
    ]);
    crf.loadStateDict(state, { strict: true });
  });
  return crf;
}

/** Each row's gold tags, cut to its length. */
const tagRows = (c: CrfCase): number[][] => (fromFixtureRows(c.tags) as number[][]).map((row, b) => row.slice(0, c.lengths[b] as number));
function fromFixtureRows(f: TensorFixture): number[][] {
  const t = fromFixture(f);
  try {
    return t.toArray() as number[][];
  } finally {
    t.dispose();
  }
}

for (const [name, c] of Object.entries(cases)) {
  test(`${name}: token-mean NLL and its gradients equal the brute-force sum over all paths`, () => {
    const crf = crfOf(c);
    try {
      tidy(() => {
        const emissions = fromFixture(c.emissions, 'float32');
        emissions.requiresGrad = true;
        const loss = crf.negLogLikelihood(emissions, tagRows(c));
        assert.ok(Math.abs((loss.item() as number) - c.loss) < 1e-5, `loss ${loss.item()} vs brute force ${c.loss}`);
        const [gE, gT, gS, gEnd] = grad(loss, [emissions, crf.transitions, crf.startTransitions, crf.endTransitions]) as Tensor[];
        assertClose(gE as Tensor, c.grad_emissions, { atol: 1e-5, what: 'dL/d emissions' });
        assertClose(gT as Tensor, c.grad_transitions, { atol: 1e-5, what: 'dL/d transitions' });
        assertClose(gS as Tensor, c.grad_start, { atol: 1e-5, what: 'dL/d start' });
        assertClose(gEnd as Tensor, c.grad_end, { atol: 1e-5, what: 'dL/d end' });
      });
    } finally {
      crf.dispose();
    }
  });

  test(`${name}: Viterbi finds the path the enumeration ranks first`, () => {
    const crf = crfOf(c);
    try {
      tidy(() => assert.deepEqual(crf.viterbi(fromFixture(c.emissions, 'float32'), c.lengths), c.best_paths, 'best paths'));
    } finally {
      crf.dispose();
    }
  });
}

test('one position and no transitions: the NLL is the softmax cross-entropy of start + emission + end', () => {
  const crf = new LinearChainCrf(2);
  try {
    tidy(() => {
      crf.loadStateDict(
        new Map([
          [
            'transitions',
            tensor([
              [5, -5],
              [-5, 5],
            ]),
          ],
          ['start_transitions', tensor([0.5, 0])],
          ['end_transitions', tensor([0, 0.25])],
        ]),
      );
      // scores: tag 0 → 0.5 + 1 + 0 = 1.5, tag 1 → 0 + 2 + 0.25 = 2.25; gold tag 0
      const nll = crf.negLogLikelihood(tensor([[[1, 2]]]), [[0]]).item() as number;
      const want = Math.log(Math.exp(1.5) + Math.exp(2.25)) - 1.5;
      assert.ok(Math.abs(nll - want) < 1e-6, `NLL ${nll}, hand-computed ${want}`);
    });
  } finally {
    crf.dispose();
  }
});

test('no tagged position gives a zero loss; bad tags and shapes are named', () => {
  const crf = new LinearChainCrf(3);
  try {
    tidy(() => {
      const emissions = tensor([[[0, 1, 2]], [[2, 1, 0]]]);
      assert.equal(crf.negLogLikelihood(emissions, [[], []]).item(), 0, 'empty rows');
      assert.throws(() => crf.negLogLikelihood(emissions, [[3], []]), /tag id 3, expected 0 ≤ id < 3/);
      assert.throws(() => crf.negLogLikelihood(emissions, [[0, 1], []]), /row 0 has 2 tags but the emissions only 1 positions/);
      assert.throws(() => crf.negLogLikelihood(tensor([[[0, 1]]]), [[0]]), /emissions must be \(B, L ≥ 1, C = 3\)/);
      assert.throws(() => crf.viterbi(emissions, [2, 0]), /expected 2 lengths in \[0, 1\]/);
    });
  } finally {
    crf.dispose();
  }
});
