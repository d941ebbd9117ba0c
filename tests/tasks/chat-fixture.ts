/**
 * A chat checkpoint for tests of what reads one (export, serve): a tiny gpt2 with a WordPiece
 * vocabulary learned from number-counting dialogues, trained a few steps (its replies are not the
 * point; tests/tasks/chat-run.test.ts trains one that answers).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';
import { train } from '../../src/train/trainer.js';

/** Four-turn dialogues, user and assistant counting on in turn. */
export function countingDialogues(n: number): string {
  const numbers = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];
  return Array.from({ length: n }, (_, i) => {
    const messages = [0, 1, 2, 3].map((k) => ({ role: k % 2 === 0 ? 'user' : 'assistant', content: numbers[(i % 4) + k] }));
    return `${JSON.stringify({ messages })}\n`;
  }).join('');
}

/**
 * Trains a chat task 'dlg' for `steps` steps in `dir` and returns the best checkpoint's folder.
 * @param options the task's options as YAML flow mappings' inside (e.g. `max_new_tokens: 4`).
 */
export async function trainTinyChat(dir: string, options = 'max_new_tokens: 4', steps = 2): Promise<string> {
  writeFileSync(path.join(dir, 'train.jsonl'), countingDialogues(16));
  writeFileSync(path.join(dir, 'dev.jsonl'), countingDialogues(4));
  const yaml = `seed: 5
output_dir: out
encoder: { model_type: gpt2, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32,
           max_position_embeddings: 48, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }
tokenizer: { train: { vocab_size: 64, min_frequency: 1 } }
max_length: 40
tasks:
  - { name: dlg, type: chat, data: { format: messages, train: train.jsonl, dev: dev.jsonl }, options: { ${options} } }
training: { max_steps: ${steps}, batch_size: 8, learning_rate: 1.0e-3, eval_every: ${steps}, log_every: ${steps} }
`;
  const result = await train(parseTrainingConfig(yaml, { taskTypes, source: path.join(dir, 'config.yaml') }), {});
  if (result.status !== 'completed') throw new Error(`the tiny chat run did not complete: ${JSON.stringify(result).slice(0, 400)}`);
  return path.join(dir, 'out', 'best');
}
