/**
 * examples/snips.yaml written in TypeScript: `defineConfig` types the config as you write it (keys,
 * value types, enums; in the file's snake_case spelling) and `mtl train examples/snips.config.ts` reads
 * its default export as it reads the YAML (relative paths against this file's folder). In a project
 * that installed the package: `import { defineConfig } from 'multitask-lm/config'` (and tsx as a dev
 * dependency, which reads TypeScript). A test keeps this config equal to snips.yaml.
 */
import { defineConfig } from '../src/config.js';

const snips = {
  format: 'joint-folder',
  train: '../../shared/datasets/snips/train',
  dev: '../../shared/datasets/snips/dev',
  test: '../../shared/datasets/snips/test',
} as const;

export default defineConfig({
  seed: 42,
  output_dir: '../runs/snips',
  // a small BERT trained from scratch (Hugging Face config.json field names)
  encoder: {
    hidden_size: 256,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    intermediate_size: 1024,
    max_position_embeddings: 128,
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
  },
  tokenizer: { train: { vocab_size: 8000, lowercase: true, min_frequency: 2 } },
  max_length: 48,
  tasks: [
    { name: 'intent', type: 'sequence-classification', options: { pooling: 'cls' }, data: snips, weight: 1.0 },
    { name: 'slots', type: 'token-classification', crf: true, data: snips, weight: 1.0 },
  ],
  training: {
    epochs: 16,
    batch_size: 32,
    learning_rate: 1.0e-3,
    warmup_ratio: 0.1,
    word_dropout: 0.1,
    weight_decay: 0.01,
    max_grad_norm: 1.0,
    schedule: 'linear',
    sampler: { kind: 'uniform' }, // both tasks read the same utterances: alternate them
    eval_every: 400,
    early_stopping: { metric: 'slots.f1', patience: 5, mode: 'max' },
    log_every: 50,
  },
});
