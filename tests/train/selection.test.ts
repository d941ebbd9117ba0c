import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelSelector } from '../../src/train/selection.js';

describe('ModelSelector', () => {
  it('keeps the best by mode and stops after `patience` evaluations without improvement (hand-checked)', () => {
    const s = new ModelSelector('average', 'max', 2);
    assert.deepEqual(s.update(0.5, 10), { improved: true, stop: false });
    assert.deepEqual(s.update(0.4, 20), { improved: false, stop: false });
    assert.deepEqual(s.update(0.6, 30), { improved: true, stop: false });
    assert.deepEqual(s.update(0.6, 40), { improved: false, stop: false });
    assert.deepEqual(s.update(0.1, 50), { improved: false, stop: true });
    assert.equal(s.best, 0.6);
    assert.equal(s.bestStep, 30);
    const loss = new ModelSelector('t.loss', 'min', null);
    loss.update(3, 1);
    assert.equal(loss.update(2, 2).improved, true);
  });

  it('a NaN first metric (Spearman of constant predictions) is beaten by the next number; NaN never beats a number', () => {
    const s = new ModelSelector('sts.spearman', 'max', 3);
    assert.equal(s.update(NaN, 100).improved, true, 'the first evaluation is the best so far');
    assert.equal(s.update(0.2, 200).improved, true, 'was: value > NaN is false, so no later evaluation was ever best');
    assert.equal(s.update(NaN, 300).improved, false);
    assert.equal(s.best, 0.2);
    assert.equal(s.bestStep, 200);
  });
});
