// examples/custom-task/config.ts: one encoder, two tasks, one of them your own type (docs/guide-custom-task.md).
/**
 * `mtl train examples/custom-task/config.ts` imports this module, which registers the task type
 * before the config is checked, and trains its default export: Banking77's intents and the texts'
 * length buckets from the same CSV (both tasks read the same texts, so they share each encoder pass).
 * In your project, import from 'multitask-lm' (and 'multitask-lm/config') instead of ../../src.
 */
import { defineConfig, registerTaskType, taskTypes } from '../../src/index.js';
import { lengthBucket } from './length-bucket.js';

if (!taskTypes.has(lengthBucket.kind)) registerTaskType(lengthBucket);

const banking77 = {
  format: 'csv',
  train: '../../../shared/datasets/banking77/train.csv',
  test: '../../../shared/datasets/banking77/test.csv',
  dev_fraction: 0.1,
} as const;

export default defineConfig({
  seed: 1,
  output_dir: '../../runs/custom-task/two-tasks',
  encoder: { hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 512, max_position_embeddings: 64 },
  tokenizer: { train: { vocab_size: 4000, lowercase: true } },
  max_length: 48,
  tasks: [
    { name: 'intent', type: 'sequence-classification', data: banking77, input: { text: 'text' }, label: { field: 'category' } },
    { name: 'length', type: 'length-bucket', data: banking77, input: { text: 'text' }, options: { boundary: 8 } },
  ],
  training: { max_steps: 600, batch_size: 32, learning_rate: 1.0e-3, warmup_ratio: 0.1, eval_every: 200 },
});
