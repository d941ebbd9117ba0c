import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cohenKappa, matthewsCorrcoef } from '../../src/metrics/index.js';
import { scores } from './scores-fixture.js';

describe("Cohen's kappa and the Matthews correlation match scikit-learn 1.2", () => {
  for (const c of scores.agreement) {
    it(c.name, () => {
      for (const weights of ['none', 'linear', 'quadratic'] as const) {
        const k = cohenKappa(c.a, c.b, { weights });
        assert.ok(Math.abs(k - c.kappa[weights]) < 1e-12, `kappa (${weights}) ${k} vs ${c.kappa[weights]}`);
      }
      assert.ok(Math.abs(matthewsCorrcoef(c.a, c.b) - c.mcc) < 1e-12, `mcc ${matthewsCorrcoef(c.a, c.b)} vs ${c.mcc}`);
    });
  }

  it('string labels give the same values as their ids (hand-checked 2x2 case)', () => {
    // O = [[2,1],[0,1]], rows (3,1), cols (2,2), N 4: p_o 0.75, p_e (3·2+1·2)/16 = 0.5 -> kappa 0.5
    assert.equal(cohenKappa(['a', 'a', 'a', 'b'], ['a', 'a', 'b', 'b']), 0.5);
    // MCC = (2·1 − 1·0)/sqrt(3·1·2·2) = 2/sqrt(12)
    assert.ok(Math.abs(matthewsCorrcoef(['a', 'a', 'a', 'b'], ['a', 'a', 'b', 'b']) - 2 / Math.sqrt(12)) < 1e-15);
  });
});
