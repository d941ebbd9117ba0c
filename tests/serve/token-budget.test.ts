/** Token bounds of inputs known before tokenizing, and batches planned within a padded-token budget. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planBatches, tokenBound } from '../../src/serve/token-budget.js';
import { mulberry32 } from '../../src/random.js';

describe('tokenBound', () => {
  it('characters plus [CLS] and [SEP], at most max_length; a pair, read whole, all its characters plus 3', () => {
    assert.equal(tokenBound({ text: 'abc' }, 24), 5, '3 characters + 2 special tokens');
    assert.equal(tokenBound({ text: 'ab', textPair: 'cd' }, 24), 7, '2 + 2 + [CLS] [SEP] [SEP]');
    assert.equal(tokenBound({ text: 'ab', textPair: 'c'.repeat(100) }, 24), 105, 'a pair is not cut at max_length');
    assert.equal(tokenBound({ text: '.,'.repeat(5000) }, 24), 24, 'cut at max_length');
    assert.equal(tokenBound({ text: '' }, Infinity), 2, 'an empty text is its special tokens');
  });

  it('a dialogue: max_length (the chat task cuts its prompt to it), else its roles, contents and ChatML markup', () => {
    const messages = [
      { role: 'user', content: 'four' },
      { role: 'assistant', content: 'five' },
      { role: 'user', content: 'six' },
    ] as const;
    assert.equal(tokenBound({ text: 'six', messages: [...messages] }, 24), 24, "not the last message's 3 + 2");
    // (4 + 4) + (9 + 4) + (4 + 3) characters + 3 turns x 4 markup tokens + 2
    assert.equal(tokenBound({ text: 'six', messages: [...messages] }, Infinity), 42);
  });
});

describe('planBatches', () => {
  it('splits where the next input would pass maxBatch or count x longest > maxBatchTokens', () => {
    // budget 20 padded tokens: [5, 5, 5, 5] is 4 x 5 = 20; a 6th-token input makes 5 x 6 = 30
    assert.deepEqual(planBatches([5, 5, 5, 5, 6, 6, 6], 64, 20), [4, 3]);
    // a long input after short ones widens the batch: 3 x 10 = 30 > 20, so it starts the next
    assert.deepEqual(planBatches([3, 3, 10, 3], 64, 20), [2, 2]);
    assert.deepEqual(planBatches([1, 1, 1, 1, 1], 2, 1000), [2, 2, 1], 'maxBatch 2');
    assert.deepEqual(planBatches([50, 2], 64, 20), [1, 1], 'an input over the budget still runs, alone');
    assert.deepEqual(planBatches([], 64, 20), []);
  });

  it('every batch within both limits unless it is one input; sizes sum to the inputs (random cases)', () => {
    const next = mulberry32(7);
    for (let trial = 0; trial < 200; trial++) {
      const bounds = Array.from({ length: Math.floor(next() * 40) }, () => 2 + Math.floor(next() * 60));
      const maxBatch = 1 + Math.floor(next() * 10);
      const budget = 10 + Math.floor(next() * 200);
      const sizes = planBatches(bounds, maxBatch, budget);
      assert.equal(
        sizes.reduce((a, b) => a + b, 0),
        bounds.length,
      );
      let at = 0;
      for (const size of sizes) {
        const batch = bounds.slice(at, at + size);
        assert.ok(size >= 1 && size <= maxBatch);
        if (size > 1) assert.ok(size * Math.max(...batch) <= budget, `${batch} within ${budget}`);
        // greedy: the next input would not have fitted
        const widened = bounds.slice(at, at + size + 1);
        if (at + size < bounds.length) assert.ok(size + 1 > maxBatch || (size + 1) * Math.max(...widened) > budget);
        at += size;
      }
    }
  });
});
