/**
 * A training config of a new encoder written as `encoder` (a YAML flow mapping), with a learned
 * tokenizer and one causal-lm task on WordNet: for tests that build a backbone from a config's
 * `encoder` section (family keys, token ids) without training it.
 */
import { parseTrainingConfig, type TrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';

/** The config parsed (as the file `source` would be); ConfigFileError as parseTrainingConfig throws it. */
export function newEncoderConfig(encoder: string, source: string): TrainingConfig {
  const text = `seed: 1
output_dir: out/new-encoder
encoder: ${encoder}
tokenizer: { train: { vocab_size: 50, min_frequency: 1 } }
max_length: 16
tasks:
  - { name: lm, type: causal-lm, data: { format: wordnet } }
training: { max_steps: 1, batch_size: 2 }
`;
  return parseTrainingConfig(text, { taskTypes, source });
}
