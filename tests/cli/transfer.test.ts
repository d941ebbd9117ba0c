/**
 * `mtl transfer --pretrain-only ARM`: the arm names, and 'mlm-only', the self-supervised arm's name from
 * before it kept replaced-token detection too, so earlier commands keep working.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/cli/args.js';
import { pretrainArmFlag } from '../../src/cli/transfer.js';

describe('mtl transfer --pretrain-only', () => {
  it('takes each arm, and mlm-only as the self-supervised arm', () => {
    assert.equal(pretrainArmFlag('multi-task'), 'multi-task');
    assert.equal(pretrainArmFlag('self-supervised'), 'self-supervised');
    assert.equal(pretrainArmFlag('mlm-only'), 'self-supervised');
  });

  it('refuses another name, listing the arms', () => {
    assert.throws(
      () => pretrainArmFlag('scratch'),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === "--pretrain-only must be one of multi-task, self-supervised (or mlm-only, an old name), got 'scratch'",
    );
  });
});
