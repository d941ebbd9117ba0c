/** Back-translation settings for tests: the schema's defaults, with what a test changes over them. */
import type { BackTranslationSettings } from '../../src/data/augment/index.js';

/** `data.augment: { method: back-translation, checkpoint, forward_task: en_de, backward_task: de_en }` as the config parses it (defaults filled in). */
export const backTranslationSettings = (checkpoint: string, over: Partial<BackTranslationSettings> = {}): BackTranslationSettings => ({
  method: 'back-translation',
  checkpoint,
  forwardTask: 'en_de',
  backwardTask: 'de_en',
  copies: 1,
  doSample: true,
  topK: 10,
  topP: 1,
  temperature: 1,
  numBeams: 1,
  maxNewTokens: 64,
  batchSize: 32,
  ...over,
});
