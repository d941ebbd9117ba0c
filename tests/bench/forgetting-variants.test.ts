/** The forgetting measurement's variants (bench/continual/forgetting-variants.ts): each one's `continual` section. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VARIANTS, variantSettings } from '../../bench/continual/forgetting-variants.js';
import { continualSchema } from '../../src/io/config/schema.js';

const options = { examples: 1000, examplesPerClass: 25, lambda: 10000 };

describe('forgetting variants', () => {
  it('sets rehearsal per task or per class, and EWC on 200 examples, as docs/results/issue19-sweep-continual.md describes each arm', () => {
    assert.deepEqual(variantSettings(VARIANTS, options), {
      none: { rehearsal: null, ewc: null },
      rehearsal: { rehearsal: { examples: 1000 }, ewc: null },
      ewc: { rehearsal: null, ewc: { lambda: 10000, examples: 200 } },
      both: { rehearsal: { examples: 1000 }, ewc: { lambda: 10000, examples: 200 } },
      'per-class': { rehearsal: { examples_per_class: 25 }, ewc: null },
      'per-class-ewc': { rehearsal: { examples_per_class: 25 }, ewc: { lambda: 10000, examples: 200 } },
    });
  });

  it('gives only the variants asked for, each a valid continual section', () => {
    const settings = variantSettings(['per-class-ewc', 'both'], options);
    assert.deepEqual(Object.keys(settings), ['per-class-ewc', 'both']);
    for (const section of Object.values(settings)) assert.deepEqual(continualSchema.parse(section), section);
  });

  it('refuses an unknown variant by name (it would otherwise run as the stage config says, unprotected)', () => {
    assert.throws(
      () => variantSettings(['both', 'per-class+ewc'], options),
      /unknown variant 'per-class\+ewc'; known: none, rehearsal, ewc, both, per-class, per-class-ewc/,
    );
  });
});
