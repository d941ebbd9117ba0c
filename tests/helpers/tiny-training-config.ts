/**
 * A training config of a tiny model (hidden 16, one layer, a learned vocabulary of 80, max_length 16,
 * one step of 2) over `tasks`, as a file in snake_case spelling would give it: for tests that read
 * and featurize data through a run (prepareRun) or train one step.
 */
import path from 'node:path';
import { validateTrainingConfig } from '../../src/config.js';
import type { TrainingConfig } from '../../src/io/config/index.js';

/**
 * The config validated; output under `dir`/out. `encoder` keys are added to the tiny encoder's
 * (`{ model_type: 't5' }` for a seq2seq task).
 */
export function tinyTrainingConfig(dir: string, tasks: readonly unknown[], encoder: Record<string, unknown> = {}): TrainingConfig {
  return validateTrainingConfig({
    output_dir: path.join(dir, 'out'),
    encoder: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, ...encoder },
    tokenizer: { train: { vocab_size: 80, min_frequency: 1 } },
    max_length: 16,
    tasks,
    training: { max_steps: 1, batch_size: 2 },
  });
}
