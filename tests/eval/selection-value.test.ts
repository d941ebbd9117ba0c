/**
 * selectionValue: the number model selection reads from a dev result — a task's metric, 'average' of
 * the tasks' main metrics, or a stream's joint metric (sentence accuracy of intent + slots). The
 * results are written by hand, so each expected value is the figure placed there (or their mean).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { selectionValue, type EvalResult } from '../../src/eval/index.js';
import type { Stream } from '../../src/run/streams.js';

const result: EvalResult = {
  split: 'dev',
  metrics: { intent: { accuracy: 0.98, f1Macro: 0.9 }, slots: { f1: 0.93, precision: 0.92, recall: 0.94 } },
  losses: { intent: 0.1, slots: 2.5 },
  joint: { 'intent+slots': { sentenceAccuracy: 0.86 } },
  examples: 700,
  seconds: 1,
};

describe('selectionValue', () => {
  it("a task's metric and a stream's sentence accuracy", () => {
    assert.equal(selectionValue(result, 'intent.accuracy', []), 0.98);
    assert.equal(selectionValue(result, 'slots.f1', []), 0.93);
    assert.equal(selectionValue(result, 'intent+slots.sentenceAccuracy', []), 0.86);
  });

  it('a metric there is not: a ConfigError listing the task and stream metrics', () => {
    assert.throws(
      () => selectionValue(result, 'slots+intent.sentenceAccuracy', [] as readonly Stream[]),
      (e: unknown) =>
        e instanceof ConfigError &&
        /'slots\+intent\.sentenceAccuracy' is not a metric of this run/.test(e.message) &&
        e.message.includes('slots.f1') &&
        e.message.includes('intent+slots.sentenceAccuracy'),
    );
  });
});
