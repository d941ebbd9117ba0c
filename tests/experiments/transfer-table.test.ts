/**
 * The transfer report's table: per-arm mean ± sample std and per-seed values, the paired differences of the
 * multi-task arm against self-supervised and scratch, and the issue-15 criterion (beats both by more than the seeds'
 * spread). Expected figures from numpy (std with ddof=1):
 *   mt = [.50, .52, .54] → 52.00 ± 2.00; ss = [.45, .46, .50] → 47.00 ± 2.65; scratch = [.49, .53, .50] → 50.67 ± 2.08;
 *   mt − ss = [5, 6, 4] points → +5.00 ± 1.00; mt − scratch = [1, −1, 4] → +1.33 ± 2.52.
 * Negative values (issue 15's STS-B row): mt = [.1635, .1488, .2085] → 17.36 ± 3.11; ss = [.1242, .0840, −.0482]
 *   → 5.33 ± 9.02; scratch = [−.0123, −.0310, .2093] → 5.53 ± 13.37; mt − ss → +12.03 ± 11.88 (+3.93, +6.48, +25.67);
 *   mt − scratch → +11.83 ± 10.31 (+17.58, +17.98, −0.08).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { beatsBeyondSpread, transferCell, transferTable, type TransferArm } from '../../src/experiments/transfer-table.js';

const cell = (arm: TransferArm, values: number[], task = 'banking77') =>
  transferCell({ config: task, task, metric: 'accuracy', seconds: values.map(() => 1) }, arm, values);

const mt = cell('multi-task', [0.5, 0.52, 0.54]);
const ss = cell('self-supervised', [0.45, 0.46, 0.5]);
const scratch = cell('scratch', [0.49, 0.53, 0.5]);

describe('transfer table', () => {
  it('fills in the mean and sample std of each cell', () => {
    assert.ok(Math.abs(ss.mean - 0.47) < 1e-12 && Math.abs(ss.std - 0.0264575131106459) < 1e-12);
    assert.ok(Math.abs(scratch.std - 0.020816659994661344) < 1e-12);
  });

  it('beats beyond the spread only when the difference of the means exceeds the larger sample std', () => {
    assert.equal(beatsBeyondSpread(mt, ss), true, '5.00 > max(2.00, 2.65)');
    assert.equal(beatsBeyondSpread(mt, scratch), false, '1.33 < max(2.00, 2.08)');
    assert.equal(beatsBeyondSpread(ss, mt), false, 'a loss is no win');
    assert.equal(beatsBeyondSpread(cell('multi-task', [0.9]), cell('scratch', [0.1])), false, 'one seed has no spread');
  });

  it('prints each arm, the paired differences and the count of tasks won against both', () => {
    const slots = [
      cell('multi-task', [0.8, 0.81, 0.82], 'slots'),
      cell('self-supervised', [0.7, 0.7, 0.71], 'slots'),
      cell('scratch', [0.6, 0.62, 0.61], 'slots'),
    ];
    const sts = [
      cell('multi-task', [0.1, 0.2, 0.3], 'sts'),
      cell('self-supervised', [0.1, 0.2, 0.3], 'sts'),
      cell('scratch', [0.5, 0.6, 0.7], 'sts'),
    ];
    const lines = transferTable([mt, ss, scratch, ...slots, ...sts], [1, 2, 3]).split('\n');
    assert.equal(
      lines[0],
      '| task | test metric (%) | from multi-task | from self-supervised | from scratch | multi-task − self-supervised | multi-task − scratch |',
    );
    assert.equal(
      lines[2],
      '| banking77 | accuracy | 52.00 ± 2.00 (50.00, 52.00, 54.00) | 47.00 ± 2.65 (45.00, 46.00, 50.00) | 50.67 ± 2.08 (49.00, 53.00, 50.00) ' +
        '| +5.00 ± 1.00 (+5.00, +6.00, +4.00) wins | +1.33 ± 2.52 (+1.00, −1.00, +4.00) within |',
    );
    assert.match(lines[3]!, /^\| slots \| accuracy \| 81\.00 ± 1\.00 .* wins \| .* wins \|$/);
    assert.match(lines[4]!, /^\| sts \| accuracy \| .* \| −40\.00 ± 0\.00 \(−40\.00, −40\.00, −40\.00\) loses \|$/);
    assert.equal(lines.at(-1), "multi-task beats both self-supervised and scratch beyond the seeds' spread on 1 of 3 tasks.");
  });

  it("writes every negative number with '−' (U+2212), per-seed values as the differences", () => {
    const sts = [
      cell('multi-task', [0.1635, 0.1488, 0.2085], 'sts'),
      cell('self-supervised', [0.1242, 0.084, -0.0482], 'sts'),
      cell('scratch', [-0.0123, -0.031, 0.2093], 'sts'),
    ];
    const table = transferTable(sts, [1, 2, 3]);
    assert.equal(
      table.split('\n')[2],
      '| sts | accuracy | 17.36 ± 3.11 (16.35, 14.88, 20.85) | 5.33 ± 9.02 (12.42, 8.40, −4.82) | 5.53 ± 13.37 (−1.23, −3.10, 20.93) ' +
        '| +12.03 ± 11.88 (+3.93, +6.48, +25.67) wins | +11.83 ± 10.31 (+17.58, +17.98, −0.08) within |',
    );
    assert.doesNotMatch(table, /-\d/, "no ASCII '-' before a digit");
  });
});
