import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { transferTableLines, type DemoTransferRow } from '../../src/cli/demo.js';

const row = (encoder: DemoTransferRow['encoder'], seed: number, accuracy: number, f1Macro: number): DemoTransferRow => ({
  encoder,
  task: 'domain',
  seed,
  dev: { accuracy, f1Macro },
  trainSeconds: 2,
});

describe("the demo's transfer table", () => {
  it('one row per encoder: mean ± sample std over the seeds, each seed in parentheses, training seconds summed', () => {
    const lines = transferTableLines([
      row('pre-trained', 1, 0.6, 0.5),
      row('scratch', 1, 0.5, 0.4),
      row('pre-trained', 2, 0.62, 0.52),
      row('scratch', 2, 0.52, 0.44),
      row('pre-trained', 3, 0.64, 0.54),
      row('scratch', 3, 0.54, 0.42),
    ]);
    assert.match(lines[0]!, /seeds 1, 2, 3$/);
    assert.equal(lines[3], '  | pre-trained | 62.00 ± 2.00 (60.00, 62.00, 64.00) | 52.00 ± 2.00 (50.00, 52.00, 54.00) | 6 s |');
    assert.equal(lines[4], '  | scratch | 52.00 ± 2.00 (50.00, 52.00, 54.00) | 42.00 ± 2.00 (40.00, 44.00, 42.00) | 6 s |');
  });
});
