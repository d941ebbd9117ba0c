/**
 * The reverse-letters run of a decoder-only seq2seq task, shared by its run test
 * (tests/tasks/seq2seq-decoder-run.test.ts) and the masking controls
 * (bench/issue13/seq2seq-decoder-masking.ts): a GPT-2 of 2 layers × 64 from scratch, tsv data of 3–5
 * letters of a–h and the same letters reversed, a WordPiece tokenizer learned from them, seed 5.
 */
import path from 'node:path';
import { parseTrainingConfig, type TrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';

const LETTERS = 'abcdefgh';

/** "source\ttarget" tsv (header first): `n` rows of 3–5 random letters and the same reversed (a seeded LCG). */
export function reversalPairs(n: number, seed: number): string {
  let s = seed;
  const uniform = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const rows = Array.from({ length: n }, () => {
    const w = Array.from({ length: 3 + Math.floor(uniform() * 3) }, () => LETTERS[Math.floor(uniform() * LETTERS.length)]!);
    return `${w.join(' ')}\t${w.toReversed().join(' ')}`;
  });
  return `source\ttarget\n${rows.join('\n')}\n`;
}

/** The run's config in `dir` (train.tsv, dev.tsv there; output `dir/out`), `steps` steps of 32, one dev evaluation at the end. */
export function reverseRunConfig(dir: string, steps: number): TrainingConfig {
  return parseTrainingConfig(
    `seed: 5
output_dir: out
encoder: { model_type: gpt2, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 256,
           max_position_embeddings: 32, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }
tokenizer: { train: { vocab_size: 48, min_frequency: 1 } }
max_length: 20
tasks:
  - { name: reverse, type: seq2seq, data: { format: tsv, train: train.tsv, dev: dev.tsv }, input: { text: source },
      label: { field: target }, options: { prefix: "reverse: ", metrics: [squad], max_target_length: 8 } }
training: { max_steps: ${steps}, batch_size: 32, learning_rate: 2.0e-3, warmup_steps: 20, eval_every: ${steps}, log_every: 100 }
`,
    { taskTypes, source: path.join(dir, 'config.yaml') },
  );
}
