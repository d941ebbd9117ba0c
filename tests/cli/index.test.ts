import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as mtl from '../../src/index.js';

describe('the public API (src/index.ts)', () => {
  it('exports the main function or class of every layer', () => {
    for (const name of [
      'tensor',
      'tidy',
      'Module',
      'BertModel',
      'Tokenizer',
      'trainWordPiece',
      'readJointFolder',
      'LengthBucketBatcher',
      'taskType',
      'MultiTaskModel',
      'createTaskSampler',
      'AdamW',
      'linearWarmupDecay',
      'saveCheckpoint',
      'loadTrainingConfig',
      'train',
      'evaluateCheckpoint',
      'formatReports',
      'writeRunReport',
      'renderRunReport',
      'runSeries',
      'Predictor',
      'semanticFrameAccuracy',
      'ConfigError',
    ]) {
      assert.equal(typeof (mtl as Record<string, unknown>)[name], 'function', name);
    }
  });
});
